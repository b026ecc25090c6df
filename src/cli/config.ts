// `kubesim config`: contexts are kubesim clusters; the current one and a per-context
// default namespace live in $KUBESIM_HOME/config.json (kubectl keeps them in kubeconfig).

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { CliError } from '../api/errors';
import { DEFAULT_CLUSTER, readConfig, writeConfig, type CliContext } from './context';
import type { Program } from './root';
import { tabwrite } from '../printers/tabwriter';

function clusterNames(ctx: CliContext): string[] {
  try {
    return fs.readdirSync(path.join(ctx.home, 'clusters')).filter((n) => fs.existsSync(path.join(ctx.home, 'clusters', n, 'registry'))).sort();
  } catch {
    return [];
  }
}

export function register(program: Command, p: Program): void {
  const config = program.command('config').description('Modify kubeconfig-like settings: contexts are kubesim clusters');

  config
    .command('get-contexts')
    .description('Describe one or many contexts')
    .argument('[name]')
    .option('-o, --output <format>', 'Output format. One of: (name).')
    .option('--no-headers', "When using the default or custom-column output format, don't print headers.")
    .action(
      p.action((ctx, name: string | undefined, flags: { output?: string; headers?: boolean }) => {
        const names = clusterNames(ctx);
        const current = ctx.config.currentContext ?? DEFAULT_CLUSTER;
        const shown = name ? names.filter((n) => n === name) : names;
        if (name && !shown.length) throw new CliError(`context ${name} not found`);
        if (flags.output === 'name') {
          ctx.out(shown.map((n) => n + '\n').join(''));
          return;
        }
        // kubectl: CURRENT NAME CLUSTER AUTHINFO NAMESPACE, tabwriter padding 3 min 6
        const rows = flags.headers === false ? [] : ['CURRENT\tNAME\tCLUSTER\tAUTHINFO\tNAMESPACE'];
        for (const n of shown) rows.push(`${n === current ? '*' : ''}\t${n}\t${n}\t${n}\t${ctx.config.contexts[n]?.namespace ?? ''}`);
        ctx.out(tabwrite(rows.join('\n') + '\n', { minWidth: 6, padding: 3 }));
      }),
    );

  config
    .command('current-context')
    .description('Display the current-context')
    .action(p.action((ctx) => ctx.out(`${ctx.config.currentContext ?? DEFAULT_CLUSTER}\n`)));

  config
    .command('use-context')
    .description('Set the current-context')
    .argument('<name>')
    .action(
      p.action((ctx, name: string) => {
        if (!clusterNames(ctx).includes(name)) throw new CliError(`no context exists with the name: "${name}"`);
        const c = readConfig(ctx.home);
        c.currentContext = name;
        writeConfig(ctx.home, c);
        ctx.out(`Switched to context "${name}".\n`);
      }),
    );

  config
    .command('set-context')
    .description('Set a context entry (only the namespace is meaningful for kubesim)')
    .argument('[name]')
    .option('--current', 'Modify the current context')
    .option('--namespace <namespace>', 'namespace for the context entry')
    .action(
      p.action((ctx, name: string | undefined, flags: { current?: boolean; namespace?: string }) => {
        const target = flags.current ? ctx.clusterName : name;
        if (!target) throw new CliError('you must specify a non-empty context name or --current');
        const c = readConfig(ctx.home);
        const existed = Boolean(c.contexts[target]) || clusterNames(ctx).includes(target);
        c.contexts[target] = { ...(c.contexts[target] ?? {}), ...(flags.namespace !== undefined ? { namespace: flags.namespace } : {}) };
        writeConfig(ctx.home, c);
        ctx.out(`Context "${target}" ${existed ? 'modified' : 'created'}.\n`);
      }),
    );

  config
    .command('view')
    .description('Display merged kubeconfig settings')
    .option('-o, --output <format>', 'yaml or json', 'yaml')
    .option('--minify', 'Remove all information not used by current-context from the output')
    .action(
      p.action(async (ctx, flags: { output?: string; minify?: boolean }) => {
        const current = ctx.config.currentContext ?? DEFAULT_CLUSTER;
        const names = flags.minify ? [current] : clusterNames(ctx);
        const doc = {
          apiVersion: 'v1',
          clusters: names.map((n) => ({ cluster: { server: `kubesim://${path.join(ctx.home, 'clusters', n)}` }, name: n })),
          contexts: names.map((n) => ({ context: { cluster: n, user: n, ...(ctx.config.contexts[n]?.namespace ? { namespace: ctx.config.contexts[n].namespace } : {}) }, name: n })),
          'current-context': current,
          kind: 'Config',
          preferences: {},
          users: names.map((n) => ({ name: n, user: {} })),
        };
        if (flags.output === 'json') ctx.out(JSON.stringify(doc, null, 4) + '\n');
        else ctx.out((await import('../printers/yaml')).toYaml(doc));
      }),
    );
}
