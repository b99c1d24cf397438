import { builder } from '../builder.js';
import type { EmsTask } from '../ems/models/index.js';
import { toDate } from './dates.js';
import { JobStatus } from './job.js';

/** One step of a job (`task_list` of JobDetail). */
export const Task = builder.objectRef<EmsTask>('Task').implement({
  description: 'One step of a job.',
  fields: (t) => ({
    id: t.exposeID('id', { nullable: false }),
    status: t.field({ type: JobStatus, nullable: false, resolve: (task) => task.status }),
    message: t.string({ nullable: true, resolve: (task) => task.message ?? null }),
    createdAt: t.field({ type: 'DateTime', nullable: true, resolve: (task) => toDate(task.created_at) }),
    beginAt: t.field({ type: 'DateTime', nullable: true, resolve: (task) => toDate(task.begin_at) }),
    endAt: t.field({ type: 'DateTime', nullable: true, resolve: (task) => toDate(task.end_at) }),
  }),
});
