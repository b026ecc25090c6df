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
