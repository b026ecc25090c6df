// `kubesim exec POD -- CMD...` through the simulated shell: a program run directly
// (`-- env`, `-- cat FILE`) or a shell (`-- sh -c '...'`, `-i -- sh` reading stdin),
// against what the container sees (src/exec/container-view.ts).

import type { ContainerView } from '../exec/container-view';
import type { NetRequest, NetResponse } from './interp';
import { InteractiveShell, incomplete, type ShellOutput } from './interactive';
import { runShellAsync, type AsyncShellOptions } from './run';

export interface ExecResult {
  stdout: string;
  stderr: string;
  code: number;
  /** Files the command created or changed, and the ones it removed (for the container's writable layer). */
  written?: Record<string, string>;
  removed?: string[];
  /** stdout and stderr in the order written (a warning before the data, as a real process streams it). */
  order?: Array<{ stream: 'stdout' | 'stderr'; text: string }>;
  /** With a stdin still open: the command waits on more of it (what it wrote until then; no status yet). */
  blocked?: boolean;
}

const SHELLS = ['sh', 'ash', 'dash', 'bash'];
/** Programs the simulated images have (everything else is "executable file not found"). */
const PROGRAMS = new Set([
  'echo', 'printf', 'env', 'printenv', 'hostname', 'cat', 'ls', 'pwd', 'whoami', 'id', 'date', 'true', 'false', 'test', '[',
  'grep', 'egrep', 'fgrep', 'sed', 'head', 'tail', 'wc', 'sort', 'uniq', 'cut', 'tr', 'seq', 'tee', 'basename', 'dirname', 'uname', 'sleep',
  'touch', 'rm', 'mkdir', 'rmdir', 'cp', 'mv', 'base64', 'rev', 'nproc', 'wget', 'nc', 'which', 'tar',
]);

function q(a: string): string {
  return `'${a.replace(/'/g, `'\\''`)}'`;
}

/**
 * Runs `argv` in the container. With `stdinOpen`, `stdin` is what arrived so far of an input
 * still open: a read past it waits (the result is `blocked`), and the caller runs the command
 * again with more; it is deterministic, so a run writes what the shorter one wrote, then more.
 */
export async function execInContainer(argv: string[], view: ContainerView, stdin = '', net?: (req: NetRequest) => Promise<NetResponse>, stdinOpen = false): Promise<ExecResult> {
  const [cmd, ...args] = argv;
  const name = cmd.split('/').pop()!;
  const isShell = SHELLS.includes(name) && !(name === 'bash' && view.busybox);
  if (!isShell && !PROGRAMS.has(name)) {
    // runc's error when the binary is missing: exit 126 through kubectl
    return { stdout: `OCI runtime exec failed: exec failed: unable to start container process: exec: "${cmd}": executable file not found in $PATH: unknown\n`, stderr: '', code: 126 };
  }
  let script: string;
  let shName = 'sh';
  let positional: string[] = [];
  if (isShell) {
    shName = name === 'bash' ? 'bash' : 'sh';
    const ci = args.findIndex((a) => /^-[a-z]*c[a-z]*$/.test(a));
    if (ci >= 0) {
      if (args[ci + 1] === undefined) {
        return { stdout: '', stderr: view.busybox ? 'sh: -c requires an argument\n' : shName === 'bash' ? 'bash: -c: option requires an argument\n' : 'sh: 0: -c requires an argument\n', code: 2 };
      }
      script = args[ci + 1];
      if (args[ci + 2] !== undefined) shName = args[ci + 2];
      positional = args.slice(ci + 3);
    } else script = stdinOpen ? completeCommands(stdin) : stdin;
  } else script = argv.map(q).join(' ');
  const readsScript = isShell && !args.some((a) => /^-[a-z]*c[a-z]*$/.test(a));
  const r = await runShellAsync(script, {
    ...shellOptions(view, shName, net),
    stdin: readsScript ? '' : stdin,
    stdinOpen: stdinOpen && !readsScript,
    args: positional,
  });
  // a shell reading its commands from the open input waits for the next one, unless it exited
  const blocked = r.blocked || (stdinOpen && readsScript && !r.exited);
  return { stdout: r.stdout, stderr: r.stderr, code: r.code, ...changedFiles(view, r.files), order: r.order, blocked };
}

/** The commands of a script still arriving that are complete: its complete lines, without a command they leave open. */
function completeCommands(text: string): string {
  // a command left open for many lines runs once the input ends (each try parses the text)
  let tries = 64;
  for (let end = text.lastIndexOf('\n'); end >= 0 && tries-- > 0; end = text.lastIndexOf('\n', end - 1)) {
    const src = text.slice(0, end + 1);
    if (!incomplete(src)) return src;
  }
  return '';
}

/** The shell's options for a container: its flavour, environment, identity and files. */
function shellOptions(view: ContainerView, name: string, net?: (req: NetRequest) => Promise<NetResponse>): AsyncShellOptions {
  return {
    flavor: view.busybox ? 'busybox' : 'debian',
    env: view.env,
    hostname: view.hostname,
    uid: view.uid,
    gid: view.gid,
    cwd: '/',
    vfs: { files: view.files, atomicDirs: view.atomicDirs, mtimeMs: view.startedMs },
    startMs: view.nowMs,
    name,
    net,
  };
}

/** What a command changed in the container's files: written or changed, and removed. */
export function changedFiles(view: ContainerView, files: ReadonlyMap<string, string>): { written: Record<string, string>; removed: string[] } {
  const written: Record<string, string> = {};
  for (const [p, content] of files) if (view.files[p] !== content) written[p] = content;
  return { written, removed: Object.keys(view.files).filter((p) => !files.has(p)) };
}

/**
 * The shell `argv` starts when it reads commands from its stdin (`sh`, `/bin/bash`, not
 * `sh -c ...`): its name, or undefined for any other command.
 */
export function interactiveShellName(argv: string[], view: Pick<ContainerView, 'busybox'>): 'sh' | 'bash' | undefined {
  const name = argv[0]?.split('/').pop() ?? '';
  if (!SHELLS.includes(name) || (name === 'bash' && view.busybox)) return undefined;
  if (argv.slice(1).some((a) => /^-[a-z]*c[a-z]*$/.test(a))) return undefined;
  return name === 'bash' ? 'bash' : 'sh';
}

/** An interactive session of the container's shell (see interactive.ts). */
export function openInteractiveShell(name: 'sh' | 'bash', view: ContainerView, output: ShellOutput, net?: (req: NetRequest) => Promise<NetResponse>): InteractiveShell {
  return new InteractiveShell(shellOptions(view, name, net), output);
}
