// `kubesim cp SRC DEST`: copies between this machine and a simulated container's file
// system — what `exec` sees (mounted ConfigMaps, Secrets, the service account, /etc files)
// plus the container's writable layer, where copied-in files stay for later `exec` and `cp`
// (kept by the cluster: api.sim.containerFiles). kubectl's argument forms and messages.

import type { Command } from 'commander';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CliError } from '../api/errors';
import { goQuote } from '../util/go-format';
import type { ApiServer } from '../api/server';
import { objectPath } from '../api/resources';
import { checkedTarget, chooseContainer, podSubresourcePath, type ExecTarget } from '../exec/run-command';
import type { CliContext } from './context';
import type { Program } from './root';
import { kubectlHelp } from './kubectl-help';
import { readInputSync } from '../manifest/read-limited';
import { DEFAULT_LIMITS } from '../shell/limits';
import { OBJECT_MAX_BYTES } from '../store/file-store-files';

export interface CpFlags {
  container?: string;
  noPreserve?: boolean;
  retries?: string;
}

export interface FileSpec {
  namespace?: string;
  pod?: string;
  file: string;
}

/** kubectl's extractFileSpec: `[namespace/]pod:path`, or a local path. */
export function extractFileSpec(arg: string): FileSpec {
  const i = arg.indexOf(':');
  // a one-letter pod (`p:/tmp`) is a pod, not a drive: kubectl has no drive letters
  if (i < 0) return { file: arg };
  const bad = new CliError('filespec must match the canonical format: [[namespace/]pod:]file/path');
  if (i === 0) throw bad;
  const file = arg.slice(i + 1);
  const parts = arg.slice(0, i).split('/');
  if (parts.length === 1) return { pod: parts[0], file };
  if (parts.length === 2) return { namespace: parts[0], pod: parts[1], file };
  throw bad;
}

export class CpOptions {
  src!: FileSpec;
  dest!: FileSpec;
  container?: string;

  complete(args: string[], flags: CpFlags): void {
    // kubectl 1.32's Complete returns a plain error here: no usage hint
    if (args.length !== 2) throw new CliError('source and destination are required');
    this.src = extractFileSpec(args[0]);
    this.dest = extractFileSpec(args[1]);
    this.container = flags.container;
  }

  validate(): void {
    if (!this.src.file || !this.dest.file) throw new CliError('filepath can not be empty');
    if (this.src.pod && this.dest.pod) throw new CliError('one of src or dest must be a local file specification');
    if (!this.src.pod && !this.dest.pod) throw new CliError('one of src or dest must be a remote file specification');
  }

  async run(ctx: CliContext): Promise<number> {
    const api = await ctx.api();
    // copyToPod looks at the local file before any request
    if (!this.src.pod && !fs.existsSync(this.src.file)) throw new CliError(`${this.src.file} doesn't exist in local filesystem`);
    const remote = this.src.pod ? this.src : this.dest;
    // --as: each exec's GET of the pod, then its POST of pods/exec
    const check = await (await import('./impersonation')).requestCheck(ctx.flags, api);
    const podType = api.resolve('pods');
    const namespace = remote.namespace ?? ctx.namespace;
    await check('GET', objectPath(podType, namespace, remote.pod!));
    const pod = await api.get(podType, namespace, remote.pod!);
    const container = chooseContainer(pod, { container: this.container, verb: 'exec into', notice: (t) => ctx.err(t) });
    await check('POST', podSubresourcePath(api, pod, 'exec'));
    const target = checkedTarget(pod, container);
    return this.src.pod ? copyFrom(ctx, api, target, this.src.file, this.dest.file) : copyTo(api, target, this.src.file, this.dest.file);
  }
}

function normalize(p: string): string {
  return path.posix.normalize(p.startsWith('/') ? p : `/${p}`).replace(/(.)\/$/, '$1');
}

async function view(api: ApiServer, t: ExecTarget) {
  const { containerView } = await import('../exec/container-view');
  return containerView(api, t.pod, t.spec);
}

/** Out of the container: one file, or a directory's files under DEST. */
async function copyFrom(ctx: CliContext, api: ApiServer, t: ExecTarget, src: string, dest: string): Promise<number> {
  const v = await view(api, t);
  const from = normalize(src);
  // kubectl gives the remote tar its own stdout as stderr (TarPipe's ErrOut: o.Out)
  if (src.startsWith('/')) ctx.out(v.busybox ? "tar: removing leading '/' from member names\n" : "tar: Removing leading `/' from member names\n");
  const under = Object.keys(v.files).filter((f) => f.startsWith(from === '/' ? '/' : `${from}/`));
  if (from in v.files) {
    const out = fs.existsSync(dest) && fs.statSync(dest).isDirectory() ? path.join(dest, path.posix.basename(from)) : dest;
    fs.writeFileSync(out, v.files[from]);
    return 0;
  }
  if (!under.length) {
    ctx.out(`tar: ${from}: ${v.busybox ? 'No such file or directory' : 'Cannot stat: No such file or directory\ntar: Exiting with failure status due to previous errors'}\n`);
    // tar still ends its (empty) archive, and kubectl returns 0 once the archive ends,
    // before its goroutine sees the exec's failure (cp.go untarAll, TarPipe)
    return 0;
  }
  for (const f of under) {
    const out = path.join(dest, path.posix.relative(from, f));
    // kubectl's untarAll skips a name that leads out of DEST (a mount path with `..` in it)
    const rel = path.relative(dest, out);
    if (rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) {
      ctx.err(`warning: file ${goQuote(out)} is outside target destination, skipping\n`);
      continue;
    }
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, v.files[f]);
  }
  return 0;
}

