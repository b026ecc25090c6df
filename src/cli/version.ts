// `kubesim version`: the simulated Kubernetes version, kubesim's own, and which
// Kubernetes API types the validation schemas were generated from.

import type { Command } from 'commander';
import { CliError } from '../api/errors';
import type { Program } from './root';
import { KUBERNETES_VERSION, versionInfo } from '../api/version-info';

declare const __KUBESIM_VERSION__: string;
declare const __SCHEMA_VERSION__: string;

export function register(program: Command, p: Program): void {
  program
    .command('version')
    .description('Print the client and server version information')
    .option('--client', 'If true, shows client version only (no server required).')
    .option('-o, --output <format>', "One of 'yaml' or 'json'.")
    .action(
      p.action(async (ctx, opts: { client?: boolean; output?: string }) => {
        const kubesim = typeof __KUBESIM_VERSION__ === 'string' ? __KUBESIM_VERSION__ : 'dev';
        const schemas = typeof __SCHEMA_VERSION__ === 'string' ? __SCHEMA_VERSION__ : 'unknown';
        const doc: Record<string, unknown> = { clientVersion: versionInfo(), kubesimVersion: kubesim, schemaVersion: `kubernetes-types ${schemas}` };
        if (!opts.client) doc.serverVersion = versionInfo();
        if (opts.output === 'json') {
          ctx.out(JSON.stringify(doc, null, 2) + '\n');
        } else if (opts.output === 'yaml') {
          const { toYaml } = await import('../printers/yaml');
          ctx.out(toYaml(doc));
        } else if (opts.output !== undefined) {
          throw new CliError(`--output must be 'yaml' or 'json'`);
        } else {
          let text = `Client Version: ${KUBERNETES_VERSION}\nkubesim Version: ${kubesim} (API schemas from kubernetes-types ${schemas})\n`;
          if (!opts.client) text += `Server Version: ${KUBERNETES_VERSION}\n`;
          ctx.out(text);
        }
      }),
    );
}
