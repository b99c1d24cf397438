import type { EmsApi } from '../ems/api.js';
import type { EmsCluster, EmsClusterStatus } from '../ems/models/cluster.js';
import { EmsUuid } from '../ems/models/common.js';
import { EmsJobId, TERMINAL_JOB_STATUSES, type EmsJob, type EmsJobStatus } from '../ems/models/job.js';
import { quote } from '../errors.js';

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

const ACTIVE_JOB_STATUSES: ReadonlySet<EmsJobStatus> = new Set(['INIT', 'RUNNING']);

/** ShowJob: quick while INIT/RUNNING, final after COMPLETED, FAILED or STOPPED. */
export const jobResource: LiveResource<EmsJob> = {
  kind: 'job',
  noun: 'job',
  checkId(id) {
    const parsed = EmsJobId.safeParse(id);
    return parsed.success ? null : `Job id ${quote(id)} is invalid: ${parsed.error.issues[0]?.message ?? 'bad format'}`;
  },
  fetch: (ems, id, signal) => ems.showJob(id, { signal }),
  isFinal: (job) => TERMINAL_JOB_STATUSES.has(job.status),
  isActive: (job) => ACTIVE_JOB_STATUSES.has(job.status),
  signature: (job) =>
    JSON.stringify([
      job.status,
      job.progress,
      job.message ?? null,
      job.begin_at ?? null,
      job.end_at ?? null,
      (job.task_list ?? []).map((t) => [t.id, t.status, t.message ?? null, t.begin_at ?? null, t.end_at ?? null]),
    ]),
};

/** Cluster statuses in which something is happening, so the cluster is polled at the active interval. */
export const TRANSITIONAL_CLUSTER_STATUSES: ReadonlySet<EmsClusterStatus> = new Set([
  'CREATING',
  'UPGRADING',
  'EXPANDING',
  'SHRINKING',
  'DELETING',
]);

/** ShowCluster: quick while in transition, idle while RUNNING or FREEZE, final after DELETED. */
export const clusterResource: LiveResource<EmsCluster> = {
  kind: 'cluster',
  noun: 'cluster',
  checkId(id) {
    return EmsUuid.safeParse(id).success ? null : `Cluster id ${quote(id)} is invalid: must be a UUID (8-4-4-4-12 hexadecimal digits)`;
  },
  fetch: (ems, id, signal) => ems.showCluster(id, { signal }),
  isFinal: (cluster) => cluster.cluster_metadata.status === 'DELETED',
  isActive: (cluster) => TRANSITIONAL_CLUSTER_STATUSES.has(cluster.cluster_metadata.status),
  signature: (cluster) => {
    const m = cluster.cluster_metadata;
    const k8s = cluster.cluster_specification.k8s_cluster_specification;
    return JSON.stringify([
      m.status,
      m.reason ?? null,
      m.updated_at ?? null,
      m.available_node_count ?? null,
      k8s.node_count ?? null,
      k8s.version ?? null,
      cluster.cluster_specification.name,
      cluster.cluster_specification.description ?? null,
    ]);
  },
};
