// The simulator shares request validation with the gateway (the request models and their rules);
// it writes every answer itself (wire.ts).
import {
  DEFAULT_NODE_LABEL,
  ENROLL_DEFAULT_VERSION,
  ENROLL_MIN_VERSION,
  EmsCancelJobsRequest,
  HUGE_PAGE_FLAVOR_DEFAULT,
  HUGE_PAGE_NUM_DEFAULT,
  EmsCreateClusterRequest,
  EmsEnrollClusterRequest,
  EmsJobId,
  EmsNodeNameListRequest,
  NODE_COUNT_MAX,
  NODE_COUNT_MIN,
  PROJECT_ID_PATTERN,
  UUID_PATTERN,
  type EmsJobType,
  type EmsOperation,
} from '../ems/models/index.js';
import type { Caller } from './auth.js';
import type { VirtualClock } from './clock.js';
import { emsErrors } from './errors.js';
import type { FaultInjector } from './faults.js';
import { addJob, jobState, newJob, settle, stopJob, type JobKind } from './jobs.js';
import { ALNUM, type Prng } from './prng.js';
import {
  COREDNS_TIERS,
  coreDnsRequirement,
  nodeName,
  type ClusterRecord,
  type ClusterSpec,
  type Credential,
  type K8sClusterRecord,
  type ProjectState,
  type SimulatorStore,
} from './store.js';
import { INT32_MAX, parseBody, parsePagination, type PaginationSpec } from './validation.js';
import type { WireWriter } from './wire.js';

/** What handlers need besides the request. */
export interface SimContext {
  store: SimulatorStore;
  clock: VirtualClock;
  faults: FaultInjector;
  /** Ids of resources created at run time. */
  ids: Prng;
  /** Writes the answers. */
  wire: WireWriter;
}

export interface OperationRequest {
  /** Decoded path parameters, in path order. */
  params: string[];
  query: URLSearchParams;
  rawBody: Buffer;
  caller: Caller;
}

export interface Reply {
  status: number;
  /** Omitted for 204. */
  body?: unknown;
}

/** Runs with the caller's project already settled at `nowMs`. */
export type Handler = (ctx: SimContext, req: OperationRequest, project: ProjectState, nowMs: number) => Reply;

/** Writes and the IAM action each needs; read-only callers get 403 on them. */
export const WRITE_ACTIONS: Partial<Record<EmsOperation, string>> = {
  CreateCluster: 'ems:cluster:create',
  DeleteClusterById: 'ems:cluster:delete',
  AuthorizeCluster: 'ems:cluster:authorize',
  EnrollCluster: 'ems:cluster:enroll',
  ExpandCluster: 'ems:cluster:expand',
  ShrinkCluster: 'ems:cluster:shrink',
  CreateCredentialInfo: 'ems:credential:create',
  CancelJobs: 'ems:job:cancel',
};

const RELEASE_PAGE: PaginationSpec = { defaultLimit: 100, minLimit: 0, maxLimit: 1000, maxOffset: INT32_MAX };
const FEATURE_PAGE: PaginationSpec = RELEASE_PAGE;
const LABEL_PAGE: PaginationSpec = { defaultLimit: 2000, minLimit: 1, maxLimit: 2000, maxOffset: 2000 };
const CLUSTER_PAGE: PaginationSpec = { defaultLimit: 1000, minLimit: 0, maxLimit: 1000, maxOffset: INT32_MAX };
const JOB_PAGE: PaginationSpec = CLUSTER_PAGE;


function jsonBody(req: OperationRequest): unknown {
  const text = req.rawBody.toString('utf8');
  if (text.trim() === '') throw emsErrors.invalidParameter('request body is required');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw emsErrors.invalidParameter(`malformed JSON body: ${(err as Error).message}`);
  }
}

function clusterIdParam(req: OperationRequest): string {
  const id = req.params[0] ?? '';
  if (!UUID_PATTERN.test(id)) throw emsErrors.invalidParameter(`cluster_id: must be a UUID (8-4-4-4-12 hexadecimal digits), got [${id}]`);
  return id;
}

function findCluster(project: ProjectState, id: string): ClusterRecord {
  const cluster = project.clusters.get(id.toLowerCase());
  if (!cluster) throw emsErrors.clusterNotFound(id);
  return cluster;
}

function projectIdParam(req: OperationRequest): string {
  const id = req.params[0] ?? '';
  if (!PROJECT_ID_PATTERN.test(id)) throw emsErrors.invalidParameter(`project_id: must be 1-255 letters or digits, got [${id}]`);
  if (id !== req.caller.projectId) throw emsErrors.projectMismatch();
  return id;
}

