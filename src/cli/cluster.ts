// `kubesim cluster create|list|delete|start|stop|status|fsck`: the simulated clusters (each one
// is a context) and their reconcile daemons.

import * as fs from 'node:fs';
import { readInputSync } from '../manifest/read-limited';
import type { Command } from 'commander';
import { CliError } from '../api/errors';
import { readConfig, writeConfig, clusterDir, DEFAULT_CLUSTER, type CliContext } from './context';
import type { Program } from './root';
import { tabwrite, GET_TABLE } from '../printers/tabwriter';
import { humanDuration } from '../printers/duration';

interface CreateFlags {
  nodes?: string;
  nodeCpu?: string;
  nodeMemory?: string;
  nodePods?: string;
  config?: string;
  noSwitch?: boolean;
  store?: string;
  port?: string;
}

export function register(program: Command, p: Program): void {
  const cluster = program.command('cluster').description('Create, list, delete, start and stop simulated clusters');

  cluster
    .command('create')
    .description('Create a simulated cluster (and make it the current context)')
    .argument('[name]', 'cluster name', DEFAULT_CLUSTER)
    .option('--nodes <n>', 'number of nodes', '3')
    .option('--node-cpu <quantity>', 'CPU capacity of each node', '4')
    .option('--node-memory <quantity>', 'memory capacity of each node', '8Gi')
    .option('--node-pods <n>', 'pod capacity of each node', '110')
    .option('--config <file>', 'a cluster profile (YAML): nodes, timings, failing images')
    .option('--no-switch', 'do not make the new cluster the current context')
    .option('--store <url>', 'keep the cluster in this store instead of its directory: etcd://HOST:PORT[,HOST:PORT...]')
    .option('--port <n>', 'port on 127.0.0.1 for its Kubernetes API (default: a free port)')
    .addHelpText('after', `
Examples:
  kubesim cluster create                       # 3 nodes of 4 CPUs and 8Gi
  kubesim cluster create small --nodes 2 --node-cpu 1 --node-memory 2Gi
  kubesim cluster create lab --config cluster.yaml
  kubesim cluster create shared --store etcd://10.0.0.1:2379,10.0.0.2:2379,10.0.0.3:2379`)
    .action(
      p.action(async (ctx, name: string, flags: CreateFlags & { switch?: boolean }) => {
        const dir = clusterDir(ctx.home, name);
        if (fs.existsSync(`${dir}/registry`)) throw new CliError(`cluster "${name}" already exists`);
        const { defaultProfile } = await import('../sim/profile');
        const { isQuantity, QUANTITY_FORMAT_ERROR } = await import('../api/quantity');
        let profile;
        if (flags.config) {
          let text: string;
          try {
            text = readInputSync(flags.config, 1024 * 1024).toString('utf8');
          } catch {
            throw new CliError(`the path "${flags.config}" does not exist`);
          }
          const loaded = await (await import('../sim/profile-file')).loadProfileFile(flags.config, text, name);
          profile = loaded.profile;
          flags.store ??= loaded.store; // --store wins over the profile's
        } else {
          const nodes = Number(flags.nodes);
          const pods = Number(flags.nodePods);
          if (!/^\d+$/.test(String(flags.nodes)) || !Number.isInteger(nodes) || nodes < 0) throw new CliError(`invalid --nodes "${flags.nodes}": must be a whole number >= 0`);
          // Kubernetes supports clusters of up to 5,000 nodes.
          if (nodes > 5000) throw new CliError(`invalid --nodes "${flags.nodes}": at most 5000 nodes (the largest cluster Kubernetes supports)`);
          if (!Number.isInteger(pods) || pods < 1) throw new CliError(`invalid --node-pods "${flags.nodePods}"`);
          for (const [flag, v] of [['--node-cpu', flags.nodeCpu], ['--node-memory', flags.nodeMemory]] as const) {
            if (!isQuantity(v!)) throw new CliError(`invalid ${flag} "${v}": ${QUANTITY_FORMAT_ERROR}`);
          }
          profile = defaultProfile(name, { nodes, cpu: flags.nodeCpu, memory: flags.nodeMemory, pods });
        }
        let port: number | undefined;
        if (flags.port !== undefined) {
          port = Number(flags.port);
          if (!/^\d+$/.test(flags.port) || port < 1 || port > 65535) throw new CliError(`invalid --port "${flags.port}": must be a port number between 1 and 65535`);
        }
        let attached = false;
        if (flags.store) attached = await useStore(dir, flags.store);
        if (!attached) {
          const { createCluster } = await import('../cluster/cluster');
          try {
            await createCluster(ctx.home, name, profile);
          } catch (e) {
            if (flags.store) fs.rmSync(dir, { recursive: true, force: true });
            throw e;
          }
        }
        // Its API server's address and credentials go into the user's kubeconfig, as kind does.
        const { writeClusterKubeconfig } = await import('../kubeconfig/cluster-entry');
        const kubeconfigNote = await writeClusterKubeconfig(name, dir, { port, makeCurrent: flags.switch !== false });
        if (kubeconfigNote) ctx.err(kubeconfigNote);
        if (flags.switch !== false) {
          const c = readConfig(ctx.home);
          c.currentContext = name;
          writeConfig(ctx.home, c);
        }
        if (attached) {
          ctx.out(`cluster "${name}" attached to the cluster state already in ${flags.store}${flags.switch !== false ? `; current context is now "${name}"` : ''}\n`);
          return;
        }
        ctx.out(`cluster "${name}" created with ${profile.nodes.length} node${profile.nodes.length === 1 ? '' : 's'}${flags.switch !== false ? `; current context is now "${name}"` : ''}\n`);
      }),
    );

  cluster
    .command('list')
    .description('List clusters')
    .action(
      p.action(async (ctx) => {
        const { listClusters } = await import('../cluster/cluster');
        const { runningDaemonPid } = await import('../daemon/control');
        const current = ctx.clusterName;
        const rows = ['CURRENT\tNAME\tNODES\tDAEMON'];
        for (const n of listClusters(ctx.home)) {
          const nodes = countFiles(`${clusterDir(ctx.home, n)}/registry/nodes`);
          const pid = runningDaemonPid(clusterDir(ctx.home, n));
          rows.push(`${n === current ? '*' : ''}\t${n}\t${nodes}\t${pid ? `running (pid ${pid})` : 'stopped'}`);
        }
        if (rows.length === 1) {
          ctx.err('No clusters found. Create one with: kubesim cluster create\n');
          return;
        }
        ctx.out(tabwrite(rows.join('\n') + '\n', GET_TABLE));
      }),
    );

  cluster
    .command('delete')
    .description('Delete a cluster and everything in it (stops its daemon)')
    .argument('<name>')
    .action(
      p.action(async (ctx, name: string) => {
        clusterDir(ctx.home, name);
        const { deleteCluster } = await import('../cluster/cluster');
        if (!(await deleteCluster(ctx.home, name))) throw new CliError(`cluster "${name}" not found`);
        const { removeClusterKubeconfig } = await import('../kubeconfig/cluster-entry');
        await removeClusterKubeconfig(name);
        const c = readConfig(ctx.home);
        delete c.contexts[name];
        if (c.currentContext === name) delete c.currentContext;
        writeConfig(ctx.home, c);
        ctx.out(`cluster "${name}" deleted\n`);
      }),
    );

  cluster
    .command('start')
    .description("Start the cluster's reconcile daemon")
    .argument('[name]')
    .action(
      p.action(async (ctx, name: string | undefined) => {
        const dir = target(ctx, name);
        const { ensureDaemon } = await import('../daemon/control');
        const pid = await ensureDaemon(dir, { env: { ...process.env, KUBESIM_NO_DAEMON: '' } });
        if (!pid) throw new CliError(`the daemon did not start: see ${dir}/daemon.log`);
        ctx.out(`daemon running (pid ${pid})\n`);
      }),
    );

  cluster
    .command('stop')
    .description("Stop the cluster's reconcile daemon and every API server (kubesim serve) serving it")
    .argument('[name]')
    .action(
      p.action(async (ctx, name: string | undefined) => {
        const dir = target(ctx, name);
        const { stopCluster } = await import('../daemon/control');
        const r = await stopCluster(dir);
        let out = r.daemon !== undefined ? 'daemon stopped\n' : r.servers.length ? '' : 'daemon was not running\n';
        for (const s of r.servers) out += `API server${s.url ? ' at ' + s.url : ''} (pid ${s.pid}) stopped\n`;
        ctx.out(out);
      }),
    );

  registerFsck(cluster, p);

  cluster
    .command('status')
    .description("Show the cluster's daemon: pid, uptime, loop lag, last error")
    .argument('[name]')
    .action(
      p.action(async (ctx, name: string | undefined) => {
        const dir = target(ctx, name);
        const { daemonStatus } = await import('../daemon/control');
        const { openClusterApi } = await import('../api/open');
        const { defaultRng } = await import('../sim/rng');
        const { clusterStoreUrl } = await import('../cluster/store-url');
        const url = clusterStoreUrl(dir);
        const { api } = await openClusterApi(url, defaultRng()).catch((e: unknown) => notFound(e, name ?? ctx.clusterName));
        const s = daemonStatus(dir, Date.now(), await api.sim.daemonStatus());
        const nodes = url.startsWith('file://') ? String(countFiles(`${dir}/registry/nodes`)) : await countNodesIn(url);
        const lines = [`Cluster:\t${name ?? ctx.clusterName}`, `Directory:\t${dir}`, `Nodes:\t${nodes}`];
        if (s.running) {
          lines.push(`Daemon:\trunning (pid ${s.pid})`);
          if (s.uptimeMs !== undefined) lines.push(`Uptime:\t${humanDuration(s.uptimeMs)}`);
          if (s.loopLagMs !== undefined) lines.push(`Loop lag:\t${s.loopLagMs}ms`);
          if (s.reconciles !== undefined) lines.push(`Reconciles:\t${s.reconciles}`);
        } else lines.push('Daemon:\tstopped');
        lines.push(`Last error:\t${s.lastError ?? '<none>'}`);
        lines.push(`Store:\t${url}`);
        ctx.out(tabwrite(lines.join('\n') + '\n', { minWidth: 0, padding: 2 }));
        if (url.startsWith('etcd://')) ctx.out(await (await import('../store/etcd-status')).etcdStatusForUrl(url));
      }),
    );
}

