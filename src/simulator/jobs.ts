import type { EmsJobType } from '../ems/models/index.js';
import type { Prng } from './prng.js';
import type { ClusterStatus, ProjectState } from './store.js';

/** Job and task statuses of the EMS reference. */
export type JobStatus = 'INIT' | 'RUNNING' | 'STOPPED' | 'FAILED' | 'COMPLETED';

/**
 * Job engine and cluster state machine.
 *
 * A job is a pure function of virtual time: it is INIT for `initMs` after submission, then RUNNING
 * while its tasks run one after another, then COMPLETED (progress 100) — unless it was planned to
 * fail (FAILED part-way through a task, progress frozen) or was cancelled (STOPPED at the cancel
 * time, progress frozen). Nothing runs on a timer: every request first calls `settle`, which
 * applies the end of each job that has ended by now to its cluster, in end-time order, stamping
 * the cluster with the job's end time. The same clock reading therefore always gives the same state.
 */

/** Job `name` values: the kind of work. */
export type JobKind = 'CreateCluster' | 'EnrollCluster' | 'DeleteCluster' | 'ExpandCluster' | 'ShrinkCluster' | 'UpgradeCluster';

interface JobPlan {
  type: EmsJobType;
  /** Time spent INIT before the first task starts. */
  initMs: number;
  tasks: readonly { ms: number; text: string }[];
  /** `message` of the job when it fails. */
  failureCode: string;
}

const S = 1000;

/** Durations at clock speed 1: short jobs take 20 s, long ones 120 s. */
export const JOB_PLANS: Readonly<Record<JobKind, JobPlan>> = {
  CreateCluster: {
    type: 'long',
    initMs: 2 * S,
    failureCode: 'ems.00030002',
    tasks: [
      { ms: 6 * S, text: 'Check the CCE cluster, node labels and add-on specifications' },
      { ms: 30 * S, text: 'Create the resource stack' },
      { ms: 14 * S, text: 'Create the VPC endpoint and security group rules' },
      { ms: 40 * S, text: 'Install the EMS add-on on the labelled nodes' },
      { ms: 18 * S, text: 'Configure huge pages and the memory pool' },
      { ms: 10 * S, text: 'Verify the data plane and register the cluster' },
    ],
  },
  EnrollCluster: {
    type: 'long',
    initMs: 2 * S,
    failureCode: 'ems.00030002',
    tasks: [
      { ms: 8 * S, text: 'Check the existing EMS deployment' },
      { ms: 30 * S, text: 'Import the deployment into a resource stack' },
      { ms: 20 * S, text: 'Bind the VPC endpoint and the LTS log streams' },
      { ms: 40 * S, text: 'Take over the EMS workloads' },
      { ms: 20 * S, text: 'Verify the data plane and register the cluster' },
    ],
  },
  DeleteCluster: {
    type: 'long',
    initMs: 2 * S,
    failureCode: 'ems.00030003',
    tasks: [
      { ms: 20 * S, text: 'Stop accepting new KV cache clients' },
      { ms: 40 * S, text: 'Uninstall the EMS add-on' },
      { ms: 20 * S, text: 'Delete the VPC endpoint' },
      { ms: 30 * S, text: 'Delete the resource stack' },
      { ms: 8 * S, text: 'Release the huge pages on the nodes' },
    ],
  },
  UpgradeCluster: {
    type: 'long',
    initMs: 2 * S,
    failureCode: 'ems.00030002',
    tasks: [
      { ms: 8 * S, text: 'Check the target release' },
      { ms: 40 * S, text: 'Upgrade the control plane' },
      { ms: 60 * S, text: 'Roll the data plane node by node' },
      { ms: 10 * S, text: 'Verify the data plane' },
    ],
  },
  ExpandCluster: {
    type: 'short',
    initMs: 1 * S,
    failureCode: 'ems.00030002',
    tasks: [
      { ms: 4 * S, text: 'Check and label the new nodes' },
      { ms: 11 * S, text: 'Deploy EMS on the new nodes' },
      { ms: 4 * S, text: 'Rebalance the memory pool' },
    ],
  },
  ShrinkCluster: {
    type: 'short',
    initMs: 1 * S,
    failureCode: 'ems.00030002',
    tasks: [
      { ms: 9 * S, text: 'Migrate KV cache data off the nodes' },
      { ms: 6 * S, text: 'Remove EMS from the nodes' },
      { ms: 4 * S, text: 'Remove the node labels' },
    ],
  },
};

