// The `config` subcommands that change kubeconfig files: set-cluster, set-credentials,
// set-context, set, unset, use-context, rename-context, delete-context|cluster|user.
// Each reads the merged view, changes it, and hands it to ModifyConfig (kubeconfig/loader.ts),
// which writes every changed stanza back into the file that defines it.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { Option, type Command } from 'commander';
import { CliError } from '../api/errors';
import { defaultFilename, modifyConfig, startingConfig } from '../kubeconfig/loader';
import type { Entry } from '../kubeconfig/model';
import { modifyProperty } from '../kubeconfig/property';
import type { CliContext } from './context';
import type { Program } from './root';
import { access, configAction } from './config';
import { collect } from './flags/collect';
import { parseGoBool } from './flags/pflag';

/** cliflag.Tristate / NoOptDefVal "true" flags arrive as true, 'true' or a Go bool string. */
function tristate(v: unknown): boolean | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'boolean') return v;
  const b = parseGoBool(String(v));
  if (b === undefined) throw new CliError(`strconv.ParseBool: parsing "${String(v)}": invalid syntax`);
  return b;
}

const goList = (args: string[]) => `[${args.join(' ')}]`;

function entry(map: Map<string, Entry>, name: string): { e: Entry; existed: boolean } {
  const cur = map.get(name);
  if (cur) return { e: cur, existed: true };
  const e: Entry = { fields: {}, origin: '' };
  map.set(name, e);
  return { e, existed: false };
}

function absPath(p: string): string {
  return path.resolve(p);
}

interface ClusterFlags {
  server?: string;
  tlsServerName?: string;
  insecureSkipTlsVerify?: unknown;
  certificateAuthority?: string;
  embedCerts?: unknown;
  proxyUrl?: string;
}

function setCluster(ctx: CliContext, args: string[], o: ClusterFlags): void {
  if (args.length !== 1) throw new CliError(`Unexpected args: ${goList(args)}`);
  const name = args[0];
  const insecure = tristate(o.insecureSkipTlsVerify);
  const embed = tristate(o.embedCerts) ?? false;
  if (name === '') throw new CliError('you must specify a non-empty cluster name');
  if (insecure && o.certificateAuthority) throw new CliError('you cannot specify a certificate authority and insecure mode at the same time');
  if (embed) {
    if (!o.certificateAuthority) throw new CliError('you must specify a --certificate-authority to embed');
    if (!fs.existsSync(o.certificateAuthority)) throw new CliError(`could not read certificate-authority data from ${o.certificateAuthority}: open ${o.certificateAuthority}: no such file or directory`);
  }
  const a = access(ctx);
  const c = startingConfig(a);
  const { e } = entry(c.clusters, name);
  const f = e.fields;
  if (o.server !== undefined) f.server = o.server;
  if (o.tlsServerName !== undefined) f['tls-server-name'] = o.tlsServerName;
  if (o.proxyUrl !== undefined) f['proxy-url'] = o.proxyUrl;
  if (insecure !== undefined) {
    f['insecure-skip-tls-verify'] = insecure;
    if (insecure) {
      delete f['certificate-authority'];
      delete f['certificate-authority-data'];
    }
  }
  if (o.certificateAuthority !== undefined) {
    if (embed) {
      f['certificate-authority-data'] = fs.readFileSync(o.certificateAuthority);
      f['insecure-skip-tls-verify'] = false;
      delete f['certificate-authority'];
    } else {
      f['certificate-authority'] = absPath(o.certificateAuthority);
      f['insecure-skip-tls-verify'] = false;
      delete f['certificate-authority-data'];
    }
  }
  modifyConfig(a, c, true);
  ctx.out(`Cluster "${name}" set.\n`);
}

interface CredentialFlags {
  clientCertificate?: string;
  clientKey?: string;
  token?: string;
  username?: string;
  password?: string;
  authProvider?: string;
  authProviderArg: string[];
  execCommand?: string;
  execApiVersion?: string;
  execArg: string[];
  execEnv: string[];
  execInteractiveMode?: string;
  execProvideClusterInfo?: unknown;
  embedCerts?: unknown;
}

/** cmdutil.ParsePairs with removal (`key-`). */
function parsePairs(list: string[], flag: string): { set: Array<[string, string]>; remove: string[] } {
  const set: Array<[string, string]> = [];
  const remove: string[] = [];
  for (const p of list) {
    if (p.endsWith('-')) remove.push(p.slice(0, -1));
    else {
      const i = p.indexOf('=');
      if (i <= 0) throw new CliError(`invalid ${flag}: ${p}`);
      set.push([p.slice(0, i), p.slice(i + 1)]);
    }
  }
  return { set, remove };
}