function page<T>(items: readonly T[], p: { limit: number; offset: number }): T[] {
  return items.slice(p.offset, p.offset + p.limit);
}

function nameTaken(project: ProjectState, name: string, exceptId?: string): boolean {
  for (const c of project.clusters.values()) {
    if (c.status !== 'DELETED' && c.spec.name === name && c.id !== exceptId) return true;
  }
  return false;
}

/**
 * The CCE cluster of `id` in the project. An unknown id is accepted: a CCE cluster with the
 * largest CoreDNS flavor, no CIE collector and the usual node labels is registered for it.
 */
function k8sCluster(project: ProjectState, id: string, label: { key: string; value: string }): K8sClusterRecord {
  const lower = id.toLowerCase();
  const existing = project.k8sClusters.get(lower);
  if (existing) return existing;
  const created: K8sClusterRecord = {
    id: lower,
    name: `cce-${lower.slice(0, 8)}`,
    labels: [
      { key: label.key, value: label.value },
      { key: 'kubernetes.io/arch', value: 'amd64' },
      { key: 'kubernetes.io/os', value: 'linux' },
      { key: 'topology.kubernetes.io/region', value: 'cn-north-4' },
    ],
    coreDnsTier: COREDNS_TIERS.length - 1,
    cieCustomMetrics: false,
  };
  project.k8sClusters.set(lower, created);
  return created;
}

/** CIE-collector and CoreDNS checks of a CCE cluster that is to hold `nodes` EMS nodes. */
function checkAddons(k8s: K8sClusterRecord, nodes: number, monitorEnable: boolean | null): void {
  if (monitorEnable !== false && k8s.cieCustomMetrics) throw emsErrors.cieCollectorConflict();
  if (nodes > COREDNS_TIERS[k8s.coreDnsTier]!.maxNodes) throw emsErrors.coreDnsTooSmall(nodes, coreDnsRequirement(nodes));
}

function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

function knownVersion(store: SimulatorStore, version: string): string {
  if (!store.releases.some((r) => r.version === version)) {
    throw emsErrors.invalidParameter(`k8s_cluster_specification.version: unknown EMS version [${version}], see ListReleases`);
  }
  return version;
}

function submit(
  ctx: SimContext,
  project: ProjectState,
  cluster: ClusterRecord,
  kind: JobKind,
  nowMs: number,
  effect: Parameters<typeof newJob>[1]['effect'],
): string {
  const job = newJob(ctx.ids, { kind, clusterId: cluster.id, createdAt: nowMs, effect, failure: ctx.faults.jobFailure(kind) });
  addJob(project, job);
  return job.id;
}

function provisionedNodes(name: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => nodeName(name, i + 1));
}

/** Node count of an existing deployment being enrolled: 3..8, stable for a CCE cluster and namespace. */
function enrolledNodeCount(k8sId: string, namespace: string): number {
  let h = 0;
  for (const ch of `${k8sId}/${namespace}`) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return 3 + (h % 6);
}

const listReleases: Handler = (ctx, req) => {
  const p = parsePagination(req.query, RELEASE_PAGE);
  return { status: 200, body: ctx.wire.releaseList(ctx.store.releases.length, page(ctx.store.releases, p)) };
};

const listFeatures: Handler = (ctx, req, project) => {
  const p = parsePagination(req.query, FEATURE_PAGE);
  return { status: 200, body: ctx.wire.featureList(project.features.length, project.id, page(project.features, p)) };
};

const listClustersLabels: Handler = (ctx, req, project) => {
  const ids = req.query.getAll('k8s_cluster_id');
  if (ids.length === 0) throw emsErrors.invalidParameter('k8s_cluster_id: is required');
  const id = ids[0]!;
  if (ids.length > 1 || !UUID_PATTERN.test(id)) {
    throw emsErrors.invalidParameter(`k8s_cluster_id: must be one UUID (8-4-4-4-12 hexadecimal digits), got [${ids.join(',')}]`);
  }
  const p = parsePagination(req.query, LABEL_PAGE);
  const k8s = project.k8sClusters.get(id.toLowerCase());
  const labels = k8s ? ctx.wire.labelsOf(k8s.name, k8s.labels) : [];
  return { status: 200, body: ctx.wire.labelList(labels.length, page(labels, p)) };
};

/** The `k8s_cluster_specification` of a CreateCluster or EnrollCluster body (enroll has no node_type). */
type RequestedK8s = EmsCreateClusterRequest['k8s_cluster_specification'] | EmsEnrollClusterRequest['k8s_cluster_specification'];