/** What the end of a job does to its cluster. */
export type JobEffect =
  | { kind: 'create'; nodes: string[] }
  | { kind: 'delete'; previousStatus: ClusterStatus; previousReason: string }
  | { kind: 'expand'; nodes: string[] }
  | { kind: 'shrink'; nodes: string[] }
  | { kind: 'upgrade'; version: string }
  /** History: the cluster already reflects it. */
  | { kind: 'none' };

export interface JobRecord {
  id: string;
  kind: JobKind;
  type: EmsJobType;
  clusterId: string;
  /** Virtual epoch ms of submission. */
  createdAt: number;
  initMs: number;
  tasks: { id: string; ms: number; text: string }[];
  /** Planned failure: in task `task`, after `fraction` of it. */
  failure: { task: number; fraction: number; code: string } | null;
  /** Set by a cancel (or a superseding delete) while the job had not ended. */
  stoppedAt: number | null;
  /** Stopped because its cluster is being deleted: its end changes nothing. */
  superseded: boolean;
  effect: JobEffect;
}

export type TerminalStatus = Extract<JobStatus, 'COMPLETED' | 'FAILED' | 'STOPPED'>;

const JOB_STOPPED_MESSAGE = 'Job stopped by user';
const JOB_SUPERSEDED_MESSAGE = 'Stopped: cluster deleted';

function runStart(job: JobRecord): number {
  return job.createdAt + job.initMs;
}

function totalMs(job: JobRecord): number {
  return job.tasks.reduce((sum, t) => sum + t.ms, 0);
}

/** When and how the job ends (or ended), independent of now. */
export function jobEnd(job: JobRecord): { status: TerminalStatus; at: number } {
  const start = runStart(job);
  let end: { status: TerminalStatus; at: number } = { status: 'COMPLETED', at: start + totalMs(job) };
  if (job.failure) {
    const before = job.tasks.slice(0, job.failure.task).reduce((sum, t) => sum + t.ms, 0);
    const at = start + before + job.tasks[job.failure.task]!.ms * job.failure.fraction;
    if (at < end.at) end = { status: 'FAILED', at };
  }
  if (job.stoppedAt !== null && job.stoppedAt < end.at) end = { status: 'STOPPED', at: job.stoppedAt };
  return end;
}

export function isEndedAt(job: JobRecord, nowMs: number): boolean {
  return jobEnd(job).at <= nowMs;
}

/** A task at one instant. Times are virtual epoch ms; null until they happen. */
export interface TaskState {
  id: string;
  status: JobStatus;
  message: string;
  createdAt: number;
  beginAt: number | null;
  endAt: number | null;
}

/** A job at one instant (what ShowJob shows; wire.ts writes it). */
export interface JobState {
  id: string;
  clusterId: string;
  kind: JobKind;
  status: JobStatus;
  progress: number;
  message: string | null;
  createdAt: number;
  beginAt: number | null;
  endAt: number | null;
  tasks: TaskState[];
  /** Seeded history whose end changes nothing (wire.ts may vary how such old jobs are shown). */
  history: boolean;
}