/**
 * Records that the new cluster lives in the store at `url` (etcd). When that store already
 * holds a cluster (another machine created it), the new context attaches to it: true.
 */
async function useStore(dir: string, url: string): Promise<boolean> {
  if (!/^etcd:\/\//.test(url)) throw new CliError(`invalid --store "${url}": expected etcd://HOST:PORT[,HOST:PORT...] (clusters on files need no --store)`);
  const { openStore } = await import('../store/registry');
  let existing: unknown;
  const store = await openStore(url);
  try {
    existing = await store.readMeta('profile');
  } finally {
    await store.close();
  }
  const { recordClusterStoreUrl } = await import('../cluster/store-url');
  recordClusterStoreUrl(dir, url);
  if (!existing) return false;
  // the directory stands for the cluster locally (daemon files); the state is in the store
  fs.mkdirSync(`${dir}/registry`, { recursive: true, mode: 0o700 });
  return true;
}

function registerFsck(cluster: Command, p: Program): void {
  cluster
    .command('fsck')
    .description("Check the cluster's state directory for damage; --repair fixes what it finds")
    .argument('[name]')
    .option('--repair', 'repair what is found (damaged object files are kept in lost+found/)')
    .action(
      p.action(async (ctx, name: string | undefined, flags: { repair?: boolean }) => {
        const dir = target(ctx, name);
        const { fsck } = await import('../store/fsck');
        let r: ReturnType<typeof fsck>;
        try {
          r = fsck(dir, Boolean(flags.repair));
        } catch (e) {
          return notFound(e, name ?? ctx.clusterName);
        }
        for (const pr of r.problems) ctx.out(`${pr.path}: ${pr.problem}${pr.repaired ? ` (repaired: ${pr.repaired})` : ''}\n`);
        const left = r.problems.filter((pr) => !pr.repaired).length;
        ctx.out(`${r.objects} objects checked, ${r.problems.length} problem(s) found${flags.repair ? `, ${r.problems.length - left} repaired` : ''}\n`);
        if (left) throw new CliError(flags.repair ? `${left} problem(s) could not be repaired` : 'run "kubesim cluster fsck --repair" to repair them');
      }),
    );
}

/** A cluster found by target() but deleted before its store was opened: the same error. */
async function notFound(e: unknown, name: string): Promise<never> {
  const { StoreNotFoundError } = await import('../api/open');
  throw e instanceof StoreNotFoundError ? new CliError(`cluster "${name}" not found`) : e;
}

function target(ctx: CliContext, name: string | undefined): string {
  const dir = clusterDir(ctx.home, name ?? ctx.clusterName);
  if (!fs.existsSync(`${dir}/registry`)) throw new CliError(`cluster "${name ?? ctx.clusterName}" not found`);
  return dir;
}

/** Nodes of a cluster kept in another store (etcd); the report goes on when it does not answer. */
async function countNodesIn(url: string): Promise<string> {
  try {
    const { openStore } = await import('../store/registry');
    const store = await openStore(url);
    try {
      return String((await store.list('nodes')).items.length);
    } finally {
      await store.close();
    }
  } catch (e) {
    return `<unknown: ${(e as Error).message}>`;
  }
}

function countFiles(dir: string): number {
  try {
    return fs.readdirSync(dir).filter((f) => !f.startsWith('.')).length;
  } catch {
    return 0;
  }
}