const commaSplit = (l: string[]) => l.flatMap((v) => v.split(','));

function setCredentials(ctx: CliContext, args: string[], o: CredentialFlags): void {
  if (args.length !== 1) throw new CliError(`unexpected args: ${goList(args)}`);
  const name = args[0];
  const authArgs = parsePairs(commaSplit(o.authProviderArg), 'auth-provider-arg');
  const execEnv = parsePairs(o.execEnv, 'exec-env');
  const embed = tristate(o.embedCerts) ?? false;
  if (name === '') throw new CliError('you must specify a non-empty user name');
  const methods: string[] = [];
  if (o.token) methods.push('--token');
  if (o.username || o.password) methods.push('--username/--password');
  if (methods.length > 1) throw new CliError(`you cannot specify more than one authentication method at the same time: ${methods.join(', ')}`);
  if (embed) {
    if (!o.clientCertificate && !o.clientKey) throw new CliError('you must specify a --client-certificate or --client-key to embed');
    if (o.clientCertificate && !fs.existsSync(o.clientCertificate)) throw new CliError(`could not stat client-certificate file ${o.clientCertificate}: stat ${o.clientCertificate}: no such file or directory`);
    if (o.clientKey && !fs.existsSync(o.clientKey)) throw new CliError(`could not stat client-key file ${o.clientKey}: stat ${o.clientKey}: no such file or directory`);
  }
  const a = access(ctx);
  const c = startingConfig(a);
  const { e } = entry(c.users, name);
  const f = e.fields;
  for (const [flag, pathKey, dataKey] of [[o.clientCertificate, 'client-certificate', 'client-certificate-data'], [o.clientKey, 'client-key', 'client-key-data']] as const) {
    if (flag === undefined) continue;
    if (embed) {
      f[dataKey] = fs.readFileSync(flag);
      delete f[pathKey];
    } else {
      f[pathKey] = absPath(flag);
      delete f[dataKey];
    }
  }
  let setToken = false;
  let setBasic = false;
  if (o.token !== undefined) {
    f.token = o.token;
    setToken = o.token !== '';
  }
  if (o.username !== undefined) {
    f.username = o.username;
    setBasic ||= o.username !== '';
  }
  if (o.password !== undefined) {
    f.password = o.password;
    setBasic ||= o.password !== '';
  }
  let provider = f['auth-provider'] as { name?: string; config?: Record<string, string> } | undefined;
  if (o.authProvider !== undefined && (!provider || provider.name !== o.authProvider)) provider = { name: o.authProvider };
  if (provider) {
    const config = { ...(provider.config ?? {}) };
    for (const k of authArgs.remove) delete config[k];
    for (const [k, v] of authArgs.set) config[k] = v;
    provider = { ...provider, config };
    f['auth-provider'] = provider;
  }
  let exec = f.exec as Record<string, unknown> | undefined;
  if (o.execCommand !== undefined) exec = exec ? { ...exec, command: o.execCommand, args: undefined } : { command: o.execCommand };
  if (exec) {
    if (o.execApiVersion !== undefined) exec.apiVersion = o.execApiVersion;
    if (o.execArg.length) exec.args = commaSplit(o.execArg);
    if (o.execInteractiveMode !== undefined) exec.interactiveMode = o.execInteractiveMode;
    const provide = tristate(o.execProvideClusterInfo);
    if (provide !== undefined) exec.provideClusterInfo = provide;
    let env = (exec.env as Array<{ name: string; value: string }> | undefined) ?? undefined;
    if (o.execEnv.length && execEnv.remove.length) env = (env ?? []).filter((v) => !execEnv.remove.includes(v.name));
    if (execEnv.set.length) {
      env = [...(env ?? [])];
      for (const [k, v] of execEnv.set) {
        const cur = env.find((x) => x.name === k);
        if (cur) cur.value = v;
        else env.push({ name: k, value: v });
      }
    }
    if (env) exec.env = env;
    f.exec = exec;
  }
  if (setToken || setBasic) {
    if (!setToken) delete f.token;
    if (!setBasic) {
      delete f.username;
      delete f.password;
    }
  }
  modifyConfig(a, c, true);
  ctx.out(`User "${name}" set.\n`);
}

