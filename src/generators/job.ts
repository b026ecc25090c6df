// `kubectl create job NAME --image=image [--from=cronjob/name] -- [COMMAND] [args...]`
// (kubectl pkg/cmd/create/create_job.go).

import { CliError } from '../api/errors';
import { deepCopy, type KObject } from '../api/types';
import { Flags } from './flags';
import type { Generator } from './types';
import { commandAfterDash, nameFromArgs, newObject, objectMeta, sortedMap } from './util';

const COMMAND = 'create job';

export const jobGenerator: Generator = {
  command: COMMAND,
  usage: 'job NAME --image=image [--from=cronjob/name] -- [COMMAND] [args...]',
  short: 'Create a job with the specified name',
  example: '  # Create a job\n  kubectl create job my-job --image=busybox\n  \n  # Create a job with a command\n  kubectl create job my-job --image=busybox -- date\n  \n  # Create a job from a cron job named "a-cronjob"\n  kubectl create job test-job --from=cronjob/a-cronjob',
  flags: [
    { name: 'image', type: 'string', help: 'Image name to run.' },
    { name: 'from', type: 'string', help: "The name of the resource to create a Job from (only cronjob is supported)." },
  ],
  build(args, raw, ctx, argsLenAtDash) {
    const f = new Flags(this.flags, raw);
    const name = nameFromArgs(args, argsLenAtDash, COMMAND);
    const command = commandAfterDash(args, argsLenAtDash);
    const image = f.str('image');
    const from = f.str('from');
    if ((!image && !from) || (image && from)) throw new CliError('either --image or --from must be specified');
    if (command.length && from) throw new CliError('cannot specify --from and command');
    if (from) {
      const src = ctx.source;
      if (!src) throw new CliError(`--from requires the source object (${from})`);
      if (src.kind !== 'CronJob') throw new CliError(`unknown object type *${goTypeName(src)}`);
      return { object: jobFromCronJob(name, src, ctx.namespace), warnings: [] };
    }
    const container: Record<string, unknown> = { name, image };
    if (command.length) container.command = command;
    container.resources = {};
    const object = newObject('Job', 'batch/v1', objectMeta(name, ctx.namespace), {
      spec: { template: { metadata: { creationTimestamp: null }, spec: { containers: [container], restartPolicy: 'Never' } } },
      status: {},
    });
    return { object, warnings: [] };
  },
};

function goTypeName(o: KObject): string {
  const version = o.apiVersion.includes('/') ? o.apiVersion.split('/')[1] : o.apiVersion;
  return `${version}.${o.kind}`;
}

/** createJobFromCronJob: the job template's spec, labels and annotations plus a controller ref. */
export function jobFromCronJob(name: string, cronJob: KObject, namespace?: string): KObject {
  const tmpl = (cronJob.spec?.jobTemplate ?? {}) as { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: Record<string, unknown> };
  const annotations = sortedMap({ 'cronjob.kubernetes.io/instantiate': 'manual', ...(tmpl.metadata?.annotations ?? {}) });
  const meta = objectMeta(name, namespace, tmpl.metadata?.labels, annotations) as Record<string, unknown>;
  meta.ownerReferences = [
    { apiVersion: 'batch/v1', kind: 'CronJob', name: cronJob.metadata.name, uid: cronJob.metadata.uid ?? '', controller: true },
  ];
  // in the template's order: -o json prints it in the JobSpec struct's (printers/go-order)
  const spec = deepCopy(tmpl.spec ?? {}) as Record<string, unknown>;
  if (!('template' in spec)) spec.template = { metadata: { creationTimestamp: null }, spec: { containers: null } };
  return newObject('Job', 'batch/v1', meta, { spec, status: {} });
}
