import type { JobState, TaskState } from './jobs.js';
import type { ClusterRecord, Credential, Feature, Label, Release } from './store.js';
import type { SimulatorWire } from './types.js';

/**
 * The simulator's answers, written from its own state. Two ways of writing them (SimulatorWire):
 *
 * - `reference`: as the EMS reference describes, e.g. `""` for a job's or task's `begin_at` and
 *   `end_at` until they happen.
 * - `variant`: what another EMS implementation may send within what the reference allows, or
 *   beyond it where a cloud API evolves. Which variation a record gets depends on its id, so every
 *   answer (a list, ShowCluster, a subscription's poll) shows a record the same way:
 *   - clusters: a FREEZE cluster reports the unlisted status `SUSPENDED`; by id, one in four sends
 *     its numbers and booleans as strings, one `memory_specification: null`, no node label, an
 *     empty description and a null reason, one times with an offset and fractional seconds and no
 *     `project_id`, one an unlisted `lts_connect_type`; all carry extra fields;
 *   - jobs and tasks: unset times as null, left out, or `""`; progress as a string; empty messages;
 *     some old completed jobs report the unlisted status `SUCCEEDED` and no task list; extra fields;
 *   - labels: the CCE nodes' real Kubernetes labels (`kubernetes.io/hostname`, a 253 + 63 character
 *     prefixed key, empty values), a string `total`;
 *   - releases, features, credentials: null tags, string totals, switches and epoch times, numbers
 *     for string values, extra fields;
 *   - writes: extra fields; CancelJobs sends `failed_ids: null` when none failed.
 */
export class WireWriter {
  constructor(readonly mode: SimulatorWire) {}

  private get variant(): boolean {
    return this.mode === 'variant';
  }

  cluster(c: ClusterRecord, projectId: string): Json {
    const creatingOrGone = c.status === 'CREATING' || c.status === 'DELETED';
    const available = creatingOrGone ? 0 : c.nodes.length;
    const spec = c.spec;
    if (!this.variant) {
      return {
        cluster_metadata: {
          id: c.id,
          status: c.status,
          reason: c.reason,
          project_id: projectId,
          created_at: timestamp(c.createdAt),
          updated_at: timestamp(c.updatedAt),
          k8s_name: c.k8sName,
          available_node_count: available,
        },
        cluster_specification: structuredClone(spec),
      };
    }
    const v = variation(c.id, 4);
    const num = (n: number) => (v === 0 ? String(n) : n);
    const bool = (b: boolean) => (v === 0 ? String(b) : b);
    const time = (ms: number) => (v === 2 ? withOffset(ms) : timestamp(ms));
    const k = spec.k8s_cluster_specification;
    const metadata: Json = {
      id: c.id,
      status: c.status === 'FREEZE' ? 'SUSPENDED' : c.status,
      reason: v === 1 ? null : c.reason,
      created_at: time(c.createdAt),
      updated_at: time(c.updatedAt),
      k8s_name: v === 2 ? null : c.k8sName,
      available_node_count: num(available),
      enterprise_project_id: '0',
    };
    if (v !== 2) metadata.project_id = projectId;
    const k8s: Json = {
      k8s_cluster_id: k.k8s_cluster_id,
      namespace: k.namespace,
      node_count: num(k.node_count),
      flavor: k.flavor,
      version: k.version,
      lts_enable: bool(k.lts_enable),
      lts_connect_type: v === 3 ? 7 : num(k.lts_connect_type),
      monitor_enable: bool(k.monitor_enable),
      node_type: num(k.node_type),
      addon_version: `${k.version}-r1`,
    };
    if (v !== 1) k8s.label = { ...k.label };
    return {
      cluster_metadata: metadata,
      cluster_specification: {
        name: spec.name,
        description: v === 1 ? '' : spec.description,
        charge_mode: num(spec.charge_mode),
        k8s_cluster_specification: k8s,
        memory_specification:
          v === 1 ? null : { huge_page_num: num(spec.memory_specification.huge_page_num), huge_page_flavor: num(spec.memory_specification.huge_page_flavor) },
        tags: [],
      },
      links: { self: `/v1/clusters/${c.id}` },
    };
  }

  clusterList(clusters: Json[]): Json {
    return this.variant ? { clusters, count: clusters.length } : { clusters };
  }

  job(job: JobState): Json {
    if (!this.variant) {
      return {
        id: job.id,
        cluster_id: job.clusterId,
        name: job.kind,
        status: job.status,
        progress: job.progress,
        message: job.message,
        created_at: timestamp(job.createdAt),
        begin_at: job.beginAt === null ? '' : timestamp(job.beginAt),
        end_at: job.endAt === null ? '' : timestamp(job.endAt),
        task_list: job.tasks.map((task) => this.task(task, 0)),
      };
    }
    const v = variation(job.id, 3);
    const retired = job.history && job.status === 'COMPLETED' && variation(job.id, 5) === 0;
    const out: Json = {
      id: job.id,
      cluster_id: job.clusterId,
      name: job.kind,
      status: retired ? 'SUCCEEDED' : job.status,
      progress: v === 0 ? String(job.progress) : job.progress,
      message: job.message ?? (v === 1 ? '' : null),
      created_at: timestamp(job.createdAt),
      job_params: { source: 'console' },
    };
    unsetTime(out, 'begin_at', job.beginAt, v);
    unsetTime(out, 'end_at', job.endAt, v);
    out.task_list = retired ? null : job.tasks.map((task, i) => ({ ...this.task(task, v), step: i + 1 }));
    return out;
  }

