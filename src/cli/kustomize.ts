// `kubesim kustomize DIR`: kustomize's build of a directory, as `kubectl kustomize` prints it
// (warnings on stderr as kustomize writes them; a failure as kubectl's klog "command failed").

import type { Command } from 'commander';
import type { Program } from './root';
import { PrintedError } from './format-error';

/** klog's error line for a failed command (run.go:72), with its multi-line form. */
export function klogCommandFailed(message: string): string {
  const d = new Date();
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const head = `E${p(d.getMonth() + 1)}${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds() * 1000, 6)} ${String(process.pid).padStart(7)} run.go:72] "command failed"`;
  if (message.includes('\n')) return `${head} err=<\n${message.replace(/\n$/, '').split('\n').map((l) => '\t' + l).join('\n')}\n >\n`;
  return `${head} err=${JSON.stringify(message)}\n`;
}

export function register(program: Command, p: Program): void {
  program
    .command('kustomize')
    .description('Build a kustomization target from a directory or URL')
    .argument('[dir]')
    .argument('[extra...]')
    .action(
      p.action(async (ctx, dir: string | undefined, extra: string[]) => {
        if (extra.length > 0) throw new PrintedError(klogCommandFailed('specify one path to kustomization.yaml'));
        const { build, KustomizeError } = await import('../kustomize/build');
        try {
          const r = build(dir ?? '.', (w) => ctx.err(w));
          ctx.out(r.yaml);
        } catch (e) {
          if (e instanceof KustomizeError) throw new PrintedError(klogCommandFailed(e.message));
          throw e;
        }
      }),
    );
}
