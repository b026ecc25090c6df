// `kubectl create cronjob NAME --image=image --schedule='0/5 * * * ?' -- [COMMAND] [args...]`
// (kubectl pkg/cmd/create/create_cronjob.go).

import { Flags, checkRequired } from './flags';
import type { Generator } from './types';
import { commandAfterDash, nameFromArgs, newObject, objectMeta } from './util';

const COMMAND = 'create cronjob';

export const cronJobGenerator: Generator = {
  command: COMMAND,
  aliases: ['cj'],
  usage: "cronjob NAME --image=image --schedule='0/5 * * * ?' -- [COMMAND] [args...] [flags]",
  short: 'Create a cron job with the specified name',
  example: '  # Create a cron job\n  kubectl create cronjob my-job --image=busybox --schedule="*/1 * * * *"\n  \n  # Create a cron job with a command\n  kubectl create cronjob my-job --image=busybox --schedule="*/1 * * * *" -- date',
  flags: [
    { name: 'image', type: 'string', help: 'Image name to run.', required: true },
    { name: 'schedule', type: 'string', help: 'A schedule in the Cron format the job should be run with.', required: true },
    { name: 'restart', type: 'string', help: "job's restart policy. supported values: OnFailure, Never" },
  ],
  build(args, raw, ctx, argsLenAtDash) {
    checkRequired(this.flags, raw);
    const f = new Flags(this.flags, raw);
    const name = nameFromArgs(args, argsLenAtDash, COMMAND);
    const command = commandAfterDash(args, argsLenAtDash);
    const container: Record<string, unknown> = { name, image: f.str('image') };
    if (command.length) container.command = command;
    container.resources = {};
    const object = newObject('CronJob', 'batch/v1', objectMeta(name, ctx.namespace), {
      spec: {
        schedule: f.str('schedule'),
        jobTemplate: {
          metadata: objectMeta(name),
          spec: {
            template: {
              metadata: { creationTimestamp: null },
              spec: { containers: [container], restartPolicy: f.str('restart') || 'OnFailure' },
            },
          },
        },
      },
      status: {},
    });
    return { object, warnings: [] };
  },
};
