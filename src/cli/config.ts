// `config`: kubectl's kubeconfig subcommands on the standard kubeconfig files (--kubeconfig,
// else $KUBECONFIG's list, else ~/.kube/config) with client-go's merge and write rules
// (src/kubeconfig/loader.ts). A context whose cluster is `kubesim-<name>` selects that
// kubesim cluster (context.ts). The reading subcommands are here; the writing ones are in
// config-write.ts.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { Option, type Command } from 'commander';
import { CliError } from '../api/errors';
import { configAccess, startingConfig, loadFile, type ConfigAccess } from '../kubeconfig/loader';
import { KubeconfigError, configJson, encodeConfig, minifyConfig, serializeConfig, shortenConfig, type Config } from '../kubeconfig/model';
import type { CliContext } from './context';
import type { Program, VerbAction } from './root';
import { printFlagOptions, outputArgument, allowMissingKeys, type PrintFlagValues } from './flags/print-flags';
import { checkMutationFormat } from './flags/mutation-output';
import { parseGoBool } from './flags/pflag';
import { tabwrite } from '../printers/tabwriter';
import { registerWriters } from './config-write';
import { CONFIG_HELP, CONFIG_LONG } from './config-help';
import { groupHelp, kubectlHelp } from './kubectl-help';

export function access(ctx: CliContext): ConfigAccess {
  return configAccess(process.env, ctx.flags.kubeconfig);
}

/** Runs a config subcommand, turning the loader's errors into kubectl's `error: ...`. */
export function configAction(p: Program, fn: VerbAction): (...args: any[]) => Promise<void> {
  return p.action(async (ctx, ...args) => {
    try {
      return await fn(ctx, ...args);
    } catch (e) {
      if (e instanceof KubeconfigError) throw new CliError(e.message);
      throw e;
    }
  });
}

const VIEW_OUTPUT_HELP = "Output format. One of: (json, yaml, name, go-template, go-template-file, template, templatefile, jsonpath, jsonpath-as-json, jsonpath-file).";

interface ViewFlags extends PrintFlagValues {
  merge?: string | boolean;
  raw?: boolean;
  flatten?: boolean;
  minify?: boolean;
}

/** FlattenConfig: file references become embedded data (paths relative to their file). */
function flattenConfig(c: Config): void {
  const flatten = (fields: Record<string, unknown>, pathKey: string, dataKey: string, origin: string) => {
    const p = fields[pathKey];
    if (typeof p !== 'string' || p === '') return;
    if (Buffer.isBuffer(fields[dataKey]) && (fields[dataKey] as Buffer).length) throw new KubeconfigError('cannot have values for both path and contents');
    const base = path.resolve(path.dirname(origin || '.'));
    const abs = path.isAbsolute(p) ? p : path.join(base, p);
    try {
      fields[dataKey] = fs.readFileSync(abs);
    } catch {
      throw new KubeconfigError(`open ${abs}: no such file or directory`);
    }
    delete fields[pathKey];
  };
  for (const u of c.users.values()) {
    flatten(u.fields, 'client-certificate', 'client-certificate-data', u.origin);
    flatten(u.fields, 'client-key', 'client-key-data', u.origin);
  }
  for (const cl of c.clusters.values()) flatten(cl.fields, 'certificate-authority', 'certificate-authority-data', cl.origin);
}

async function runView(ctx: CliContext, flags: ViewFlags, cmd: Command, program: string): Promise<void> {
  if (cmd.args.length) throw new CliError(`unexpected arguments: [${cmd.args.join(' ')}]\nSee '${program} config view -h' for help and examples`);
  const a = access(ctx);
  const mergeGiven = flags.merge !== undefined;
  const merge = mergeGiven ? parseGoBool(String(flags.merge)) ?? true : !a.explicit;
  const output = outputArgument(flags) ?? 'yaml';
  if (output !== '' && output !== 'yaml') checkMutationFormat(output);
  if (!merge && !a.explicit) throw new CliError('if merge==false a precise file must be specified');
  const c = merge ? startingConfig(a) : loadFile(a.explicit!);
  if (flags.minify) {
    if (ctx.flags.context) c.currentContext = ctx.flags.context;
    minifyConfig(c);
  }
  if (flags.flatten) flattenConfig(c);
  else if (!flags.raw) shortenConfig(c);
  if (output === '' || output === 'yaml') ctx.out(serializeConfig(c));
  else if (output === 'json') ctx.out(configJson(c));
  else if (output === 'name') ctx.out('config/<unknown>\n');
  else {
    const { outputPrinter } = await import('./flags/output');
    ctx.out(outputPrinter(output, ctx, { allowMissingKeys: allowMissingKeys(flags) })([encodeConfig(c) as never], false));
  }
}

