import type { EmsApi } from '../ems/api.js';
import type { EmsClusterStatus } from '../ems/models/cluster.js';
import { quote } from '../ems/errors.js';
import { brokenRule, EmsUuid } from '../ems/models/common.js';
import { EmsJobId, TERMINAL_JOB_STATUSES, type EmsJobStatus } from '../ems/models/job.js';
import { isUnreadable, type ClusterRecord, type JobRecord } from '../ems/read/index.js';

/** What the hub needs to know about one kind of watched EMS resource. */
export interface LiveResource<T> {
  kind: 'job' | 'cluster';
  /** Human name for messages, e.g. "job". */
  noun: string;
  /** A message when `id` cannot name such a resource (checked before any upstream call), else null. */
  checkId(id: string): string | null;
  fetch(ems: EmsApi, id: string, signal: AbortSignal): Promise<T>;
  /** The stream completes after emitting a state for which this holds. */
  isFinal(value: T): boolean;
  /** Poll at the active interval while this holds, at the idle interval otherwise. */
  isActive(value: T): boolean;
  /** Two states with equal signatures are the same to a subscriber: only changes are emitted. */
  signature(value: T): string;
}

/** Why `id` cannot name such a resource, or null. */
function invalidId(what: string, rule: Parameters<typeof brokenRule>[0], id: string): string | null {
  const broken = brokenRule(rule, id);
  return broken && `${what} id ${quote(id)} is invalid: ${broken}`;
}

const ACTIVE_JOB_STATUSES: ReadonlySet<EmsJobStatus | 'UNKNOWN'> = new Set(['INIT', 'RUNNING']);
const FINAL_JOB_STATUSES: ReadonlySet<EmsJobStatus | 'UNKNOWN'> = TERMINAL_JOB_STATUSES;

/**
 * ShowJob: quick while INIT/RUNNING, final after COMPLETED, FAILED or STOPPED. A status the
 * gateway does not list (UNKNOWN) is neither: polled at the idle interval until it changes.
 */
export const jobResource: LiveResource<JobRecord> = {
  kind: 'job',
  noun: 'job',
  checkId: (id) => invalidId('Job', EmsJobId, id),
  fetch: (ems, id, signal) => ems.showJob(id, { signal }),
  isFinal: (job) => FINAL_JOB_STATUSES.has(job.status),
  isActive: (job) => ACTIVE_JOB_STATUSES.has(job.status),
  signature: (job) =>
    JSON.stringify([
      job.statusText,
      job.progress,
      job.message,
      job.beginAt,
      job.endAt,
      job.tasks.map((t) => (isUnreadable(t) ? t.unreadable : [t.id, t.statusText, t.message, t.beginAt, t.endAt])),
    ]),
};

/** Cluster statuses in which something is happening, so the cluster is polled at the active interval. */
export const TRANSITIONAL_CLUSTER_STATUSES: ReadonlySet<EmsClusterStatus | 'UNKNOWN'> = new Set([
  'CREATING',
  'UPGRADING',
  'EXPANDING',
  'SHRINKING',
  'DELETING',
]);

/**
 * ShowCluster: quick while in transition, idle while RUNNING or FREEZE (or a status the gateway
 * does not list), final after DELETED.
 */
export const clusterResource: LiveResource<ClusterRecord> = {
  kind: 'cluster',
  noun: 'cluster',
  checkId: (id) => invalidId('Cluster', EmsUuid, id),
  fetch: (ems, id, signal) => ems.showCluster(id, { signal }),
  isFinal: (cluster) => cluster.status === 'DELETED',
  isActive: (cluster) => TRANSITIONAL_CLUSTER_STATUSES.has(cluster.status),
  signature: (cluster) =>
    JSON.stringify([
      cluster.statusText,
      cluster.reason,
      cluster.updatedAt,
      cluster.availableNodeCount,
      cluster.k8s?.nodeCount ?? null,
      cluster.k8s?.version ?? null,
      cluster.name,
      cluster.description,
    ]),
};