/** Into the container's writable layer: a file, or a directory's files under DEST. */
async function copyTo(api: ApiServer, t: ExecTarget, src: string, dest: string): Promise<number> {
  const v = await view(api, t);
  let to = normalize(dest);
  const isDir = (p: string) => Object.keys(v.files).some((f) => f.startsWith(`${p}/`)) || ['/', '/tmp', '/etc', '/root', '/home', '/var', '/usr', '/bin', '/run'].includes(p);
  const add: Record<string, string> = {};
  // The writable layer holds what a script may write (16 MiB): /dev/zero or a FIFO must not
  // hang cp, nor a 100 MB file become a record its readers refuse as damaged.
  let room = DEFAULT_LIMITS.maxFiles;
  const read = (file: string) => {
    const text = readInputSync(file, room).toString('utf8');
    room -= text.length;
    return text;
  };
  if (fs.statSync(src).isDirectory()) {
    if (isDir(to)) to = path.posix.join(to, path.basename(path.resolve(src)));
    const walk = (dir: string, rel: string) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        if (e.isDirectory()) walk(path.join(dir, e.name), path.posix.join(rel, e.name));
        else if (e.isFile()) add[path.posix.join(to, rel, e.name)] = read(path.join(dir, e.name));
      }
    };
    walk(src, '');
  } else {
    if (dest.endsWith('/') || isDir(to)) to = path.posix.join(to, path.basename(src));
    add[to] = read(src);
  }
  const uid = t.pod.metadata.uid!;
  await api.sim.atomically(async () => {
    const next = { ...(await api.sim.containerFiles(uid, t.name)), ...add };
    // the record as stored (JSON: a NUL byte takes 6), which its readers take up to OBJECT_MAX_BYTES
    if (Buffer.byteLength(JSON.stringify(next)) > OBJECT_MAX_BYTES) throw new CliError(`cannot copy ${goQuote(src)}: the container's files would be larger than ${OBJECT_MAX_BYTES >> 20} MiB, the simulated container's limit`);
    await api.sim.setContainerFiles(uid, t.name, next);
  });
  return 0;
}

/** kubectl cp's Long, as cobra prints it. */
const CP_LONG = `Copy files and directories to and from containers.`;

const CP_EXAMPLE = `  # !!!Important Note!!!
  # Requires that the 'tar' binary is present in your container
  # image.  If 'tar' is not present, 'kubectl cp' will fail.
  #
  # For advanced use cases, such as symlinks, wildcard expansion or
  # file mode preservation, consider using 'kubectl exec'.
  
  # Copy /tmp/foo local file to /tmp/bar in a remote pod in namespace <some-namespace>
  tar cf - /tmp/foo | kubectl exec -i -n <some-namespace> <some-pod> -- tar xf - -C /tmp/bar
  
  # Copy /tmp/foo from a remote pod to /tmp/bar locally
  kubectl exec -n <some-namespace> <some-pod> -- tar cf - /tmp/foo | tar xf - -C /tmp/bar
  
  # Copy /tmp/foo_dir local directory to /tmp/bar_dir in a remote pod in the default namespace
  kubectl cp /tmp/foo_dir <some-pod>:/tmp/bar_dir
  
  # Copy /tmp/foo local file to /tmp/bar in a remote pod in a specific container
  kubectl cp /tmp/foo <some-pod>:/tmp/bar -c <specific-container>
  
  # Copy /tmp/foo local file to /tmp/bar in a remote pod in namespace <some-namespace>
  kubectl cp /tmp/foo <some-namespace>/<some-pod>:/tmp/bar
  
  # Copy /tmp/foo from a remote pod to /tmp/bar locally
  kubectl cp <some-namespace>/<some-pod>:/tmp/foo /tmp/bar`;

export function register(program: Command, p: Program): void {
  const cmd = program
    .command('cp')
    .description('Copy files and directories to and from containers')
    .usage('<file-spec-src> <file-spec-dest> [options]')
    .argument('[args...]')
    .option('-c, --container <name>', 'Container name. If omitted, use the kubectl.kubernetes.io/default-container annotation for selecting the container to be attached or the first container in the pod will be chosen')
    .option('--no-preserve', "The copied file/directory's ownership and permissions will not be preserved in the container")
    .option('--retries <n>', 'Set number of retries to complete a copy operation from a container. Specify 0 to disable or any negative value for infinite retrying. The default is 0 (no retry).');
  kubectlHelp(cmd, p.name, { long: CP_LONG, example: CP_EXAMPLE, use: `cp ${cmd.usage()}` }, { 'no-preserve': 'false', retries: '0' })
    .action(
      p.action((ctx, args: string[], flags: CpFlags) => {
        const o = new CpOptions();
        o.complete(args, flags);
        o.validate();
        return o.run(ctx);
      }),
    );
}