function setContext(ctx: CliContext, args: string[], o: { current?: boolean; cluster?: string; user?: string; namespace?: string }): void {
  if (args.length > 1) throw new CliError(`Unexpected args: ${goList(args)}`);
  let name = args[0] ?? '';
  if (name === '' && !o.current) throw new CliError('you must specify a non-empty context name or --current');
  if (name !== '' && o.current) throw new CliError('you cannot specify both a context name and --current');
  const a = access(ctx);
  const c = startingConfig(a);
  if (o.current) {
    if (!c.currentContext) throw new CliError('no current context is set');
    name = c.currentContext;
  }
  const { e, existed } = entry(c.contexts, name);
  // The root's -n/--namespace takes `--namespace` first; here it is this entry's field.
  const namespace = o.namespace ?? ctx.flags.namespace;
  if (o.cluster !== undefined) e.fields.cluster = o.cluster;
  if (o.user !== undefined) e.fields.user = o.user;
  if (namespace !== undefined) e.fields.namespace = namespace;
  modifyConfig(a, c, true);
  ctx.out(`Context "${name}" ${existed ? 'modified' : 'created'}.\n`);
}

function fileNamed(ctx: CliContext): string {
  const a = access(ctx);
  return a.explicit ?? defaultFilename(a);
}

function deleteStanza(ctx: CliContext, kind: 'clusters' | 'users', label: string, args: string[], program: string): void {
  const a = access(ctx);
  const c = startingConfig(a);
  if (args.length !== 1) throw new CliError(kind === 'users' ? `user to delete is required\nSee '${program} config delete-user -h' for help and examples` : `Unexpected args: ${goList(args)}`);
  const file = fileNamed(ctx);
  const name = args[0];
  if (!c[kind].has(name)) throw new CliError(`cannot delete ${label} ${name}, not in ${file}`);
  c[kind].delete(name);
  modifyConfig(a, c, true);
  ctx.out(`deleted ${label} ${name} from ${file}\n`);
}

