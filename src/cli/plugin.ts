// `plugin list` (kubectl's plugin discovery: executables named kubectl-* on $PATH, with its
// warnings) and `options` (the global flags, in kubectl's help layout).

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command, Option } from 'commander';
import { CliError } from '../api/errors';
import type { Program } from './root';
import { groupHelp, kubectlHelp } from './kubectl-help';

const PREFIX = 'kubectl-';

export interface PluginReport {
  lines: string[];
  warnings: string[];
}

/** kubectl's PluginListOptions.Run, as data: what goes to stdout and the warnings. */
export function listPlugins(pathEnv: string, nameOnly: boolean, builtins: string[]): PluginReport {
  const seenDirs = new Set<string>();
  const lines: string[] = [];
  const warnings: string[] = [];
  const byName = new Map<string, string>();
  const found: string[] = [];
  for (const dir of pathEnv.split(path.delimiter)) {
    if (dir === '' || seenDirs.has(dir)) continue;
    seenDirs.add(dir);
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      if (e.isDirectory() || !e.name.startsWith(PREFIX)) continue;
      found.push(path.join(dir, e.name));
    }
  }
  for (const file of found) {
    lines.push(nameOnly ? path.basename(file) : file);
    const name = path.basename(file).replace(/\.(exe|bat|cmd)$/, '');
    let executable = false;
    try {
      const st = fs.statSync(file);
      executable = (st.mode & 0o111) !== 0 && !st.isDirectory();
    } catch {
      /* dangling link */
    }
    if (!executable) warnings.push(`warning: ${file} identified as a kubectl plugin, but it is not executable`);
    const first = byName.get(name);
    if (first) warnings.push(`warning: ${file} is overshadowed by a similarly named plugin: ${first}`);
    else byName.set(name, file);
    const cmd = name.slice(PREFIX.length).split('-')[0];
    if (builtins.includes(cmd)) warnings.push(`warning: ${path.basename(file)} overwrites existing command: "kubectl ${name.slice(PREFIX.length).replace(/-/g, ' ')}"`);
  }
  return { lines, warnings };
}

function flagLine(o: Option): string {
  const name = o.long ?? '';
  const short = o.short ? `${o.short}, ` : '';
  const def = o.defaultValue;
  const shown = o.required || o.optional ? (def === undefined ? "''" : Array.isArray(def) ? `[${def.join(',')}]` : `'${String(def)}'`) : String(def ?? false);
  return `    ${short}${name}=${shown}:\n\t${o.description}\n`;
}

const PLUGIN_LONG = `Provides utilities for interacting with plugins.

 Plugins provide extended functionality that is not part of the major command-line distribution. Please refer to the documentation and examples for more information about how write your own plugins.

 The easiest way to discover and install plugins is via the kubernetes sub-project krew: [krew.sigs.k8s.io]. To install krew, visit https://krew.sigs.k8s.io/docs/user-guide/setup/install`;

const PLUGIN_EXAMPLE = `  # List all available plugins
  kubectl plugin list
  
  # List only binary names of available plugins without paths
  kubectl plugin list --name-only`;

const PLUGIN_LIST_LONG = `List all available plugin files on a user's PATH. To see plugins binary names without the full path use --name-only flag.

 Available plugin files are those that are: - executable - anywhere on the user's PATH - begin with "kubectl-"`;

const PLUGIN_LIST_EXAMPLE = `  # List all available plugins
  kubectl plugin list
  
  # List only binary names of available plugins without paths
  kubectl plugin list --name-only`;

export function register(program: Command, p: Program): void {
  const plugin = program.command('plugin').description('Provides utilities for interacting with plugins');
  kubectlHelp(
    plugin
      .command('list')
      .description("List all visible plugin executables on a user's PATH")
      .option('--name-only', 'If true, display only the binary name of each plugin, rather than its full path'),
    p.name,
    { long: PLUGIN_LIST_LONG, example: PLUGIN_LIST_EXAMPLE, use: 'list [flags]' },
  ).action(
      p.action((ctx, flags: { nameOnly?: boolean }) => {
        const builtins = program.commands.map((c) => c.name());
        const r = listPlugins(process.env.PATH ?? '', Boolean(flags.nameOnly), builtins);
        const errors: string[] = [];
        if (r.lines.length) ctx.out(`The following compatible plugins are available:\n\n${r.lines.map((l) => l + '\n').join('')}`);
        else errors.push('error: unable to find any kubectl plugins in your PATH');
        for (const w of r.warnings) ctx.err(`  - ${w}\n`);
        if (r.warnings.length === 1) errors.push('error: one plugin warning was found');
        else if (r.warnings.length > 1) errors.push(`error: ${r.warnings.length} plugin warnings were found`);
        if (errors.length) throw new CliError(errors.join('\n'));
      }),
    );

  plugin.configureHelp({ formatHelp: (c) => groupHelp(c as Command, p.name, PLUGIN_LONG, PLUGIN_EXAMPLE, 'plugin [flags]') });

  program
    .command('options')
    .description('Print the list of flags inherited by all commands')
    // cobra's usage template for options is empty: `options --help` prints nothing.
    .configureHelp({ formatHelp: () => '' })
    .action(
      p.action((ctx) => {
        const opts = (program.options as readonly Option[]).filter((o) => !o.hidden || o.long === '--kubeconfig').sort((a, b) => (a.long ?? '').localeCompare(b.long ?? ''));
        ctx.out(`The following options can be passed to any command:\n\n${opts.map(flagLine).join('\n')}`);
      }),
    );
}
