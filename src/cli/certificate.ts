// `certificate approve|deny`: adds the Approved or Denied condition to CertificateSigningRequests
// through their approval subresource (kubectl's UpdateApproval), with kubectl's reasons and messages;
// a request that already carries the opposite decision is an error.

import type { Command } from 'commander';
import { groupHelp, kubectlHelp } from './kubectl-help';
import { addResourceBuilderFlags } from './flags/resource-builder-flags';
import { ApiError, CliError } from '../api/errors';
import { pluralGroup } from '../api/resources';
import { withObjectSource } from './object-source';
import type { KObject } from '../api/types';
import type { CliContext } from './context';
import type { Program } from './root';
import { mutationPrinter } from './flags/mutation-output';
import { printFlagOptions, type PrintFlagValues } from './flags/print-flags';

interface CertFlags extends PrintFlagValues {
  filename: string[];
  kustomize?: string;
  recursive?: boolean;
  force?: boolean;
}

const DECISIONS = {
  approve: { type: 'Approved', opposite: 'Denied', reason: 'KubectlApprove', message: 'This CSR was approved by kubectl certificate approve.', operation: 'approved' },
  deny: { type: 'Denied', opposite: 'Approved', reason: 'KubectlDeny', message: 'This CSR was denied by kubectl certificate deny.', operation: 'denied' },
} as const;

async function decide(ctx: CliContext, verb: keyof typeof DECISIONS, names: string[], flags: CertFlags): Promise<void> {
  const d = DECISIONS[verb];
  if (names.length === 0 && flags.filename.length === 0 && !flags.kustomize) throw new CliError('one or more CSRs must be specified as <name> or -f <filename>');
  const print = await mutationPrinter(ctx, flags, 'none');
  const targets = [...names];
  if (flags.filename.length || flags.kustomize) {
    const api = await ctx.api();
    const { loadInput, prepareDocs } = await import('./manifest-input');
    const { load } = await loadInput(ctx, { filename: flags.filename, kustomize: flags.kustomize, recursive: flags.recursive }, 'certificate');
    const { items, errors } = await prepareDocs(ctx, api, load, 'certificate', { validate: false });
    if (errors.length) throw new CliError(errors.join('').replace(/\n$/, ''));
    targets.push(...items.map((i) => i.object.metadata.name!));
  }
  // As kubectl: GET the request, then PUT it with the condition added to its approval
  // subresource, as the acting user (--as), which the server authorizes and admits.
  await withObjectSource(ctx, async (source) => {
    const rt = source.registry.resolve('certificatesigningrequests.certificates.k8s.io');
    for (const name of targets) {
      for (let attempt = 0; ; attempt++) {
        const read = await source.tryGet(rt, undefined, name);
        if (!read) throw ApiError.notFound(pluralGroup(rt), name);
        let obj: KObject = read;
        const conditions = (obj.status as { conditions?: Array<{ type: string }> } | undefined)?.conditions ?? [];
        const opposite = conditions.find((c) => c.type === d.opposite);
        if (opposite) throw new CliError(`certificate signing request "${name}" is already ${opposite.type}`);
        if (!conditions.some((c) => c.type === d.type) || flags.force) {
          // kubectl stamps lastUpdateTime; the server fills in lastTransitionTime.
          const stamp = new Date(source.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
          const status = { ...(obj.status ?? {}), conditions: [...conditions, { type: d.type, status: 'True', reason: d.reason, message: d.message, lastUpdateTime: stamp }] };
          try {
            obj = await source.update(rt, { ...obj, status }, { subresource: 'approval', noFieldValidation: true });
          } catch (e) {
            // kubectl reads the request again on a conflict, up to ten times.
            if (e instanceof ApiError && e.reason === 'Conflict' && attempt < 10) continue;
            throw e;
          }
        }
        ctx.out(print(obj, d.operation));
        break;
      }
    }
  });
}

/** kubectl certificate approve's Long, as cobra prints it. */
const APPROVE_LONG = `Approve a certificate signing request.

 kubectl certificate approve allows a cluster admin to approve a certificate signing request (CSR). This action tells a certificate signing controller to issue a certificate to the requester with the attributes requested in the CSR.

 SECURITY NOTICE: Depending on the requested attributes, the issued certificate can potentially grant a requester access to cluster resources or to authenticate as a requested identity. Before approving a CSR, ensure you understand what the signed certificate can do.`;

const APPROVE_EXAMPLE = `  # Approve CSR 'csr-sqgzp'
  kubectl certificate approve csr-sqgzp`;

/** kubectl certificate deny's Long, as cobra prints it. */
const DENY_LONG = `Deny a certificate signing request.

 kubectl certificate deny allows a cluster admin to deny a certificate signing request (CSR). This action tells a certificate signing controller to not to issue a certificate to the requester.`;

const DENY_EXAMPLE = `  # Deny CSR 'csr-sqgzp'
  kubectl certificate deny csr-sqgzp`;

/** kubectl certificate approve/deny's help texts. */
const HELP = {
  approve: { long: APPROVE_LONG, example: APPROVE_EXAMPLE, use: 'approve (-f FILENAME | NAME)' },
  deny: { long: DENY_LONG, example: DENY_EXAMPLE, use: 'deny (-f FILENAME | NAME)' },
};

export function register(program: Command, p: Program): void {
  const cert = program.command('certificate').description('Modify certificate resources');
  cert.configureHelp({ formatHelp: (c) => groupHelp(c as Command, p.name, 'Modify certificate resources.') });
  // kubectl's certificate runs cmd.Help() without a sub-command: the help on stdout, exit 0.
  cert.action(p.action((ctx, _flags: unknown, c: Command) => ctx.out(groupHelp(c, p.name, 'Modify certificate resources.'))));
  for (const verb of ['approve', 'deny'] as const) {
    const cmd = cert
      .command(verb)
      .description(verb === 'approve' ? 'Approve a certificate signing request' : 'Deny a certificate signing request')
      .argument('[names...]')
      .option('--force', `Update the CSR even if it is already ${verb === 'approve' ? 'approved' : 'denied'}.`);
    addResourceBuilderFlags(cmd, { filename: 'Filename, directory, or URL to files identifying the resource to update', kustomize: true, recursive: true });
    for (const o of printFlagOptions()) cmd.addOption(o);
    kubectlHelp(cmd, p.name, HELP[verb]).action(p.action((ctx, names: string[], flags: CertFlags) => decide(ctx, verb, names, flags)));
  }
}
