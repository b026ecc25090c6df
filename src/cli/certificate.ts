// `certificate approve|deny`: adds the Approved or Denied condition to CertificateSigningRequests
// through their status (kubectl's UpdateApproval), with kubectl's reasons and messages;
// a request that already carries the opposite decision is an error.

import type { Command } from 'commander';
import { groupHelp } from './kubectl-help';
import { CliError } from '../api/errors';
import type { KObject } from '../api/types';
import type { CliContext } from './context';
import type { Program } from './root';
import { collect } from './flags/collect';
import { mutationPrinter } from './flags/mutation-output';
import { printFlagOptions, type PrintFlagValues } from './flags/print-flags';

interface CertFlags extends PrintFlagValues {
  filename: string[];
  force?: boolean;
}

const DECISIONS = {
  approve: { type: 'Approved', opposite: 'Denied', reason: 'KubectlApprove', message: 'This CSR was approved by kubectl certificate approve.', operation: 'approved' },
  deny: { type: 'Denied', opposite: 'Approved', reason: 'KubectlDeny', message: 'This CSR was denied by kubectl certificate deny.', operation: 'denied' },
} as const;

async function decide(ctx: CliContext, verb: keyof typeof DECISIONS, names: string[], flags: CertFlags): Promise<void> {
  const d = DECISIONS[verb];
  if (names.length === 0 && flags.filename.length === 0) throw new CliError(`one or more CSRs must be specified as <name> or -f <filename>\nSee 'kubesim certificate ${verb} -h' for help and examples`);
  const print = await mutationPrinter(ctx, flags, 'none');
  const api = await ctx.api();
  const rt = api.registry.resolve('certificatesigningrequests.certificates.k8s.io');
  const targets = [...names];
  if (flags.filename.length) {
    const { loadInput, prepareDocs } = await import('./manifest-input');
    const { load } = await loadInput(ctx, { filename: flags.filename }, 'certificate');
    const { items, errors } = await prepareDocs(ctx, api, load, 'certificate', { validate: false });
    if (errors.length) throw new CliError(errors.join('').replace(/\n$/, ''));
    targets.push(...items.map((i) => i.object.metadata.name!));
  }
  const clock = await ctx.clock();
  for (const name of targets) {
    let obj = await api.get(rt, undefined, name);
    const conditions = ((obj.status as { conditions?: Array<{ type: string }> } | undefined)?.conditions ?? []);
    const opposite = conditions.find((c) => c.type === d.opposite);
    if (opposite) throw new CliError(`certificate signing request "${name}" is already ${opposite.type}`);
    const has = conditions.some((c) => c.type === d.type);
    if (!has || flags.force) {
      obj = await api.mutate(
        rt,
        undefined,
        name,
        (o: KObject) => {
          const status = (o.status ?? {}) as { conditions?: unknown[] };
          const stamp = new Date(clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
          status.conditions = [...(status.conditions ?? []), { type: d.type, status: 'True', reason: d.reason, message: d.message, lastUpdateTime: stamp, lastTransitionTime: stamp }];
          o.status = status;
          return o;
        },
        { status: true },
      );
    }
    ctx.out(print(obj, d.operation));
  }
}

export function register(program: Command, p: Program): void {
  const cert = program.command('certificate').description('Modify certificate resources');
  cert.configureHelp({ formatHelp: (c) => groupHelp(c as Command, p.name, 'Modify certificate resources.') });
  // kubectl's certificate runs cmd.Help() without a sub-command: the help on stdout, exit 0.
  cert.action(p.action((ctx, _flags: unknown, c: Command) => ctx.out(groupHelp(c, p.name, 'Modify certificate resources.'))));
  for (const verb of ['approve', 'deny'] as const) {
    const cmd = cert
      .command(verb)
      .description(verb === 'approve' ? 'Approve a certificate signing request' : 'Deny a certificate signing request')
      .argument('[names...]')
      .option('-f, --filename <file>', 'Filename, directory, or URL to files identifying the resource to update', collect, [])
      .option('-R, --recursive', 'Process the directory used in -f, --filename recursively.')
      .option('--force', `Update the CSR even if it is already ${verb === 'approve' ? 'approved' : 'denied'}.`);
    for (const o of printFlagOptions()) cmd.addOption(o);
    cmd.action(p.action((ctx, names: string[], flags: CertFlags) => decide(ctx, verb, names, flags)));
  }
}
