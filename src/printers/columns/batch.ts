// Jobs and CronJobs.
import { humanDuration, parseTimestamp } from '../duration';
import { doc } from './docs';
import { ageCol, col, nameCol, type KindTable } from './types';
import { age } from '../duration';
import { ageOf, arr, boolPtr, containerCells, formatLabelSelector, hasCondition, int, obj, str } from './util';

export const jobs: KindTable = {
  columns: [
    nameCol,
    col('Status', 'Status of the job.'),
    col('Completions', doc('batch/v1', 'JobStatus', 'succeeded')),
    col('Duration', 'Time required to complete the job.'),
    ageCol,
    col('Containers', 'Names of each container in the template.', { priority: 1 }),
    col('Images', 'Images referenced by each container in the template.', { priority: 1 }),
    col('Selector', doc('batch/v1', 'JobSpec', 'selector'), { priority: 1 }),
  ],
  cells: (o, now) => {
    const spec = obj(o.spec);
    const st = obj(o.status);
    const succeeded = int(st.succeeded);
    let completions: string;
    if (typeof spec.completions === 'number') completions = `${succeeded}/${int(spec.completions)}`;
    else if (int(spec.parallelism) > 1) completions = `${succeeded}/1 of ${int(spec.parallelism)}`;
    else completions = `${succeeded}/1`;

    const start = parseTimestamp(st.startTime);
    const end = parseTimestamp(st.completionTime);
    let duration = '';
    if (start !== undefined) duration = humanDuration((end ?? now) - start);

    let status = 'Running';
    if (hasCondition(st.conditions, 'Complete')) status = 'Complete';
    else if (hasCondition(st.conditions, 'Failed')) status = 'Failed';
    else if (o.metadata.deletionTimestamp) status = 'Terminating';
    else if (hasCondition(st.conditions, 'Suspended')) status = 'Suspended';
    else if (hasCondition(st.conditions, 'FailureTarget')) status = 'FailureTarget';

    return [
      str(o.metadata.name),
      status,
      completions,
      duration,
      ageOf(o, now),
      ...containerCells(obj(spec.template).spec),
      formatLabelSelector(spec.selector),
    ];
  },
};

export const cronjobs: KindTable = {
  columns: [
    nameCol,
    col('Schedule', doc('batch/v1beta1', 'CronJobSpec', 'schedule')),
    col('Timezone', doc('batch/v1beta1', 'CronJobSpec', 'timeZone')),
    col('Suspend', doc('batch/v1beta1', 'CronJobSpec', 'suspend'), { type: 'boolean' }),
    col('Active', doc('batch/v1beta1', 'CronJobStatus', 'active'), { type: 'integer', cell: 'integer' }),
    col('Last Schedule', doc('batch/v1beta1', 'CronJobStatus', 'lastScheduleTime')),
    ageCol,
    col('Containers', 'Names of each container in the template.', { priority: 1 }),
    col('Images', 'Images referenced by each container in the template.', { priority: 1 }),
    col('Selector', doc('batch/v1', 'JobSpec', 'selector'), { priority: 1 }),
  ],
  cells: (o, now) => {
    const spec = obj(o.spec);
    const st = obj(o.status);
    const jobSpec = obj(obj(spec.jobTemplate).spec);
    return [
      str(o.metadata.name),
      str(spec.schedule),
      typeof spec.timeZone === 'string' ? spec.timeZone : '<none>',
      boolPtr(spec.suspend),
      String(arr(st.active).length),
      st.lastScheduleTime ? age(st.lastScheduleTime, now) : '<none>',
      ageOf(o, now),
      ...containerCells(obj(jobSpec.template).spec),
      formatLabelSelector(jobSpec.selector),
    ];
  },
};
