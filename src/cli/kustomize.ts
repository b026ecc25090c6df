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

export interface KustomizeRun {
  stdout: string;
  stderr: string;
  code: number;
}

/** The whole of `kubectl kustomize [DIR]`: what it prints and its exit code. */
export interface KustomizeFlags {
  loadRestrictor?: string;
  output?: string;
}

const RESTRICTORS = ['LoadRestrictionsRootOnly', 'LoadRestrictionsNone'];

export async function runKustomize(args: string[], flags: KustomizeFlags = {}): Promise<KustomizeRun> {
  if (args.length > 1) return { stdout: '', stderr: klogCommandFailed('specify one path to kustomization.yaml'), code: 1 };
  const restrictor = flags.loadRestrictor ?? 'LoadRestrictionsRootOnly';
  if (!RESTRICTORS.includes(restrictor)) {
    return { stdout: '', stderr: klogCommandFailed(`illegal flag value --load-restrictor ${restrictor}; legal values: [${RESTRICTORS.join(' ')}]`), code: 1 };
  }
  const { build, KustomizeError } = await import('../kustomize/build');
  let stderr = '';
  try {
    const r = build(args[0] ?? '.', (w) => (stderr += w), { loadRestrictor: restrictor as 'LoadRestrictionsNone' });
    if (flags.output) {
      const { writeFileSync } = await import('node:fs');
      try {
        writeFileSync(flags.output, r.yaml);
      } catch (e) {
        const err = e as NodeJS.ErrnoException;
        const why = err.code === 'EISDIR' ? 'is a directory' : err.code === 'ENOENT' ? 'no such file or directory' : err.code === 'EACCES' ? 'permission denied' : err.message;
        return { stdout: '', stderr: stderr + klogCommandFailed(`open ${flags.output}: ${why}`), code: 1 };
      }
      return { stdout: '', stderr, code: 0 };
    }
    return { stdout: r.yaml, stderr, code: 0 };
  } catch (e) {
    if (e instanceof KustomizeError) return { stdout: '', stderr: stderr + klogCommandFailed(e.message), code: 1 };
    throw e;
  }
}

export function register(program: Command, p: Program): void {
  program
    .command('kustomize')
    .description('Build a kustomization target from a directory or URL')
    .argument('[dir]')
    .argument('[extra...]')
    .option('--load-restrictor <restrictor>', 'if set to \'LoadRestrictionsNone\', local kustomizations may load files from outside their root. This does, however, break the relocatability of the kustomization.', 'LoadRestrictionsRootOnly')
    .option('-o, --output <path>', 'If specified, write output to this path.')
    .action(
      p.action(async (ctx, dir: string | undefined, extra: string[], flags: KustomizeFlags) => {
        const r = await runKustomize([...(dir === undefined ? [] : [dir]), ...extra], flags);
        ctx.out(r.stdout);
        if (r.code !== 0) throw new PrintedError(r.stderr, r.code);
        ctx.err(r.stderr);
      }),
    );
}