async function runGetContexts(ctx: CliContext, names: string[], flags: { output?: string; headers?: boolean }): Promise<void> {
  const output = flags.output ?? '';
  if (output !== '' && output !== 'name') throw new CliError(`--output ${output} is not available in kubectl config get-contexts; resetting to default output format`);
  const c = startingConfig(access(ctx));
  const errors: string[] = [];
  let shown: string[];
  if (names.length === 0) shown = [...c.contexts.keys()];
  else {
    shown = [];
    for (const n of names) {
      if (c.contexts.has(n)) shown.push(n);
      else errors.push(`context ${n} not found`);
    }
  }
  shown.sort();
  const nameOnly = output === 'name';
  const rows: string[] = [];
  if (flags.headers !== false && !nameOnly) rows.push('CURRENT\tNAME\tCLUSTER\tAUTHINFO\tNAMESPACE');
  for (const n of shown) {
    if (nameOnly) rows.push(n);
    else {
      const f = c.contexts.get(n)!.fields;
      rows.push(`${c.currentContext === n ? '*' : ' '}\t${n}\t${f.cluster ?? ''}\t${f.user ?? ''}\t${f.namespace ?? ''}`);
    }
  }
  if (rows.length) ctx.out(tabwrite(rows.join('\n') + '\n', { minWidth: 6, padding: 3 }));
  if (errors.length) throw new CliError(errors.length === 1 ? errors[0] : `[${errors.join(', ')}]`);
}

function listNames(ctx: CliContext, kind: 'clusters' | 'users'): void {
  const c = startingConfig(access(ctx));
  ctx.out(['NAME', ...[...c[kind].keys()].sort()].map((n) => n + '\n').join(''));
}

export function register(program: Command, p: Program): void {
  const config = program
    .command('config')
    .description('Modify kubeconfig files');

  const view = config
    .command('view')
    .description('Display merged kubeconfig settings or a specified kubeconfig file')
    .addOption(new Option('--merge [bool]', 'Merge the full hierarchy of kubeconfig files'))
    .option('--raw', 'Display raw byte data and sensitive data')
    .option('--flatten', 'Flatten the resulting kubeconfig file into self-contained output (useful for creating portable kubeconfig files)')
    .option('--minify', 'Remove all information not used by current-context from the output')
    .allowExcessArguments(true);
  for (const o of printFlagOptions(VIEW_OUTPUT_HELP)) view.addOption(o);
  view.action(configAction(p, (ctx, flags: ViewFlags, cmd: Command) => runView(ctx, flags, cmd, p.name)));

  config
    .command('get-contexts')
    .description('Describe one or many contexts')
    .argument('[name...]')
    .option('--no-headers', "When using the default or custom-column output format, don't print headers (default print headers).")
    .option('-o, --output <format>', 'Output format. One of: (name).')
    .action(configAction(p, (ctx, names: string[], flags: { output?: string; headers?: boolean }) => runGetContexts(ctx, names, flags)));

  config
    .command('get-clusters')
    .description('Display clusters defined in the kubeconfig')
    .allowExcessArguments(true)
    .action(configAction(p, (ctx) => listNames(ctx, 'clusters')));

  config
    .command('get-users')
    .description('Display users defined in the kubeconfig')
    .allowExcessArguments(true)
    .action(configAction(p, (ctx) => listNames(ctx, 'users')));

  config
    .command('current-context')
    .description('Display the current-context')
    .allowExcessArguments(true)
    .action(
      configAction(p, (ctx) => {
        const c = startingConfig(access(ctx));
        if (!c.currentContext) throw new CliError('current-context is not set');
        ctx.out(`${c.currentContext}\n`);
      }),
    );

  registerWriters(config, p);
  // kubectl's help for the group and each sub-command (a context whose cluster is
  // kubesim-<name> selects the kubesim cluster <name>; the help, as kubectl's, does not say).
  config.configureHelp({ formatHelp: (c) => groupHelp(c as Command, p.name, CONFIG_LONG) });
  for (const sub of config.commands) {
    const text = CONFIG_HELP[sub.name()];
    if (text) kubectlHelp(sub, p.name, text, sub === view ? { ...CONFIG_DEFAULTS, output: "'yaml'" } : CONFIG_DEFAULTS);
  }
}

/** Go defaults the parser keeps unset to tell "not given" apart. */
const CONFIG_DEFAULTS: Record<string, string> = { 'no-headers': 'false', merge: 'true' };
