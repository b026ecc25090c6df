// `create token SERVICE_ACCOUNT`: a TokenRequest for the service account, answered with a
// token this cluster's API server accepts as that service account (server/sa-token.ts).

import type { Command } from 'commander';
import { ApiError, CliError } from '../api/errors';
import { objectPath } from '../api/resources';
import type { KObject } from '../api/types';
import type { Program } from './root';
import { collect } from './flags/collect';
import { parseGoDuration } from './flags/duration';
import { declareFlagTypes } from './flags/pflag';
import { kubectlHelp } from './kubectl-help';
import { printFlagOptions, outputArgument, allowMissingKeys, type PrintFlagValues } from './flags/print-flags';
import { checkMutationFormat } from './flags/mutation-output';

interface TokenFlags extends PrintFlagValues {
  audience: string[];
  duration?: string;
  boundObjectKind?: string;
  boundObjectName?: string;
  boundObjectUid?: string;
}

const TOKEN_LONG = `Request a service account token.`;

const TOKEN_EXAMPLE = `  # Request a token to authenticate to the kube-apiserver as the service account "myapp" in the current namespace
  kubectl create token myapp
  
  # Request a token for a service account in a custom namespace
  kubectl create token myapp --namespace myns
  
  # Request a token with a custom expiration
  kubectl create token myapp --duration 10m
  
  # Request a token with a custom audience
  kubectl create token myapp --audience https://example.com
  
  # Request a token bound to an instance of a Secret object
  kubectl create token myapp --bound-object-kind Secret --bound-object-name mysecret
  
  # Request a token bound to an instance of a Secret object with a specific UID
  kubectl create token myapp --bound-object-kind Secret --bound-object-name mysecret --bound-object-uid 0d4691ed-659b-4935-a832-355f77ee47cc`;

const BOUND_KINDS: Record<string, string> = { Pod: 'v1', Secret: 'v1', Node: 'v1' };

