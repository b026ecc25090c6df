// `kubesim node stop|start|add|remove`: simulated node failures and cluster resizing.

import type { Command } from 'commander';
import type { Program } from './root';
import type { CliContext } from './context';
import { defaultProfile, type ClusterProfile } from '../sim/profile';

async function cluster(ctx: CliContext) {
  const api = await ctx.api();
  const profile = (await api.sim.profile<ClusterProfile>()) ?? defaultProfile(ctx.clusterName);
  return { api, profile };
}

export function register(program: Command, p: Program): void {
  const node = program.command('node').description('Simulate node failures and add or remove nodes');
  node
    .command('stop')
    .description('Power a node off: its kubelet stops heart-beating (NotReady after 50s, pods evicted after 5m)')
    .argument('<name>')
    .action(
      p.action(async (ctx, name: string) => {
        const { stopNode } = await import('../cluster/cluster');
        await stopNode(await cluster(ctx), name);
        ctx.out(`node/${name} stopped\n`);
      }),
    );
  node
    .command('start')
    .description('Power a stopped node back on')
    .argument('<name>')
    .action(
      p.action(async (ctx, name: string) => {
        const { startNode } = await import('../cluster/cluster');
        await startNode(await cluster(ctx), name);
        ctx.out(`node/${name} started\n`);
      }),
    );
  node
    .command('add')
    .description('Add a node (sized like the first one unless told otherwise)')
    .argument('[name]')
    .option('--cpu <quantity>')
    .option('--memory <quantity>')
    .option('--pods <n>')
    .action(
      p.action(async (ctx, name: string | undefined, flags: { cpu?: string; memory?: string; pods?: string }) => {
        const { addNode } = await import('../cluster/cluster');
        const n = await addNode(await cluster(ctx), { name, cpu: flags.cpu, memory: flags.memory, pods: flags.pods ? Number(flags.pods) : undefined });
        ctx.out(`node/${n.metadata.name} added\n`);
      }),
    );
  node
    .command('remove')
    .description('Remove a node (its pods go with it)')
    .argument('<name>')
    .action(
      p.action(async (ctx, name: string) => {
        const { removeNode } = await import('../cluster/cluster');
        await removeNode(await cluster(ctx), name);
        ctx.out(`node/${name} removed\n`);
      }),
    );
}