/**
 * Admits a new cluster (create or enroll) in the order EMS checks: a free name, its CCE cluster's
 * add-ons for the node count (`nodeCountOf`, once the CCE cluster is known), then the injected
 * creation failure. Returns the cluster's K8s specification with the defaults filled in.
 */
function admitCluster(
  ctx: SimContext,
  project: ProjectState,
  name: string,
  k: RequestedK8s,
  version: string,
  nodeCountOf: (k8s: K8sClusterRecord) => number,
) {
  if (nameTaken(project, name)) throw emsErrors.duplicateName(name);
  const label = k.label ?? DEFAULT_NODE_LABEL;
  const k8s = k8sCluster(project, k.k8s_cluster_id, label);
  const nodeCount = nodeCountOf(k8s);
  const monitor = k.monitor_enable ?? true;
  checkAddons(k8s, nodeCount, monitor);
  if (ctx.faults.createFails()) throw emsErrors.createFailed();
  const spec: ClusterSpec['k8s_cluster_specification'] = {
    k8s_cluster_id: k8s.id,
    namespace: k.namespace ?? null,
    label: { key: label.key, value: label.value },
    node_count: nodeCount,
    flavor: k.flavor ?? null,
    version,
    lts_enable: k.lts_enable ?? true,
    lts_connect_type: k.lts_connect_type ?? 0,
    monitor_enable: monitor,
    node_type: ('node_type' in k ? k.node_type : null) ?? 0,
  };
  return { k8s, nodeCount, spec };
}

/** Stores a new (or revived) cluster as CREATING and submits the job that provisions it: the 202 answer. */
function startCluster(
  ctx: SimContext,
  project: ProjectState,
  nowMs: number,
  job: 'CreateCluster' | 'EnrollCluster',
  cluster: Omit<ClusterRecord, 'status' | 'updatedAt' | 'nodes'>,
  nodeCount: number,
): Reply {
  const record: ClusterRecord = { ...cluster, status: 'CREATING', updatedAt: Math.floor(nowMs), nodes: [] };
  project.clusters.set(record.id, record);
  const jobId = submit(ctx, project, record, job, nowMs, { kind: 'create', nodes: provisionedNodes(record.spec.name, nodeCount) });
  return { status: 202, body: ctx.wire.clusterJobAccepted(jobId, record.id) };
}

const createCluster: Handler = (ctx, req, project, nowMs) => {
  const input = parseBody(EmsCreateClusterRequest, jsonBody(req));
  const k = input.k8s_cluster_specification;
  const version = k.version != null ? knownVersion(ctx.store, k.version) : ctx.store.preferredVersion();
  const { k8s, nodeCount, spec } = admitCluster(ctx, project, input.name, k, version, () => k.node_count ?? NODE_COUNT_MIN);
  const memory = input.memory_specification;
  return startCluster(
    ctx,
    project,
    nowMs,
    'CreateCluster',
    {
      id: ctx.ids.uuid(),
      reason: 'Creating',
      createdAt: Math.floor(nowMs),
      k8sName: k8s.name,
      spec: {
        name: input.name,
        description: input.description ?? null,
        charge_mode: input.charge_mode ?? 0,
        k8s_cluster_specification: spec,
        memory_specification: {
          huge_page_num: memory?.huge_page_num ?? HUGE_PAGE_NUM_DEFAULT,
          huge_page_flavor: memory?.huge_page_flavor ?? HUGE_PAGE_FLAVOR_DEFAULT,
        },
      },
    },
    nodeCount,
  );
};

const listClusters: Handler = (ctx, req, project) => {
  const p = parsePagination(req.query, CLUSTER_PAGE);
  return { status: 200, body: ctx.wire.clusterList(page([...project.clusters.values()], p).map((c) => ctx.wire.cluster(c, project.id))) };
};

const showCluster: Handler = (ctx, req, project) => {
  const cluster = findCluster(project, clusterIdParam(req));
  return { status: 200, body: ctx.wire.cluster(cluster, project.id) };
};

const deleteCluster: Handler = (ctx, req, project, nowMs) => {
  const cluster = findCluster(project, clusterIdParam(req));
  if (cluster.status === 'DELETING' || cluster.status === 'DELETED') throw emsErrors.cannotDelete(cluster.status);
  if (ctx.faults.deleteFails()) throw emsErrors.deleteFailed();
  // A delete supersedes whatever the cluster was doing.
  for (const id of project.pending) {
    const job = project.jobs.get(id);
    if (job && job.clusterId === cluster.id) stopJob(job, nowMs, true);
  }
  settle(project, nowMs);
  const effect = { kind: 'delete', previousStatus: cluster.status, previousReason: cluster.reason } as const;
  cluster.status = 'DELETING';
  cluster.reason = 'Deleting';
  cluster.updatedAt = Math.floor(nowMs);
  return { status: 202, body: ctx.wire.jobAccepted(submit(ctx, project, cluster, 'DeleteCluster', nowMs, effect)) };
};

