import { JOB_STATUSES, jobTypeOfId, type EmsJobStatus, type EmsJobType } from '../models/job.js';
import { NOT_AN_OBJECT, byIdentity, type At, type Listed, type RecordSource, type WireReader } from './reader.js';

/** One step of a job (`task_list`), as read; its id is its identity. */
export interface TaskRecord {
  id: string;
  status: EmsJobStatus | 'UNKNOWN';
  statusText: string | null;
  message: string | null;
  createdAt: string | null;
  beginAt: string | null;
  endAt: string | null;
}

/** An EMS job (ShowJob, an element of ListJobs), as read. */
export interface JobRecord {
  id: string;
  /** The region EMS answered from: set by the gateway (src/regional.ts), never read from the wire. */
  region?: string;
  /**
   * Which ListJobs list holds the job: the list it was read from, or for ShowJob (whose body does
   * not say) the one its id prefix implies (`long-` long, anything else short).
   */
  type: EmsJobType;
  clusterId: string | null;
  /** The kind of job, e.g. CreateCluster. */
  name: string | null;
  status: EmsJobStatus | 'UNKNOWN';
  statusText: string | null;
  /** Percent done; null when EMS sent none that can be read. */
  progress: number | null;
  message: string | null;
  createdAt: string | null;
  beginAt: string | null;
  endAt: string | null;
  tasks: Listed<TaskRecord>[];
  source: RecordSource;
}

/** The fields a task and a job share, read the same way. */
function taskFields(at: At, id: string): TaskRecord {
  const status = at.enumOf('status', JOB_STATUSES);
  return {
    id,
    status: status.value,
    statusText: status.text,
    message: at.string('message'),
    createdAt: at.time('created_at'),
    beginAt: at.time('begin_at'),
    endAt: at.time('end_at'),
  };
}

export const readTask = byIdentity('id', 'id', (id, at): TaskRecord => taskFields(at, id));

/**
 * A job object of a known list type (null: from its id): a task's fields, and the job's own, added
 * to the same object (no copy: it runs once per listed job).
 */
export function readJob(at: At | null, type: EmsJobType | null): JobRecord | string {
  if (!at) return NOT_AN_OBJECT;
  const id = at.id('id');
  if (!id) return 'without a readable id';
  const job = taskFields(at, id) as JobRecord;
  job.type = type ?? jobTypeOfId(id);
  job.clusterId = at.id('cluster_id');
  job.name = at.string('name');
  job.progress = at.number('progress');
  job.tasks = at.list('task_list', readTask);
  job.source = at.reader.source;
  return job;
}

/** ShowJob. */
export function readShowJob(json: unknown, r: WireReader): JobRecord {
  const job = readJob(r.root(json), null);
  if (typeof job === 'string') throw r.unreadable(`a job ${job}`);
  return job;
}

/** ListJobs of one type: `{ jobs }`. */
export interface JobList {
  jobs: Listed<JobRecord>[];
}

export function readListJobs(type: EmsJobType) {
  const item = (_value: unknown, at: At | null) => readJob(at, type);
  return (json: unknown, r: WireReader): JobList => ({ jobs: r.root(json).list('jobs', item, { required: true }) });
}
