// `kubesim image load|ls|policy`: images on the simulated nodes, as `kind load docker-image`
// puts locally built images on kind's nodes. A loaded image is present: with pull policy
// IfNotPresent (or Never) its pods start without a pull. `policy` decides what happens to
// images the simulated registry's catalog does not know (private registries): `pull` (the
// default) pulls them, `fail` fails them as a registry without credentials would.

import type { Command } from 'commander';
import type { Program } from './root';
import type { CliContext } from './context';
import { CliError } from '../api/errors';

async function nodeNames(ctx: CliContext, only: string | undefined): Promise<{ api: Awaited<ReturnType<CliContext['api']>>; nodes: string[] }> {
  const api = await ctx.api();
  const all = (await api.list(api.registry.forKind('v1', 'Node'), {})).items.map((n) => n.metadata.name!);
  if (!only) return { api, nodes: all };
  const wanted = only.split(',').map((s) => s.trim()).filter(Boolean);
  for (const n of wanted) if (!all.includes(n)) throw new CliError(`error: unknown node "${n}"`);
  return { api, nodes: wanted };
}

export function register(program: Command, p: Program): void {
  const image = program.command('image').description("Images on the simulated nodes (load local images, list them, the policy for images the registry does not know)");
  image
    .command('load')
    .description('Put images on the nodes, as `kind load docker-image` does: pods using them start without a pull (pull policy IfNotPresent or Never)')
    .argument('<image...>')
    .option('--nodes <n1,n2>', 'Only these nodes (default: all)')
    .action(
      p.action(async (ctx, images: string[], flags: { nodes?: string }) => {
        const { parseImage } = await import('../kubelet/images');
        const { markImagePresent } = await import('../kubelet/runtime-state');
        const refs = images.map((i) => {
          const r = parseImage(i);
          if (!r) throw new CliError(`error: invalid reference format: "${i}"`);
          return r;
        });
        const { api, nodes } = await nodeNames(ctx, flags.nodes);
        for (const r of refs) {
          for (const n of nodes) await markImagePresent(api, n, r.full);
          ctx.out(`Image: "${r.full}" loaded on ${nodes.length === 1 ? `node "${nodes[0]}"` : `${nodes.length} nodes`}\n`);
        }
      }),
    );
  image
    .command('ls')
    .description('List the images present on each node')
    .option('--nodes <n1,n2>', 'Only these nodes (default: all)')
    .action(
      p.action(async (ctx, flags: { nodes?: string }) => {
        const { imagesOnNode } = await import('../kubelet/runtime-state');
        const { api, nodes } = await nodeNames(ctx, flags.nodes);
        const rows: string[][] = [['NODE', 'IMAGE']];
        for (const n of nodes) for (const i of await imagesOnNode(api, n)) rows.push([n, i]);
        const w = Math.max(...rows.map((r) => r[0].length)) + 3;
        ctx.out(rows.map((r) => r[0].padEnd(w) + r[1]).join('\n') + '\n');
      }),
    );
  image
    .command('policy')
    .description('Show or set what happens to images the simulated registry does not know: pull (default) or fail')
    .argument('[policy]')
    .action(
      p.action(async (ctx, policy: string | undefined) => {
        const api = await ctx.api();
        const { imagePolicyOverride, setImagePolicy } = await import('../kubelet/runtime-state');
        if (policy === undefined) {
          const profile = await api.sim.profile<{ images?: { unknown?: 'pull' | 'fail' } }>();
          ctx.out(`${(await imagePolicyOverride(api)) ?? profile?.images?.unknown ?? 'pull'}\n`);
          return;
        }
        if (policy !== 'pull' && policy !== 'fail') throw new CliError(`error: policy must be "pull" or "fail", not "${policy}"`);
        await setImagePolicy(api, policy);
        ctx.out(`unknown images: ${policy}\n`);
      }),
    );
}