/** The job at virtual time `nowMs`. */
export function jobState(job: JobRecord, nowMs: number): JobState {
  const end = jobEnd(job);
  const ended = end.at <= nowMs;
  const x = ended ? end.at : nowMs;
  const start = runStart(job);
  const total = totalMs(job);
  const status: JobStatus = ended ? end.status : x < start ? 'INIT' : 'RUNNING';
  const progress = status === 'COMPLETED' ? 100 : Math.round((Math.min(Math.max(x - start, 0), total) / total) * 10000) / 100;

  const tasks: TaskState[] = [];
  let taskStart = start;
  job.tasks.forEach((task, i) => {
    const taskEnd = taskStart + task.ms;
    const failedHere = ended && end.status === 'FAILED' && job.failure?.task === i;
    const view = (st: JobStatus, message: string, begin: number | null, stop: number | null): TaskState => ({
      id: task.id,
      status: st,
      message,
      createdAt: job.createdAt,
      beginAt: begin,
      endAt: stop,
    });
    if (taskEnd <= x && !failedHere) tasks.push(view('COMPLETED', task.text, taskStart, taskEnd));
    else if (taskStart < x || (taskStart === x && !ended)) {
      // The task was running at x.
      if (failedHere) tasks.push(view('FAILED', `${job.failure!.code}: ${task.text} failed`, taskStart, x));
      else if (ended) tasks.push(view('STOPPED', task.text, taskStart, x));
      else tasks.push(view('RUNNING', task.text, taskStart, null));
    } else {
      tasks.push(view(ended ? 'STOPPED' : 'INIT', task.text, null, null));
    }
    taskStart = taskEnd;
  });

  let message: string | null = null;
  if (status === 'FAILED') message = job.failure!.code;
  else if (status === 'STOPPED') message = job.superseded ? JOB_SUPERSEDED_MESSAGE : JOB_STOPPED_MESSAGE;

  return {
    id: job.id,
    clusterId: job.clusterId,
    kind: job.kind,
    status,
    progress,
    message,
    createdAt: job.createdAt,
    beginAt: x >= start ? start : null,
    endAt: ended ? end.at : null,
    tasks,
    history: job.effect.kind === 'none',
  };
}

/** Ids: long jobs `long-{uuid}`; expand/shrink `ems-custom-{uuid}` (short); tasks `long-`/`short-{uuid}`. */
export function newJob(
  ids: Prng,
  init: { kind: JobKind; clusterId: string; createdAt: number; effect: JobEffect; failure?: JobRecord['failure'] },
): JobRecord {
  const plan = JOB_PLANS[init.kind];
  const prefix = plan.type === 'long' ? 'long-' : 'ems-custom-';
  return {
    id: `${prefix}${ids.uuid()}`,
    kind: init.kind,
    type: plan.type,
    clusterId: init.clusterId,
    createdAt: init.createdAt,
    initMs: plan.initMs,
    tasks: plan.tasks.map((t) => ({ id: `${plan.type}-${ids.uuid()}`, ms: t.ms, text: t.text })),
    failure: init.failure ?? null,
    stoppedAt: null,
    superseded: false,
    effect: init.effect,
  };
}

/** A planned failure of a `kind` job, drawn from `rng`. */
export function planFailure(kind: JobKind, rng: Prng): NonNullable<JobRecord['failure']> {
  const plan = JOB_PLANS[kind];
  return { task: rng.int(0, plan.tasks.length - 1), fraction: 0.25 + rng.next() * 0.5, code: plan.failureCode };
}

/** Adds a job to the project; jobs with an effect wait in `pending` until `settle` applies their end. */
export function addJob(project: ProjectState, job: JobRecord): void {
  project.jobs.set(job.id, job);
  if (job.effect.kind !== 'none') project.pending.add(job.id);
}

/**
 * Stops `job` at `nowMs` if it has not ended by then. Returns false when it already had.
 * @param superseded the stop comes from a delete of its cluster (its end is then ignored).
 */
export function stopJob(job: JobRecord, nowMs: number, superseded = false): boolean {
  if (isEndedAt(job, nowMs)) return false;
  job.stoppedAt = nowMs;
  job.superseded = superseded;
  return true;
}

