import type { EmsApi } from '../ems/api.js';
import { isEmsError } from '../ems/errors.js';
import { TERMINAL_JOB_STATUSES, type EmsClusterStatus, type EmsJobType } from '../ems/models/index.js';
import { readable, type AcceptedWrite, type ClusterRecord, type JobRecord } from '../ems/read/index.js';
import { listAllClusters } from '../loaders/clusters.js';
import { listAllJobs } from '../loaders/jobs.js';

/**
 * Finding out from EMS what became of a cluster write whose outcome is unknown: its owner died
 * mid-call (a crash, a `kill -9`), or the call failed after it may have reached EMS (a timeout, a
 * reset). EMS has no idempotency key of its own, so the evidence is the state a write leaves behind:
 *
 * - createCluster / enrollCluster: cluster names are unique among clusters not DELETED, so a live
 *   cluster of that name on the same CCE cluster is the one the write created, and its newest
 *   create (enroll) job is the write's job;
 * - expandCluster / shrinkCluster / deleteCluster: the cluster's status and current job. A job of
 *   that kind still running (or a cluster DELETING or DELETED) is the write's; no job of that kind
 *   at all means the write never took effect.
 *
 * Anything else (only an older, finished job of that kind; a DELETED cluster of that name) cannot
 * be told from an earlier write of the same kind, and is reported as unknown with what was seen.
 */

/** What EMS shows of an earlier attempt. */
export type Reconciled<Stored> =
  /** The write took effect: its result. */
  | { kind: 'applied'; stored: Stored }
  /** No trace of it: it never took effect, so submitting now is the one write. */
  | { kind: 'absent' }
  /** EMS cannot tell; `known` says what was seen. */
  | { kind: 'unknown'; known: string };

/** What a cluster write stores: the ids, and where they were read from. */
export interface ClusterJobIds {
  jobId: string | null;
  clusterId: string | null;
  accepted: AcceptedWrite;
}

/** Job kinds as EMS names them (JobDetail `name`), matched loosely: EMS may decorate them. */
const JOB_KIND: Record<'create' | 'enroll' | 'expand' | 'shrink' | 'delete', RegExp> = {
  create: /create/i,
  enroll: /enroll/i,
  expand: /expand/i,
  shrink: /shrink/i,
  delete: /delete/i,
};

const same = (a: string | null | undefined, b: string | null | undefined) => !!a && !!b && a.toLowerCase() === b.toLowerCase();

/** The newest job of `kind` on `clusterId`, or null (ListJobs has no cluster filter: every job of the type is listed). */
async function newestJob(ems: EmsApi, type: EmsJobType, clusterId: string, kind: RegExp): Promise<JobRecord | null> {
  const jobs = readable(await listAllJobs(ems, type)).filter((j) => same(j.clusterId, clusterId) && kind.test(j.name ?? ''));
  // ListJobs lists oldest first; created_at, when given, decides.
  jobs.sort((a, b) => (Date.parse(a.createdAt ?? '') || 0) - (Date.parse(b.createdAt ?? '') || 0));
  return jobs.at(-1) ?? null;
}

/** The ids as a reconciliation found them (no EMS answer of the write itself to quote). */
function found(operation: string, jobId: string, clusterId: string): ClusterJobIds {
  return { jobId, clusterId, accepted: { operation, requestId: null, problem: null } };
}

/**
 * createCluster / enrollCluster: the live cluster named `name` on CCE cluster `k8sClusterId` (or,
 * when re-enrolling, the cluster `clusterId`), and its newest create or enroll job.
 */
export async function reconcileClusterCreation(
  ems: EmsApi,
  what: 'create' | 'enroll',
  body: { name: string; k8sClusterId: string; clusterId?: string | null },
): Promise<Reconciled<ClusterJobIds>> {
  const sameTarget = (c: ClusterRecord) =>
    c.name === body.name && same(c.k8s?.k8sClusterId, body.k8sClusterId) && (!body.clusterId || same(c.id, body.clusterId));
  const matches = readable(await listAllClusters(ems)).filter(sameTarget);
  const live = matches.find((c) => c.status !== 'DELETED');
  if (!live) {
    if (matches.length === 0) return { kind: 'absent' };
    return {
      kind: 'unknown',
      known: `EMS shows only DELETED clusters named ${JSON.stringify(body.name)} (${matches.map((c) => c.id).join(', ')}); a creation that failed is rolled back to DELETED, so this may or may not be the write's`,
    };
  }
  const job = await newestJob(ems, 'long', live.id, JOB_KIND[what]);
  if (!job) {
    return { kind: 'unknown', known: `cluster ${live.id} named ${JSON.stringify(body.name)} exists (${live.status}), but EMS lists no ${what} job for it` };
  }
  return { kind: 'applied', stored: found(what === 'create' ? 'CreateCluster' : 'EnrollCluster', job.id, live.id) };
}

/** The status a cluster shows while (or after) each write runs. */
const IN_PROGRESS: Record<'expand' | 'shrink' | 'delete', readonly EmsClusterStatus[]> = {
  expand: ['EXPANDING'],
  shrink: ['SHRINKING'],
  delete: ['DELETING', 'DELETED'],
};

const OPERATION = { expand: 'ExpandCluster', shrink: 'ShrinkCluster', delete: 'DeleteClusterById' } as const;

/** expandCluster / shrinkCluster / deleteCluster on `clusterId`: the cluster's status and current job of that kind. */
export async function reconcileClusterChange(ems: EmsApi, what: 'expand' | 'shrink' | 'delete', clusterId: string): Promise<Reconciled<ClusterJobIds>> {
  let status: EmsClusterStatus | 'UNKNOWN' | null;
  try {
    status = (await ems.showCluster(clusterId)).status;
  } catch (error) {
    if (!(isEmsError(error) && error.code === 'NOT_FOUND')) throw error;
    status = null;
  }
  const inProgress = status !== null && status !== 'UNKNOWN' && IN_PROGRESS[what].includes(status);
  const job = await newestJob(ems, what === 'delete' ? 'long' : 'short', clusterId, JOB_KIND[what]);
  const running = job !== null && job.status !== 'UNKNOWN' && !TERMINAL_JOB_STATUSES.has(job.status);
  if (job && (running || inProgress)) return { kind: 'applied', stored: found(OPERATION[what], job.id, clusterId) };
  if (!job && status !== null && status !== 'UNKNOWN' && !inProgress) return { kind: 'absent' };
  const seen = status === null ? 'EMS no longer knows the cluster' : `the cluster is ${status}`;
  const last = job ? `; its latest ${what} job ${job.id} is ${job.status}, which may be an earlier ${what}` : `; EMS lists no ${what} job for it`;
  return { kind: 'unknown', known: `${seen}${last}` };
}
