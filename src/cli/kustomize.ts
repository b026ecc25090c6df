// `kubesim kustomize DIR`: kustomize's build of a directory, as `kubectl kustomize` prints it
// (warnings on stderr as kustomize writes them; a failure as kubectl's klog "command failed").

import type { Command } from 'commander';
import type { Program } from './root';
import { PrintedError } from './format-error';
import { collect } from './flags/collect';
import { kubectlHelp } from './kubectl-help';

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
  enableHelm?: boolean;
  helmCommand?: string;
  enableAlphaPlugins?: boolean;
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
    const r = build(args[0] ?? '.', (w) => (stderr += w), { loadRestrictor: restrictor as 'LoadRestrictionsNone', enableHelm: flags.enableHelm, helmCommand: flags.helmCommand, enableAlphaPlugins: flags.enableAlphaPlugins });
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

const KUSTOMIZE_LONG = "Build a set of KRM resources using a 'kustomization.yaml' file. The DIR argument must be a path to a directory containing 'kustomization.yaml', or a git repository URL with a path suffix specifying same with respect to the repository root. If DIR is omitted, '.' is assumed.";

const KUSTOMIZE_EXAMPLE = `  # Build the current working directory
  kubectl kustomize
  
  # Build some shared configuration directory
  kubectl kustomize /home/config/production
  
  # Build from github
  kubectl kustomize https://github.com/kubernetes-sigs/kustomize.git/examples/helloWorld?ref=v1.0.6`;

export function register(program: Command, p: Program): void {
  const cmd = program
    .command('kustomize')
    .description('Build a kustomization target from a directory or URL')
    .argument('[dir]')
    .argument('[extra...]')
    // kustomize's build flags: the function ones (--env, --mount, --network...) only matter to
    // container plugins, which need --enable-alpha-plugins (plugins.ts says what kubesim does then).
    .option('--as-current-user', 'use the uid and gid of the command executor to run the function in the container')
    .option('--enable-alpha-plugins', 'enable kustomize plugins')
    .option('--enable-helm', 'Enable use of the Helm chart inflator generator.')
    .option('-e, --env <env>', 'a list of environment variables to be used by functions', collect, [])
    .option('--helm-api-versions <versions>', 'Kubernetes api versions used by Helm for Capabilities.APIVersions', collect, [])
    .option('--helm-command <command>', 'helm command (path to executable)', 'helm')
    .option('--helm-debug', 'Enable debug output from the Helm chart inflator generator.')
    .option('--helm-kube-version <version>', 'Kubernetes version used by Helm for Capabilities.KubeVersion')
    .option('--load-restrictor <restrictor>', "if set to 'LoadRestrictionsNone', local kustomizations may load files from outside their root. This does, however, break the relocatability of the kustomization.", 'LoadRestrictionsRootOnly')
    .option('--mount <mount>', 'a list of storage options read from the filesystem', collect, [])
    .option('--network', 'enable network access for functions that declare it')
    .option('--network-name <name>', 'the docker network to run the container in', 'bridge')
    .option('-o, --output <path>', 'If specified, write output to this path.');
  kubectlHelp(cmd, p.name, { long: KUSTOMIZE_LONG, example: KUSTOMIZE_EXAMPLE, use: 'kustomize DIR [flags]' }, { 'helm-kube-version': "''", output: "''" }).action(
    p.action(async (ctx, dir: string | undefined, extra: string[], flags: KustomizeFlags) => {
      const r = await runKustomize([...(dir === undefined ? [] : [dir]), ...extra], flags);
      ctx.out(r.stdout);
      if (r.code !== 0) throw new PrintedError(r.stderr, r.code);
      ctx.err(r.stderr);
    }),
  );
}