export function registerWriters(config: Command, p: Program): void {
  config
    .command('set-cluster')
    .description('Set a cluster entry in kubeconfig')
    .argument('[name...]')
    .option('--server <server>', 'server for the cluster entry in kubeconfig')
    .option('--tls-server-name <name>', 'tls-server-name for the cluster entry in kubeconfig')
    .addOption(new Option('--insecure-skip-tls-verify [bool]', 'insecure-skip-tls-verify for the cluster entry in kubeconfig'))
    .option('--certificate-authority <file>', 'Path to certificate-authority file for the cluster entry in kubeconfig')
    .addOption(new Option('--embed-certs [bool]', 'embed-certs for the cluster entry in kubeconfig'))
    .option('--proxy-url <url>', 'proxy-url for the cluster entry in kubeconfig')
    .action(configAction(p, (ctx, args: string[], o: ClusterFlags) => setCluster(ctx, args, o)));

  config
    .command('set-credentials')
    .description('Set a user entry in kubeconfig')
    .argument('[name...]')
    .option('--client-certificate <file>', 'Path to client-certificate file for the user entry in kubeconfig')
    .option('--client-key <file>', 'Path to client-key file for the user entry in kubeconfig')
    .option('--token <token>', 'token for the user entry in kubeconfig')
    .option('--username <name>', 'username for the user entry in kubeconfig')
    .option('--password <password>', 'password for the user entry in kubeconfig')
    .option('--auth-provider <name>', 'Auth provider for the user entry in kubeconfig')
    .option('--auth-provider-arg <key=value>', "'key=value' arguments for the auth provider", collect, [])
    .option('--exec-command <command>', 'Command for the exec credential plugin for the user entry in kubeconfig')
    .option('--exec-api-version <version>', 'API version of the exec credential plugin for the user entry in kubeconfig')
    .option('--exec-arg <arg>', 'New arguments for the exec credential plugin command for the user entry in kubeconfig', collect, [])
    .option('--exec-env <key=value>', "'key=value' environment values for the exec credential plugin", collect, [])
    .option('--exec-interactive-mode <mode>', 'InteractiveMode of the exec credentials plugin for the user entry in kubeconfig')
    .addOption(new Option('--exec-provide-cluster-info [bool]', 'ProvideClusterInfo of the exec credentials plugin for the user entry in kubeconfig'))
    .addOption(new Option('--embed-certs [bool]', 'Embed client cert/key for the user entry in kubeconfig'))
    .action(configAction(p, (ctx, args: string[], o: CredentialFlags) => setCredentials(ctx, args, o)));

  config
    .command('set-context')
    .description('Set a context entry in kubeconfig')
    .argument('[name...]')
    .option('--current', 'Modify the current context')
    .option('--cluster <cluster>', 'cluster for the context entry in kubeconfig')
    .option('--user <user>', 'user for the context entry in kubeconfig')
    .option('--namespace <namespace>', 'namespace for the context entry in kubeconfig')
    .action(configAction(p, (ctx, args: string[], o: { current?: boolean; cluster?: string; user?: string; namespace?: string }) => setContext(ctx, args, o)));

  config
    .command('set')
    .description('Set an individual value in a kubeconfig file')
    .argument('[args...]')
    .addOption(new Option('--set-raw-bytes [bool]', 'When writing a []byte PROPERTY_VALUE, write the given string directly without base64 decoding.'))
    .action(
      configAction(p, (ctx, args: string[], o: { setRawBytes?: unknown }) => {
        if (args.length !== 2) throw new CliError(`Unexpected args: ${goList(args)}`);
        const [prop, value] = args;
        if (value === '') throw new CliError('you cannot use set to unset a property');
        if (prop === '') throw new CliError('you must specify a property');
        const a = access(ctx);
        const c = startingConfig(a);
        modifyProperty(c, prop, value, false, tristate(o.setRawBytes) ?? false);
        modifyConfig(a, c, false);
        ctx.out(`Property "${prop}" set.\n`);
      }),
    );

  config
    .command('unset')
    .description('Unset an individual value in a kubeconfig file')
    .argument('[args...]')
    .action(
      configAction(p, (ctx, args: string[]) => {
        if (args.length !== 1) throw new CliError(`Unexpected args: ${goList(args)}`);
        const [prop] = args;
        if (prop === '') throw new CliError('you must specify a property');
        const a = access(ctx);
        const c = startingConfig(a);
        modifyProperty(c, prop, '', true, true);
        modifyConfig(a, c, false);
        ctx.out(`Property "${prop}" unset.\n`);
      }),
    );

  config
    .command('use-context')
    .alias('use')
    .description('Set the current-context in a kubeconfig file')
    .argument('[args...]')
    .action(
      configAction(p, (ctx, args: string[]) => {
        if (args.length !== 1) throw new CliError(`Unexpected args: ${goList(args)}`);
        const name = args[0];
        const a = access(ctx);
        const c = startingConfig(a);
        if (name === '') throw new CliError('empty context names are not allowed');
        if (!c.contexts.has(name)) throw new CliError(`no context exists with the name: "${name}"`);
        c.currentContext = name;
        modifyConfig(a, c, true);
        ctx.out(`Switched to context "${name}".\n`);
      }),
    );

  config
    .command('rename-context')
    .description('Rename a context from the kubeconfig file')
    .argument('[args...]')
    .action(
      configAction(p, (ctx, args: string[]) => {
        if (args.length !== 2) throw new CliError(`Unexpected args: ${goList(args)}`);
        const [from, to] = args;
        if (to === '') throw new CliError('You must specify a new non-empty context name');
        const a = access(ctx);
        const c = startingConfig(a);
        const file = fileNamed(ctx);
        const e = c.contexts.get(from);
        if (!e) throw new CliError(`cannot rename the context "${from}", it's not in ${file}`);
        if (c.contexts.has(to)) throw new CliError(`cannot rename the context "${from}", the context "${to}" already exists in ${file}`);
        c.contexts.set(to, e);
        c.contexts.delete(from);
        if (c.currentContext === from) c.currentContext = to;
        modifyConfig(a, c, true);
        ctx.out(`Context "${from}" renamed to "${to}".\n`);
      }),
    );

  config
    .command('delete-context')
    .description('Delete the specified context from the kubeconfig')
    .argument('[args...]')
    .action(
      configAction(p, (ctx, args: string[]) => {
        const a = access(ctx);
        const c = startingConfig(a);
        if (args.length !== 1) throw new CliError(`Unexpected args: ${goList(args)}`);
        const file = fileNamed(ctx);
        const name = args[0];
        if (!c.contexts.has(name)) throw new CliError(`cannot delete context ${name}, not in ${file}`);
        if (c.currentContext === name) ctx.err('warning: this removed your active context, use "kubectl config use-context" to select a different one\n');
        c.contexts.delete(name);
        modifyConfig(a, c, true);
        ctx.out(`deleted context ${name} from ${file}\n`);
      }),
    );

  config
    .command('delete-cluster')
    .description('Delete the specified cluster from the kubeconfig')
    .argument('[args...]')
    .action(configAction(p, (ctx, args: string[]) => deleteStanza(ctx, 'clusters', 'cluster', args, p.name)));

  config
    .command('delete-user')
    .description('Delete the specified user from the kubeconfig')
    .argument('[args...]')
    .action(configAction(p, (ctx, args: string[]) => deleteStanza(ctx, 'users', 'user', args, p.name)));
}
