// `kubectl autoscale (-f FILENAME | TYPE NAME | TYPE/NAME) [--min=MINPODS] --max=MAXPODS [--cpu-percent=CPU]`
// (kubectl pkg/cmd/autoscale/autoscale.go, autoscaling/v1 in v1.32). The target comes in ctx.source.

import { CliError } from '../api/errors';
import { Flags, checkRequired } from './flags';
import { fileFlags } from './common-flags';
import type { Generator } from './types';
import { newObject, objectMeta } from './util';

const SCALABLE = new Set(['Deployment', 'ReplicaSet', 'ReplicationController', 'StatefulSet']);

export const autoscaleGenerator: Generator = {
  command: 'autoscale',
  usage: 'autoscale (-f FILENAME | TYPE NAME | TYPE/NAME) [--min=MINPODS] --max=MAXPODS [--cpu-percent=CPU]',
  short: 'Auto-scale a deployment, replica set, stateful set, or replication controller',
  long: 'Creates an autoscaler that automatically chooses and sets the number of pods that run in a Kubernetes cluster.\n\n Looks up a deployment, replica set, stateful set, or replication controller by name and creates an autoscaler that uses the given resource as a reference. An autoscaler can automatically increase or decrease number of pods deployed within the system as needed.',
  example: '  # Auto scale a deployment "foo", with the number of pods between 2 and 10, no target CPU utilization specified so a default autoscaling policy will be used\n  kubectl autoscale deployment foo --min=2 --max=10\n  \n  # Auto scale a replication controller "foo", with the number of pods between 1 and 5, target CPU utilization at 80%\n  kubectl autoscale rc foo --max=5 --cpu-percent=80',
  flags: [
    { name: 'min', type: 'int', default: -1, help: 'The lower limit for the number of pods that can be set by the autoscaler. If it\'s not specified or negative, the server will apply a default value.' },
    { name: 'max', type: 'int', default: -1, help: 'The upper limit for the number of pods that can be set by the autoscaler. Required.', required: true },
    { name: 'cpu-percent', type: 'int', default: -1, help: "The target average CPU utilization (represented as a percent of requested CPU) over all the pods. If it's not specified or negative, a default autoscaling policy will be used." },
    { name: 'name', type: 'string', help: 'The name for the newly created object. If not specified, the name of the input resource will be used.' },
    ...fileFlags('Filename, directory, or URL to files identifying the resource to autoscale.'),
  ],
  build(_args, raw, ctx) {
    checkRequired(this.flags, raw);
    const f = new Flags(this.flags, raw);
    const max = f.int('max');
    const min = f.int('min');
    if (max < 1) throw new CliError(`--max=MAXPODS is required and must be at least 1, max: ${max}`);
    if (max < min) throw new CliError(`--max=MAXPODS must be larger or equal to --min=MINPODS, max: ${max}, min: ${min}`);
    const src = ctx.source;
    if (!src) throw new CliError('You must provide one or more resources by argument or filename.');
    if (!SCALABLE.has(src.kind)) throw new CliError(`cannot autoscale a ${src.kind}: the server could not find the requested resource`);
    const ref = src.metadata.name ?? '';
    const spec: Record<string, unknown> = { scaleTargetRef: { kind: src.kind, name: ref, apiVersion: src.apiVersion } };
    if (min > 0) spec.minReplicas = min;
    spec.maxReplicas = max;
    if (f.int('cpu-percent') >= 0) spec.targetCPUUtilizationPercentage = f.int('cpu-percent');
    const object = newObject('HorizontalPodAutoscaler', 'autoscaling/v1', objectMeta(f.str('name') || ref, ctx.namespace), {
      spec,
      status: { currentReplicas: 0, desiredReplicas: 0 },
    });
    return { object, warnings: [] };
  },
};
