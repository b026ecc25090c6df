// `kubesim version`: the simulated Kubernetes version, kubesim's own, and which
// Kubernetes API version the validation schemas describe and where they come from.

import type { Command } from 'commander';
import { CliError } from '../api/errors';
import type { Program } from './root';
import { kubectlHelp } from './kubectl-help';
import { versionDoc, versionText } from './version-output';

export function register(program: Command, p: Program): void {
  const cmd = program
    .command('version')
    .description('Print the client and server version information')
    .option('--client', 'If true, shows client version only (no server required).')
    .option('-o, --output <format>', "One of 'yaml' or 'json'.");
  kubectlHelp(cmd, p.name, {
    long: 'Print the client and server version information for the current context.',
    example: '  # Print the client and server versions for the current context\n  kubectl version',
    use: 'version [flags]',
  }).action(
      p.action(async (ctx, opts: { client?: boolean; output?: string }) => {
        // kubectl makes its discovery client (the kubeconfig) before it prints anything.
        if (!opts.client) ctx.checkKubeconfig();
        const doc = versionDoc(Boolean(opts.client));
        if (opts.output === 'json') {
          ctx.out(JSON.stringify(doc, null, 2) + '\n');
        } else if (opts.output === 'yaml') {
          const { toYaml } = await import('../printers/yaml');
          ctx.out(toYaml(doc));
        } else if (opts.output !== undefined) {
          throw new CliError(`--output must be 'yaml' or 'json'`);
        } else {
          ctx.out(versionText(Boolean(opts.client)));
        }
      }),
    );
}
