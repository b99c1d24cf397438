import { builder } from '../builder.js';
import type { TaskRecord } from '../ems/read/index.js';
import { toDate } from './dates.js';
import { JobStatus } from './job.js';
import { STATUS_TEXT_DESCRIPTION } from './unknown.js';

/** One step of a job (`task_list` of JobDetail). */
export const Task = builder.objectRef<TaskRecord>('Task').implement({
  description: 'One step of a job.',
  fields: (t) => ({
    id: t.exposeID('id', { nullable: false }),
    status: t.field({ type: JobStatus, nullable: false, resolve: (task) => task.status }),
    statusText: t.exposeString('statusText', { nullable: true, description: STATUS_TEXT_DESCRIPTION }),
    message: t.exposeString('message', { nullable: true }),
    createdAt: t.field({ type: 'DateTime', nullable: true, resolve: (task) => toDate(task.createdAt) }),
    beginAt: t.field({ type: 'DateTime', nullable: true, description: 'Null until the task has begun.', resolve: (task) => toDate(task.beginAt) }),
    endAt: t.field({ type: 'DateTime', nullable: true, description: 'Null until the task has ended.', resolve: (task) => toDate(task.endAt) }),
  }),
});
