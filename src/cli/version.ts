// `kubesim version`: the simulated Kubernetes version, kubesim's own, and which
// Kubernetes API version the validation schemas describe and where they come from.

import type { Command } from 'commander';
import { CliError } from '../api/errors';
import type { Program } from './root';
import { kubectlHelp } from './kubectl-help';
import { KUBERNETES_VERSION, versionInfo } from '../api/version-info';

declare const __KUBESIM_VERSION__: string;

/** The kustomize kubectl 1.32 embeds (`kubectl version` prints it). */
const KUSTOMIZE_VERSION = 'v5.5.0';
declare const __SCHEMA_VERSION__: string;

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
        const kubesim = typeof __KUBESIM_VERSION__ === 'string' ? __KUBESIM_VERSION__ : 'dev';
        const schemas = typeof __SCHEMA_VERSION__ === 'string' ? __SCHEMA_VERSION__ : 'unknown';
        // kubectl's fields in its order (kustomize is built in), then kubesim's own.
        const doc: Record<string, unknown> = { clientVersion: versionInfo(), kustomizeVersion: KUSTOMIZE_VERSION };
        if (!opts.client) doc.serverVersion = versionInfo();
        doc.kubesimVersion = kubesim;
        doc.schemaVersion = schemas;
        if (opts.output === 'json') {
          ctx.out(JSON.stringify(doc, null, 2) + '\n');
        } else if (opts.output === 'yaml') {
          const { toYaml } = await import('../printers/yaml');
          ctx.out(toYaml(doc));
        } else if (opts.output !== undefined) {
          throw new CliError(`--output must be 'yaml' or 'json'`);
        } else {
          let text = `Client Version: ${KUBERNETES_VERSION}\nKustomize Version: ${KUSTOMIZE_VERSION}\n`;
          if (!opts.client) text += `Server Version: ${KUBERNETES_VERSION}\n`;
          text += `kubesim Version: ${kubesim} (API schemas: ${schemas})\n`;
          ctx.out(text);
        }
      }),
    );
}