const authorizeCluster: Handler = (_ctx, req, project) => {
  const cluster = findCluster(project, clusterIdParam(req));
  if (cluster.status === 'DELETING' || cluster.status === 'DELETED') throw emsErrors.wrongState('authorized', cluster.status);
  return { status: 204 };
};

const enrollCluster: Handler = (ctx, req, project, nowMs) => {
  const input = parseBody(EmsEnrollClusterRequest, jsonBody(req));
  const k = input.k8s_cluster_specification;
  let version = ctx.store.preferredVersion();
  if (k.version != null && k.version !== ENROLL_DEFAULT_VERSION) {
    if (!/^\d+\.\d+\.\d+$/.test(k.version)) {
      throw emsErrors.invalidParameter(`k8s_cluster_specification.version: must be an EMS version like ${ENROLL_MIN_VERSION}, got [${k.version}]`);
    }
    if (compareVersions(k.version, ENROLL_MIN_VERSION) < 0) {
      throw emsErrors.outOfRange('k8s_cluster_specification', 'version', 'greater', ENROLL_MIN_VERSION);
    }
    version = knownVersion(ctx.store, k.version);
  }
  const previous = input.cluster_id != null ? project.clusters.get(input.cluster_id.toLowerCase()) : undefined;
  if (previous && previous.status !== 'DELETED') throw emsErrors.wrongState('enrolled', previous.status);
  const { k8s, nodeCount, spec } = admitCluster(ctx, project, input.name, k, version, (cce) => enrolledNodeCount(cce.id, k.namespace));
  return startCluster(
    ctx,
    project,
    nowMs,
    'EnrollCluster',
    {
      id: previous?.id ?? input.cluster_id?.toLowerCase() ?? ctx.ids.uuid(),
      reason: 'Enrolling',
      createdAt: previous?.createdAt ?? Math.floor(nowMs),
      k8sName: k8s.name,
      spec: {
        name: input.name,
        description: input.description ?? null,
        charge_mode: 0,
        k8s_cluster_specification: spec,
        memory_specification: { huge_page_num: HUGE_PAGE_NUM_DEFAULT, huge_page_flavor: HUGE_PAGE_FLAVOR_DEFAULT },
      },
    },
    nodeCount,
  );
};

/** Non-DELETED clusters of the project on the same CCE cluster, other than `cluster`. */
function neighbours(project: ProjectState, cluster: ClusterRecord): ClusterRecord[] {
  const k8sId = cluster.spec.k8s_cluster_specification.k8s_cluster_id;
  return [...project.clusters.values()].filter(
    (c) => c !== cluster && c.status !== 'DELETED' && c.spec.k8s_cluster_specification.k8s_cluster_id === k8sId,
  );
}

/** The cluster and node names of an expand or shrink request; only a RUNNING cluster changes nodes. */
function nodeChangeRequest(req: OperationRequest, project: ProjectState): { cluster: ClusterRecord; names: string[] } {
  const cluster = findCluster(project, clusterIdParam(req));
  const { node_name_list: names } = parseBody(EmsNodeNameListRequest, jsonBody(req));
  if (cluster.status !== 'RUNNING') throw emsErrors.notRunning(cluster.status);
  return { cluster, names };
}

/** Moves the cluster into EXPANDING/SHRINKING and submits the job that changes its nodes. */
function startNodeChange(
  ctx: SimContext,
  project: ProjectState,
  cluster: ClusterRecord,
  nowMs: number,
  kind: 'expand' | 'shrink',
  names: string[],
): Reply {
  const nodes = `${names.length} node${names.length === 1 ? '' : 's'}`;
  cluster.status = kind === 'expand' ? 'EXPANDING' : 'SHRINKING';
  cluster.reason = kind === 'expand' ? `Expanding: adding ${nodes}` : `Shrinking: removing ${nodes}`;
  cluster.updatedAt = Math.floor(nowMs);
  const job = kind === 'expand' ? 'ExpandCluster' : 'ShrinkCluster';
  return { status: 202, body: ctx.wire.jobAccepted(submit(ctx, project, cluster, job, nowMs, { kind, nodes: [...names] })) };
}