export function register(program: Command, p: Program): void {
  const create = program.commands.find((c) => c.name() === 'create');
  if (!create) return;
  const cmd = create
    .command('token')
    .description('Request a service account token')
    .argument('[names...]')
    .option('--audience <audience>', 'Audience of the requested token. If unset, defaults to requesting a token for use with the Kubernetes API server. May be repeated to request a token valid for multiple audiences.', collect, [])
    .option('--duration <duration>', 'Requested lifetime of the issued token. If not set or if set to 0, the lifetime will be determined by the server automatically. The server may return a token with a longer or shorter lifetime.')
    .option('--bound-object-kind <kind>', 'Kind of an object to bind the token to. Supported kinds are Node, Pod, Secret. If set, --bound-object-name must be provided.')
    .option('--bound-object-name <name>', 'Name of an object to bind the token to. The token will expire when the object is deleted. Requires --bound-object-kind.')
    .option('--bound-object-uid <uid>', 'UID of an object to bind the token to. Requires --bound-object-kind and --bound-object-name. If unset, the UID of the existing object is used.');
  for (const o of printFlagOptions()) cmd.addOption(o);
  declareFlagTypes(cmd, { duration: 'duration' });
  kubectlHelp(cmd, p.name, { long: TOKEN_LONG, example: TOKEN_EXAMPLE, use: 'token SERVICE_ACCOUNT_NAME' }, { duration: '0s' });
  cmd.action(
    p.action(async (ctx, names: string[], own: TokenFlags, self: Command) => {
      // `create`'s own -o/--template take those flags first (commander hands them to the parent).
      const flags: TokenFlags = { ...own };
      for (const [k, v] of Object.entries(self.parent?.opts() ?? {})) if (v !== undefined && (flags as unknown as Record<string, unknown>)[k] === undefined) (flags as unknown as Record<string, unknown>)[k] = v;
      if (names.length !== 1) throw new CliError(`exactly one NAME is required, got ${names.length}\nSee '${p.name} create token -h' for help and examples`);
      const output = outputArgument(flags);
      if (output) checkMutationFormat(output);
      const durationMs = flags.duration === undefined ? 0 : parseGoDuration(flags.duration);
      if (durationMs < 0) throw new CliError('--duration must be greater than or equal to 0');
      if (durationMs % 1000 !== 0) throw new CliError('--duration cannot be expressed in units less than seconds');
      if (flags.audience.some((a) => a === '')) throw new CliError('--audience must not be an empty string');
      if (flags.boundObjectKind === undefined && (flags.boundObjectName || flags.boundObjectUid)) throw new CliError('--bound-object-name can only be set if --bound-object-kind is provided');
      if (flags.boundObjectKind !== undefined) {
        if (!BOUND_KINDS[flags.boundObjectKind]) throw new CliError(`supported --bound-object-kind values are ${Object.keys(BOUND_KINDS).sort().join(', ')}`);
        if (!flags.boundObjectName) throw new CliError('--bound-object-name is required if --bound-object-kind is provided');
      }
      const expirationSeconds = durationMs ? durationMs / 1000 : 3600;
      const api = await ctx.api();
      // kubectl wraps the TokenRequest's error: `error: failed to create token: <Status message>`.
      const wrap = async <T>(p: Promise<T>): Promise<T> => {
        try {
          return await p;
        } catch (e) {
          if (e instanceof ApiError) throw new CliError(`failed to create token: ${e.message}`);
          throw e;
        }
      };
      // --as: the TokenRequest is authorized (create serviceaccounts/token) before the server looks at it
      const saType = api.registry.resolve('serviceaccounts');
      const check = await (await import('./impersonation')).requestCheck(ctx.flags, api);
      await wrap(check('POST', `${objectPath(saType, ctx.namespace, names[0])}/token`));
      const sa = await wrap(api.get(saType, ctx.namespace, names[0]));
      // the server reads the service account, then validates the request
      if (expirationSeconds < 600) throw new CliError(`failed to create token: TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: ${expirationSeconds}: may not specify a duration less than 10 minutes`);
      let bound: { kind: string; name: string; uid: string } | undefined;
      if (flags.boundObjectKind) {
        const rt = api.registry.resolve(flags.boundObjectKind.toLowerCase());
        const obj = await wrap(api.get(rt, rt.namespaced ? ctx.namespace : undefined, flags.boundObjectName!));
        if (flags.boundObjectUid && flags.boundObjectUid !== obj.metadata.uid) throw new CliError(`the UID in the bound object reference (${flags.boundObjectUid}) does not match the UID in record. The object might have been deleted and then recreated`);
        bound = { kind: flags.boundObjectKind, name: flags.boundObjectName!, uid: String(obj.metadata.uid) };
      }
      const { ensurePki } = await import('../server/pki');
      const { issueServiceAccountToken, DEFAULT_AUDIENCE } = await import('../server/sa-token');
      const nowSec = Math.floor(Date.now() / 1000);
      const audiences = flags.audience.length ? flags.audience : [DEFAULT_AUDIENCE];
      const token = issueServiceAccountToken(ensurePki(ctx.clusterDir).serverKey, { namespace: ctx.namespace, name: names[0], uid: String(sa.metadata.uid), boundObject: bound }, { audiences, expirationSeconds, nowSec });
      if (!output) {
        ctx.out(`${token}\n`);
        return;
      }
      const stamp = (s: number) => new Date(s * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
      const review = {
        kind: 'TokenRequest',
        apiVersion: 'authentication.k8s.io/v1',
        metadata: { name: names[0], namespace: ctx.namespace, creationTimestamp: stamp(nowSec) },
        spec: { audiences, expirationSeconds, boundObjectRef: bound ? { kind: bound.kind, apiVersion: BOUND_KINDS[bound.kind], name: bound.name, uid: bound.uid } : null },
        status: { token, expirationTimestamp: stamp(nowSec + expirationSeconds) },
      } as unknown as KObject;
      const [{ outputPrinter }, { goTyped }] = await Promise.all([import('./flags/output'), import('../printers/go-order')]);
      // the typed TokenRequest the client decoded: struct order
      ctx.out(outputPrinter(output, ctx, { allowMissingKeys: allowMissingKeys(flags), sortJsonKeys: false })([goTyped(review)], false));
    }),
  );
}
