// `kubectl create deployment NAME --image=image -- [COMMAND] [args...]`
// (kubectl pkg/cmd/create/create_deployment.go).

import { CliError } from '../api/errors';
import { Flags, checkRequired } from './flags';
import type { Generator } from './types';
import { commandAfterDash, containerNameFromImage, nameFromArgs, newObject, objectMeta } from './util';

const COMMAND = 'create deployment';

export const deploymentGenerator: Generator = {
  command: COMMAND,
  aliases: ['deploy'],
  usage: 'deployment NAME --image=image -- [COMMAND] [args...]',
  short: 'Create a deployment with the specified name',
  example: '  # Create a deployment named my-dep that runs the busybox image\n  kubectl create deployment my-dep --image=busybox\n  \n  # Create a deployment with a command\n  kubectl create deployment my-dep --image=busybox -- date\n  \n  # Create a deployment named my-dep that runs the nginx image with 3 replicas\n  kubectl create deployment my-dep --image=nginx --replicas=3\n  \n  # Create a deployment named my-dep that runs the busybox image and expose port 5701\n  kubectl create deployment my-dep --image=busybox --port=5701\n  \n  # Create a deployment named my-dep that runs multiple containers\n  kubectl create deployment my-dep --image=busybox:latest --image=ubuntu:latest --image=nginx',
  flags: [
    { name: 'image', type: 'stringSlice', help: 'Image names to run. A deployment can have multiple images set for multi-container pod.', required: true },
    { name: 'port', type: 'int', default: -1, help: 'The containerPort that this deployment exposes.' },
    { name: 'replicas', shorthand: 'r', type: 'int', default: 1, help: 'Number of replicas to create. Default is 1.' },
  ],
  build(args, raw, ctx, argsLenAtDash) {
    checkRequired(this.flags, raw);
    const f = new Flags(this.flags, raw);
    const name = nameFromArgs(args, argsLenAtDash, COMMAND);
    const images = f.list('image');
    const command = commandAfterDash(args, argsLenAtDash);
    if (images.length > 1 && command.length > 0) throw new CliError('cannot specify multiple --image options and command');
    const labels = { app: name };
    const containers = images.map((image) => {
      const c: Record<string, unknown> = { name: containerNameFromImage(image, ctx.rng), image };
      if (command.length) c.command = command;
      return c;
    });
    const port = f.int('port');
    if (port >= 0 && containers.length > 0) containers[0].ports = [{ containerPort: port }];
    for (const c of containers) c.resources = {};
    const object = newObject('Deployment', 'apps/v1', objectMeta(name, ctx.namespace, labels), {
      spec: {
        replicas: f.int('replicas'),
        selector: { matchLabels: { ...labels } },
        template: {
          metadata: objectMeta(undefined, undefined, labels),
          spec: { containers },
        },
        strategy: {},
      },
      status: {},
    });
    return { object, warnings: [] };
  },
};