const expandCluster: Handler = (ctx, req, project, nowMs) => {
  const { cluster, names } = nodeChangeRequest(req, project);
  const members = new Set(cluster.nodes);
  for (const name of names) {
    if (members.has(name)) throw emsErrors.invalidParameter(`node_name_list: node [${name}] is already a member of cluster [${cluster.id}]`);
  }
  for (const other of neighbours(project, cluster)) {
    const taken = names.find((n) => other.nodes.includes(n));
    if (taken) throw emsErrors.invalidParameter(`node_name_list: node [${taken}] already belongs to EMS cluster [${other.id}]`);
  }
  const after = cluster.nodes.length + names.length;
  if (after > NODE_COUNT_MAX) throw emsErrors.outOfRange('k8s_cluster_specification', 'node_count', 'less', NODE_COUNT_MAX);
  const k8s = project.k8sClusters.get(cluster.spec.k8s_cluster_specification.k8s_cluster_id);
  if (k8s) checkAddons(k8s, after, false);
  return startNodeChange(ctx, project, cluster, nowMs, 'expand', names);
};

const shrinkCluster: Handler = (ctx, req, project, nowMs) => {
  const { cluster, names } = nodeChangeRequest(req, project);
  const members = new Set(cluster.nodes);
  for (const name of names) {
    if (!members.has(name)) throw emsErrors.invalidParameter(`node_name_list: node [${name}] is not a member of cluster [${cluster.id}]`);
  }
  if (cluster.nodes.length - names.length < NODE_COUNT_MIN) {
    throw emsErrors.outOfRange('k8s_cluster_specification', 'node_count', 'greater', NODE_COUNT_MIN);
  }
  return startNodeChange(ctx, project, cluster, nowMs, 'shrink', names);
};

const createCredentialInfo: Handler = (ctx, req, project, nowMs) => {
  projectIdParam(req);
  const credential: Credential = { projectId: project.id, cdKey: ctx.ids.chars(32, ALNUM), createAt: Math.floor(nowMs) };
  project.credentials.push(credential);
  return { status: 200, body: ctx.wire.credential(credential) };
};

const showCredentialInfo: Handler = (ctx, req, project) => {
  projectIdParam(req);
  return { status: 200, body: project.credentials.map((c) => ctx.wire.credential(c)) };
};

const listJobs: Handler = (ctx, req, project, nowMs) => {
  const types = req.query.getAll('job_type');
  const type = (types[0] ?? 'short') as EmsJobType;
  if (types.length > 1 || (type !== 'short' && type !== 'long')) {
    throw emsErrors.invalidParameter(`job_type: must be one of "short", "long", got [${types.join(',')}]`);
  }
  const p = parsePagination(req.query, JOB_PAGE);
  const ofType = [...project.jobs.values()].filter((j) => j.type === type);
  return { status: 200, body: ctx.wire.jobList(page(ofType, p).map((j) => ctx.wire.job(jobState(j, nowMs)))) };
};

const showJob: Handler = (ctx, req, project, nowMs) => {
  const id = req.params[0] ?? '';
  const parsed = EmsJobId.safeParse(id);
  if (!parsed.success) throw emsErrors.invalidParameter(`job_id: ${parsed.error.issues[0]?.message ?? 'invalid'}, got [${id}]`);
  const job = project.jobs.get(id);
  if (!job) throw emsErrors.jobNotFound(id);
  return { status: 200, body: ctx.wire.job(jobState(job, nowMs)) };
};

const cancelJobs: Handler = (ctx, req, project, nowMs) => {
  const { job_ids: ids } = parseBody(EmsCancelJobsRequest, jsonBody(req));
  const failed: string[] = [];
  let success = 0;
  for (const id of ids) {
    const job = project.jobs.get(id);
    if (job && stopJob(job, nowMs)) success += 1;
    else failed.push(id);
  }
  settle(project, nowMs);
  return { status: 200, body: ctx.wire.cancelled(success, failed) };
};

export const HANDLERS: Readonly<Record<EmsOperation, Handler>> = {
  ListReleases: listReleases,
  ListFeatures: listFeatures,
  ListClustersLabels: listClustersLabels,
  CreateCluster: createCluster,
  ListClusters: listClusters,
  ShowCluster: showCluster,
  DeleteClusterById: deleteCluster,
  AuthorizeCluster: authorizeCluster,
  EnrollCluster: enrollCluster,
  ExpandCluster: expandCluster,
  ShrinkCluster: shrinkCluster,
  CreateCredentialInfo: createCredentialInfo,
  ShowCredentialInfo: showCredentialInfo,
  ListJobs: listJobs,
  ShowJob: showJob,
  CancelJobs: cancelJobs,
};