/** Applies, in end-time order, the end of every pending job that has ended by `nowMs`. */
export function settle(project: ProjectState, nowMs: number): void {
  if (project.pending.size === 0) return;
  const due: { job: JobRecord; status: TerminalStatus; at: number }[] = [];
  for (const id of project.pending) {
    const job = project.jobs.get(id);
    if (!job) {
      project.pending.delete(id);
      continue;
    }
    const end = jobEnd(job);
    if (end.at <= nowMs) due.push({ job, ...end });
  }
  due.sort((a, b) => a.at - b.at || (a.job.id < b.job.id ? -1 : 1));
  for (const { job, status, at } of due) {
    project.pending.delete(job.id);
    if (!job.superseded) applyEnd(project, job, status, at);
  }
}

/**
 * The cluster state machine, on a job's end:
 * - create/enroll: COMPLETED → RUNNING with its nodes; FAILED/STOPPED → DELETED (rolled back).
 * - delete: COMPLETED → DELETED (no nodes); FAILED/STOPPED → the state before the delete (RUNNING
 *   or FREEZE); a delete that interrupted an expand/shrink/upgrade → RUNNING unchanged; one that
 *   interrupted a creation → FREEZE.
 * - expand/shrink: COMPLETED → RUNNING with nodes added/removed and node_count updated;
 *   FAILED/STOPPED → RUNNING unchanged.
 * - upgrade: COMPLETED → RUNNING on the new version; FAILED/STOPPED → RUNNING on the old one.
 */
function applyEnd(project: ProjectState, job: JobRecord, status: TerminalStatus, at: number): void {
  const cluster = project.clusters.get(job.clusterId);
  if (!cluster) return;
  const ok = status === 'COMPLETED';
  const effect = job.effect;
  const k8s = cluster.spec.k8s_cluster_specification;
  switch (effect.kind) {
    case 'none':
      return;
    case 'create':
      if (ok) {
        cluster.status = 'RUNNING';
        cluster.reason = 'Available';
        cluster.nodes = [...effect.nodes];
        k8s.node_count = cluster.nodes.length;
      } else {
        cluster.status = 'DELETED';
        cluster.reason =
          status === 'FAILED' ? `Creation failed (${job.failure?.code ?? 'ems.00030002'}), resources rolled back` : 'Creation cancelled, resources rolled back';
        cluster.nodes = [];
      }
      break;
    case 'delete':
      if (ok) {
        cluster.status = 'DELETED';
        cluster.reason = 'Deleted';
        cluster.nodes = [];
      } else if (effect.previousStatus === 'RUNNING' || effect.previousStatus === 'FREEZE') {
        cluster.status = effect.previousStatus;
        cluster.reason = effect.previousReason;
      } else if (effect.previousStatus === 'CREATING') {
        cluster.status = 'FREEZE';
        cluster.reason = 'Creation was interrupted by a deletion that did not complete';
      } else {
        cluster.status = 'RUNNING';
        cluster.reason = 'Available';
      }
      break;
    case 'expand':
      if (ok) {
        cluster.nodes = [...cluster.nodes, ...effect.nodes];
        k8s.node_count = cluster.nodes.length;
      }
      cluster.status = 'RUNNING';
      cluster.reason = 'Available';
      break;
    case 'shrink':
      if (ok) {
        const removed = new Set(effect.nodes);
        cluster.nodes = cluster.nodes.filter((n) => !removed.has(n));
        k8s.node_count = cluster.nodes.length;
      }
      cluster.status = 'RUNNING';
      cluster.reason = 'Available';
      break;
    case 'upgrade':
      if (ok) k8s.version = effect.version;
      cluster.status = 'RUNNING';
      cluster.reason = 'Available';
      break;
  }
  cluster.updatedAt = Math.floor(at);
}