  private task(task: TaskState, v: number): Json {
    const out: Json = { id: task.id, status: task.status, message: this.variant && v === 1 ? null : task.message, created_at: timestamp(task.createdAt) };
    if (!this.variant) {
      out.begin_at = task.beginAt === null ? '' : timestamp(task.beginAt);
      out.end_at = task.endAt === null ? '' : timestamp(task.endAt);
      return out;
    }
    unsetTime(out, 'begin_at', task.beginAt, v);
    unsetTime(out, 'end_at', task.endAt, v);
    return out;
  }

  jobList(jobs: Json[]): Json {
    return this.variant ? { jobs, total: jobs.length } : { jobs };
  }

  /** The node labels of a CCE cluster named `k8sName`, before paging. */
  labelsOf(k8sName: string, labels: readonly Label[]): Label[] {
    if (!this.variant) return [...labels];
    return [
      ...labels,
      { key: 'kubernetes.io/hostname', value: `${k8sName}-node-001` },
      { key: 'kubernetes.io/hostname', value: `${k8sName}-node-002` },
      { key: 'node.kubernetes.io/exclude-from-external-load-balancers', value: '' },
      { key: LONG_LABEL_KEY, value: '' },
      { key: 'cce.cloud.com/gpu-driver-version', value: '535.104.05' },
    ];
  }

  labelList(total: number, labels: Label[]): Json {
    if (!this.variant) return { total, labels };
    return { total: String(total), labels: labels.map((l) => ({ ...l, source: 'node' })) };
  }

  releaseList(total: number, releases: Release[]): Json {
    if (!this.variant) return { total, releases };
    return {
      total: String(total),
      releases: releases.map((r, i) => ({
        version: r.version,
        ...(r.tag === '' ? (i % 2 === 0 ? { tag: null } : {}) : { tag: r.tag }),
        ...(i % 2 === 0 ? { description: r.description } : {}),
        release_notes: `https://support.example.com/ems/${r.version}`,
      })),
    };
  }

  featureList(total: number, projectId: string, features: Feature[]): Json {
    if (!this.variant) return { total, project_id: projectId, features };
    return {
      total,
      project_id: projectId,
      features: features.map((f) => ({
        ...f,
        switch: String(f.switch),
        value: f.type === 'INT' && /^\d+$/.test(f.value) ? Number(f.value) : f.value,
        scope: 'project',
      })),
    };
  }

  credential(c: Credential): Json {
    return this.variant ? { ...c, createAt: String(c.createAt), status: 'ACTIVE' } : { ...c };
  }

  clusterJobAccepted(jobId: string, clusterId: string): Json {
    return this.variant ? { job_id: jobId, cluster_id: clusterId, status: 'SUBMITTED' } : { job_id: jobId, cluster_id: clusterId };
  }

  jobAccepted(jobId: string): Json {
    return this.variant ? { job_id: jobId, status: 'SUBMITTED' } : { job_id: jobId };
  }

  cancelled(success: number, failedIds: string[]): Json {
    const failed = this.variant && failedIds.length === 0 ? null : failedIds;
    return { success_rows: success, failed_rows: failedIds.length, failed_ids: failed };
  }
}

type Json = Record<string, unknown>;

/** A label key at the Kubernetes limits: a 253-character DNS prefix, `/`, a 63-character name. */
const LONG_LABEL_KEY = `${[63, 63, 63, 61].map((n, i) => `kvcache-placement-${i}`.padEnd(n, 'a')).join('.')}/${'memory-pool-preference'.padEnd(63, 'z')}`;

/** EMS's time format: UTC, second precision (`2020-09-25T12:05:00Z`). */
function timestamp(ms: number): string {
  return new Date(Math.floor(ms)).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The same instant at UTC+08:00 with milliseconds (`2020-09-25T20:05:00.000+08:00`). */
function withOffset(ms: number): string {
  return new Date(Math.floor(ms) + 8 * 3_600_000).toISOString().replace('Z', '+08:00');
}

/** A time that may not have happened yet: null, left out or `""`, by `v`. */
function unsetTime(out: Json, key: string, ms: number | null, v: number): void {
  if (ms !== null) out[key] = timestamp(ms);
  else if (v === 0) out[key] = null;
  else if (v === 2) out[key] = '';
}

/** 0..kinds-1 from an id (FNV-1a), the same on every answer. */
function variation(id: string, kinds: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  return (h >>> 0) % kinds;
}
