import { addJob, newJob, planFailure, type JobEffect, type JobKind } from './jobs.js';
import { ALNUM, Prng, UPPER_ALNUM } from './prng.js';
import {
  emptyProject,
  nodeName,
  SimulatorStore,
  type ClusterRecord,
  type ClusterSpec,
  type ClusterStatus,
  type Feature,
  type Label,
  type Release,
  type K8sClusterRecord,
  type ProjectState,
} from './store.js';
import type { SimulatorCredentials } from './types.js';

/**
 * Seeded data: releases, two projects with their CCE clusters (labels, CoreDNS flavor, CIE
 * collector), EMS clusters in mixed states with their job history, features, credentials, and the
 * callers' tokens and access key. Everything is drawn from `Prng(seed, ...)` and placed relative to
 * the clock's start, so a seed always gives the same world.
 */

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

export const RELEASES: readonly Release[] = [
  {
    version: '25.6.0',
    tag: '',
    description:
      'EMS 25.6.0: first commercial release. Pools the DRAM of CCE nodes into a KV cache for vLLM and MindIE, 2 MiB huge pages.',
  },
  {
    version: '25.9.0',
    tag: '',
    description: 'EMS 25.9.0: 1 GiB huge pages, log shipping through icagent, expand and shrink without restarting inference engines.',
  },
  {
    version: '25.12.0',
    tag: 'PREFERRED_VERSION',
    description:
      'EMS 25.12.0: takes existing EMS deployments under management (EnrollCluster), up to 512 nodes per cluster, prefix-aware eviction.',
  },
];


interface K8sSeed {
  name: string;
  arch: 'amd64' | 'arm64';
  flavor: string;
  zone: string;
  pool: string;
  accelerator: string;
  coreDnsTier: number;
  cie: boolean;
}

/**
 * CCE clusters of the main project. `cce-dev-bj4` runs the smallest CoreDNS flavor (at most 50
 * nodes); `cce-observability-bj4` runs the CIE collector with enable_custom_metrics=true;
 * `cce-sandbox-bj4` hosts no EMS cluster.
 */
const MAIN_K8S: Record<string, K8sSeed> = {
  prodA: { name: 'cce-prod-bj4-a', arch: 'amd64', flavor: 'c7.16xlarge.4', zone: 'cn-north-4a', pool: 'kvcache-pool-a', accelerator: 'nvidia-l40s', coreDnsTier: 2, cie: false },
  prodB: { name: 'cce-prod-bj4-b', arch: 'amd64', flavor: 'c7.16xlarge.4', zone: 'cn-north-4b', pool: 'kvcache-pool-b', accelerator: 'nvidia-l40s', coreDnsTier: 2, cie: false },
  ascend: { name: 'cce-ascend-bj4', arch: 'arm64', flavor: 'kc2.32xlarge.4', zone: 'cn-north-4c', pool: 'ascend-pool', accelerator: 'huawei-Ascend910B', coreDnsTier: 2, cie: false },
  staging: { name: 'cce-staging-bj4', arch: 'amd64', flavor: 'c7.8xlarge.4', zone: 'cn-north-4a', pool: 'staging-pool', accelerator: 'nvidia-t4', coreDnsTier: 1, cie: false },
  dev: { name: 'cce-dev-bj4', arch: 'amd64', flavor: 'c7.4xlarge.4', zone: 'cn-north-4a', pool: 'dev-pool', accelerator: 'none', coreDnsTier: 0, cie: false },
  obs: { name: 'cce-observability-bj4', arch: 'amd64', flavor: 'c7.8xlarge.4', zone: 'cn-north-4b', pool: 'obs-pool', accelerator: 'none', coreDnsTier: 1, cie: true },
  sandbox: { name: 'cce-sandbox-bj4', arch: 'arm64', flavor: 'kc2.8xlarge.4', zone: 'cn-north-4c', pool: 'sandbox-pool', accelerator: 'none', coreDnsTier: 0, cie: false },
};

const OTHER_K8S: Record<string, K8sSeed> = {
  search: { name: 'cce-search-bj4', arch: 'amd64', flavor: 'c7.16xlarge.4', zone: 'cn-north-4a', pool: 'search-pool', accelerator: 'nvidia-l40s', coreDnsTier: 2, cie: false },
  ads: { name: 'cce-ads-bj4', arch: 'arm64', flavor: 'kc2.32xlarge.4', zone: 'cn-north-4b', pool: 'ads-pool', accelerator: 'huawei-Ascend910B', coreDnsTier: 1, cie: false },
};

type HistoryStep = 'expand' | 'expandFailed' | 'shrink' | 'shrinkStopped';

interface ClusterSeed {
  name: string;
  k8s: string;
  status: ClusterStatus;
  nodes: number;
  version: string;
  description: string;
  hugePages?: number;
  monitor?: boolean;
  enrolled?: boolean;
  reason?: string;
  history?: HistoryStep[];
  /** For in-progress states: seconds since the running job was submitted. */
  startedAgoS?: number;
  /** EXPANDING: nodes being added; SHRINKING: nodes being removed. */
  delta?: number;
}

const MAIN_CLUSTERS: readonly ClusterSeed[] = [
  { name: 'kvcache-prod-01', k8s: 'prodA', status: 'RUNNING', nodes: 16, version: '25.12.0', description: 'KV cache for the production chat service', hugePages: 262144, history: ['expand'] },
  { name: 'kvcache-prod-02', k8s: 'prodA', status: 'RUNNING', nodes: 16, version: '25.12.0', description: 'KV cache for the production chat service (zone a, second pool)', hugePages: 262144 },
  { name: 'kvcache-prod-03', k8s: 'prodB', status: 'RUNNING', nodes: 32, version: '25.9.0', description: 'KV cache for batch summarisation', hugePages: 393216, history: ['expandFailed', 'expand'] },
  { name: 'kvcache-prod-04', k8s: 'prodB', status: 'EXPANDING', nodes: 24, version: '25.12.0', description: 'KV cache for the code assistant', startedAgoS: 5, delta: 4 },
  { name: 'llm-infer-prod-01', k8s: 'prodA', status: 'RUNNING', nodes: 8, version: '25.9.0', description: 'Prefix cache for the LLM inference gateway' },
  { name: 'deepseek-r1-kvcache', k8s: 'ascend', status: 'RUNNING', nodes: 64, version: '25.12.0', description: 'DeepSeek-R1 on Ascend, long-context KV cache', hugePages: 393216, history: ['shrink'] },
  { name: 'qwen3-235b-kvcache', k8s: 'ascend', status: 'RUNNING', nodes: 48, version: '25.12.0', description: 'Qwen3-235B MoE serving', hugePages: 262144, history: ['shrinkStopped'] },
  { name: 'pangu-serving-cache', k8s: 'ascend', status: 'SHRINKING', nodes: 12, version: '25.9.0', description: 'Pangu model serving', startedAgoS: 12, delta: 2 },
  { name: 'rag-embed-cache-01', k8s: 'staging', status: 'RUNNING', nodes: 6, version: '25.9.0', description: 'Embedding cache for retrieval-augmented generation' },
  { name: 'kvcache-staging-01', k8s: 'staging', status: 'RUNNING', nodes: 4, version: '25.12.0', description: 'Enrolled from a self-managed deployment', enrolled: true },
  { name: 'kvcache-staging-02', k8s: 'staging', status: 'UPGRADING', nodes: 4, version: '25.9.0', description: 'Staging, upgrading to 25.12.0', startedAgoS: 30 },
  { name: 'kvcache-canary-01', k8s: 'prodB', status: 'CREATING', nodes: 8, version: '25.12.0', description: 'Canary for the next model release', startedAgoS: 40 },
  { name: 'kvcache-canary-02', k8s: 'prodB', status: 'CREATING', nodes: 8, version: '25.12.0', description: 'Canary, second zone', startedAgoS: 100 },
  { name: 'kvcache-dev-01', k8s: 'dev', status: 'RUNNING', nodes: 3, version: '25.6.0', description: 'Developer sandbox' },
  { name: 'kvcache-dev-02', k8s: 'dev', status: 'RUNNING', nodes: 4, version: '25.12.0', description: 'Developer sandbox on the preferred release' },
  { name: 'kvcache-dev-old', k8s: 'dev', status: 'DELETED', nodes: 3, version: '25.6.0', description: 'Old developer sandbox' },
  { name: 'kvcache-legacy-01', k8s: 'prodA', status: 'DELETED', nodes: 8, version: '25.6.0', description: 'Retired after the move to kvcache-prod-01' },
  { name: 'kvcache-test-tmp', k8s: 'dev', status: 'DELETING', nodes: 3, version: '25.9.0', description: 'Temporary load-test cluster', startedAgoS: 20 },
  { name: 'kvcache-arrears-01', k8s: 'staging', status: 'FREEZE', nodes: 6, version: '25.9.0', description: 'Team B experiments', reason: 'Frozen: the account is in arrears' },
  { name: 'metrics-kvcache-01', k8s: 'obs', status: 'RUNNING', nodes: 4, version: '25.12.0', description: 'Cache for the metrics query engine', monitor: false },
];

const OTHER_CLUSTERS: readonly ClusterSeed[] = [
  { name: 'search-rerank-cache', k8s: 'search', status: 'RUNNING', nodes: 8, version: '25.12.0', description: 'Re-ranking model KV cache' },
  { name: 'ads-ctr-kvcache', k8s: 'ads', status: 'RUNNING', nodes: 6, version: '25.9.0', description: 'CTR model serving' },
  { name: 'recsys-kvcache-01', k8s: 'search', status: 'CREATING', nodes: 6, version: '25.12.0', description: 'Recommendation LLM', startedAgoS: 60 },
  { name: 'ads-old-cache', k8s: 'ads', status: 'DELETED', nodes: 3, version: '25.6.0', description: 'Retired' },
];

function features(projectId: string, variant: 'main' | 'other'): Feature[] {
  const main = variant === 'main';
  return [
    { feature: 'feature.gates.batch_create_v2_loadbalancers_amount', switch: true, type: 'INT', value: '10', description: '' },
    { feature: 'feature.gates.enroll_cluster', switch: true, type: 'BOOLEAN', value: 'true', description: 'Take existing EMS deployments (25.12.0 and later) under management' },
    { feature: 'feature.gates.max_clusters_per_project', switch: true, type: 'INT', value: main ? '50' : '20', description: 'Most EMS clusters a project may hold' },
    { feature: 'feature.gates.max_nodes_per_cluster', switch: true, type: 'INT', value: '512', description: 'Most nodes in one EMS cluster' },
    { feature: 'feature.gates.huge_page_1g', switch: !main, type: 'BOOLEAN', value: main ? 'false' : 'true', description: '1 GiB huge pages for the memory pool' },
    { feature: 'feature.gates.lts_icagent', switch: true, type: 'BOOLEAN', value: 'true', description: 'Ship logs to LTS through icagent' },
    { feature: 'feature.gates.kvcache_ssd_tiering', switch: false, type: 'BOOLEAN', value: 'false', description: 'Spill cold KV cache blocks to local SSD' },
    { feature: 'feature.gates.default_namespace', switch: true, type: 'STRING', value: 'ems-system', description: `Namespace suggested for project ${projectId.slice(0, 8)}` },
  ];
}

function k8sLabels(k: K8sSeed): Label[] {
  const labels: Label[] = [
    { key: 'ems', value: 'true' },
    { key: 'kubernetes.io/arch', value: k.arch },
    { key: 'kubernetes.io/os', value: 'linux' },
    { key: 'node.kubernetes.io/instance-type', value: k.flavor },
    { key: 'topology.kubernetes.io/region', value: 'cn-north-4' },
    { key: 'topology.kubernetes.io/zone', value: k.zone },
    { key: 'failure-domain.beta.kubernetes.io/zone', value: k.zone },
    { key: 'cce.cloud.com/cce-nodepool', value: k.pool },
    { key: 'os.name', value: k.arch === 'arm64' ? 'HCE_OS_2.0' : 'EulerOS_2.0_SP10' },
    { key: 'node.cce.io/billing-mode', value: 'post-paid' },
    { key: 'node-role.kubernetes.io/worker', value: '' },
  ];
  if (k.accelerator !== 'none') labels.push({ key: 'accelerator', value: k.accelerator });
  labels.push({ key: 'kvcache.ems.io/role', value: 'memory-pool' });
  return labels;
}

export interface SeededWorld {
  store: SimulatorStore;
  credentials: SimulatorCredentials;
}

/**
 * Builds the world for `seed` at virtual time `nowMs`.
 * @param clusterCount main-project clusters: the first N of the curated list, then generated
 *   RUNNING ones (`kvcache-pool-021`, ...) beyond 20.
 */
export function seedWorld(seed: number, clusterCount: number, nowMs: number): SeededWorld {
  const rng = new Prng(seed, 'seed');
  const store = new SimulatorStore();
  store.releases = RELEASES.map((r) => ({ ...r }));

  const mainId = rng.hex(32);
  const otherId = rng.hex(32);
  const main = emptyProject(mainId);
  const other = emptyProject(otherId);
  store.projects.set(mainId, main);
  store.projects.set(otherId, other);

  const mainK8s = addK8sClusters(main, MAIN_K8S, rng);
  const otherK8s = addK8sClusters(other, OTHER_K8S, rng);

  const mainSeeds: ClusterSeed[] = MAIN_CLUSTERS.slice(0, Math.max(0, clusterCount));
  const pools = ['prodA', 'prodB', 'staging', 'ascend'];
  for (let i = MAIN_CLUSTERS.length; i < clusterCount; i++) {
    mainSeeds.push({
      name: `kvcache-pool-${String(i + 1).padStart(3, '0')}`,
      k8s: pools[i % pools.length]!,
      status: 'RUNNING',
      nodes: 3 + (i % 6),
      version: RELEASES[i % RELEASES.length]!.version,
      description: 'Generated cluster',
    });
  }
  addClusters(main, mainK8s, mainSeeds, nowMs, rng);
  addClusters(other, otherK8s, OTHER_CLUSTERS, nowMs, rng);

  main.features = features(mainId, 'main');
  other.features = features(otherId, 'other');
  for (const [project, n] of [[main, 2], [other, 1]] as const) {
    for (let i = 0; i < n; i++) {
      project.credentials.push({ projectId: project.id, cdKey: rng.chars(32, ALNUM), createAt: Math.floor(nowMs - (30 - i * 7) * DAY - rng.int(0, DAY)) });
    }
  }

  const token = () => `MIIsim${rng.chars(90, `${ALNUM}-_`)}`;
  const credentials: SimulatorCredentials = {
    projectId: mainId,
    token: token(),
    readOnlyToken: token(),
    otherProjectId: otherId,
    otherProjectToken: token(),
    expiredToken: token(),
    ak: rng.chars(20, UPPER_ALNUM),
    sk: rng.chars(40, ALNUM),
  };
  store.tokens.set(credentials.token, { projectId: mainId, readOnly: false, expired: false });
  store.tokens.set(credentials.readOnlyToken, { projectId: mainId, readOnly: true, expired: false });
  store.tokens.set(credentials.otherProjectToken, { projectId: otherId, readOnly: false, expired: false });
  store.tokens.set(credentials.expiredToken, { projectId: mainId, readOnly: false, expired: true });
  store.accessKeys.set(credentials.ak, { sk: credentials.sk, projectId: mainId });
  return { store, credentials };
}

function addK8sClusters(project: ProjectState, seeds: Record<string, K8sSeed>, rng: Prng): Map<string, K8sClusterRecord> {
  const byKey = new Map<string, K8sClusterRecord>();
  for (const [key, k] of Object.entries(seeds)) {
    const rec: K8sClusterRecord = { id: rng.uuid(), name: k.name, labels: k8sLabels(k), coreDnsTier: k.coreDnsTier, cieCustomMetrics: k.cie };
    project.k8sClusters.set(rec.id, rec);
    byKey.set(key, rec);
  }
  return byKey;
}

function specOf(seed: ClusterSeed, k8s: K8sClusterRecord, flavor: string): ClusterSpec {
  return {
    name: seed.name,
    description: seed.description,
    charge_mode: 0,
    k8s_cluster_specification: {
      k8s_cluster_id: k8s.id,
      namespace: 'ems-system',
      label: { key: 'ems', value: 'true' },
      node_count: seed.nodes,
      flavor,
      version: seed.version,
      lts_enable: true,
      lts_connect_type: 0,
      monitor_enable: seed.monitor ?? true,
      node_type: 0,
    },
    memory_specification: { huge_page_num: seed.hugePages ?? 131072, huge_page_flavor: 2 },
  };
}

function addClusters(
  project: ProjectState,
  k8sByKey: Map<string, K8sClusterRecord>,
  seeds: readonly ClusterSeed[],
  nowMs: number,
  rng: Prng,
): void {
  const n = seeds.length;
  const planned = seeds.map((seed, i) => {
    const inProgressCreate = seed.status === 'CREATING';
    const createdAt = inProgressCreate
      ? nowMs - seed.startedAgoS! * 1000
      : Math.floor(nowMs - (3 + (n - i) * 2.5) * DAY - rng.int(0, 12 * HOUR));
    return { seed, createdAt };
  });
  planned.sort((a, b) => a.createdAt - b.createdAt);

  for (const { seed, createdAt } of planned) {
    const k8s = k8sByKey.get(seed.k8s)!;
    const flavor = MAIN_K8S[seed.k8s]?.flavor ?? OTHER_K8S[seed.k8s]!.flavor;
    const id = rng.uuid();
    const allNodes = Array.from({ length: seed.nodes }, (_, i) => nodeName(seed.name, i + 1));
    const cluster: ClusterRecord = {
      id,
      status: seed.status,
      reason: seed.reason ?? 'Available',
      createdAt,
      updatedAt: createdAt,
      k8sName: k8s.name,
      nodes: seed.status === 'CREATING' || seed.status === 'DELETED' ? [] : allNodes,
      spec: specOf(seed, k8s, flavor),
    };
    project.clusters.set(id, cluster);

    const job = (kind: JobKind, at: number, effect: JobEffect = { kind: 'none' }) => {
      const j = newJob(rng, { kind, clusterId: id, createdAt: Math.floor(at), effect });
      addJob(project, j);
      return j;
    };
    const longMs = 120_000;

    if (seed.status === 'CREATING') {
      cluster.reason = 'Creating';
      job(seed.enrolled ? 'EnrollCluster' : 'CreateCluster', createdAt, { kind: 'create', nodes: allNodes });
      continue;
    }
    job(seed.enrolled ? 'EnrollCluster' : 'CreateCluster', createdAt);
    let last = createdAt + longMs;

    // Completed history, spread over the cluster's life up to a day ago.
    const steps = seed.history ?? [];
    steps.forEach((step, i) => {
      const at = createdAt + ((i + 1) / (steps.length + 1)) * (nowMs - DAY - createdAt);
      if (step === 'expand') job('ExpandCluster', at);
      else if (step === 'shrink') job('ShrinkCluster', at);
      else if (step === 'expandFailed') {
        const j = job('ExpandCluster', at);
        j.failure = planFailure('ExpandCluster', rng);
      } else {
        const j = job('ShrinkCluster', at);
        j.stoppedAt = j.createdAt + 8_000;
      }
      last = at + 20_000;
    });
    cluster.updatedAt = Math.floor(last);

    const startedAt = nowMs - (seed.startedAgoS ?? 0) * 1000;
    switch (seed.status) {
      case 'EXPANDING': {
        const add = Array.from({ length: seed.delta ?? 1 }, (_, i) => nodeName(seed.name, seed.nodes + i + 1));
        cluster.reason = `Expanding: adding ${add.length} nodes`;
        job('ExpandCluster', startedAt, { kind: 'expand', nodes: add });
        cluster.updatedAt = startedAt;
        break;
      }
      case 'SHRINKING': {
        const remove = allNodes.slice(allNodes.length - (seed.delta ?? 1));
        cluster.reason = `Shrinking: removing ${remove.length} nodes`;
        job('ShrinkCluster', startedAt, { kind: 'shrink', nodes: remove });
        cluster.updatedAt = startedAt;
        break;
      }
      case 'UPGRADING':
        cluster.reason = 'Upgrading to 25.12.0';
        job('UpgradeCluster', startedAt, { kind: 'upgrade', version: '25.12.0' });
        cluster.updatedAt = startedAt;
        break;
      case 'DELETING':
        cluster.reason = 'Deleting';
        job('DeleteCluster', startedAt, { kind: 'delete', previousStatus: 'RUNNING', previousReason: 'Available' });
        cluster.updatedAt = startedAt;
        break;
      case 'DELETED': {
        const at = Math.floor(createdAt + (nowMs - createdAt) * 0.6);
        job('DeleteCluster', at);
        cluster.reason = 'Deleted';
        cluster.updatedAt = at + longMs;
        break;
      }
      default:
        break;
    }
  }
}

/**
 * Replaces `project`'s clusters and jobs with `count` RUNNING clusters `batch-kvcache-0001`, ...
 * spread over its regular CCE clusters, each with `jobsPerCluster` completed jobs: job 0 is its
 * CreateCluster (long); then odd ones are ExpandCluster (short) and even ones UpgradeCluster (long).
 */
export function seedBatchClusters(project: ProjectState, count: number, jobsPerCluster: number, nowMs: number, ids: Prng): void {
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`seedClusters: count must be an integer >= 0, got ${count}`);
  if (!Number.isInteger(jobsPerCluster) || jobsPerCluster < 0) {
    throw new RangeError(`seedClusters: jobsPerCluster must be an integer >= 0, got ${jobsPerCluster}`);
  }
  project.clusters.clear();
  project.jobs.clear();
  project.pending.clear();
  const hosts = [...project.k8sClusters.values()].filter((k) => k.coreDnsTier >= 1 && !k.cieCustomMetrics);
  if (hosts.length === 0) throw new Error('no CCE cluster to host generated clusters');
  for (let i = 0; i < count; i++) {
    const k8s = hosts[i % hosts.length]!;
    const name = `batch-kvcache-${String(i + 1).padStart(4, '0')}`;
    const nodes = 3 + (i % 6);
    const createdAt = Math.floor(nowMs - 3 * DAY - (count - i) * MIN);
    const id = ids.uuid();
    const cluster: ClusterRecord = {
      id,
      status: 'RUNNING',
      reason: 'Available',
      createdAt,
      updatedAt: createdAt + 120_000,
      k8sName: k8s.name,
      nodes: Array.from({ length: nodes }, (_, n) => nodeName(name, n + 1)),
      spec: specOf(
        { name, k8s: '', status: 'RUNNING', nodes, version: RELEASES[i % RELEASES.length]!.version, description: 'Generated for batching tests' },
        k8s,
        k8s.labels.find((l) => l.key === 'node.kubernetes.io/instance-type')?.value ?? 'c7.8xlarge.4',
      ),
    };
    project.clusters.set(id, cluster);
    for (let j = 0; j < jobsPerCluster; j++) {
      const kind: JobKind = j === 0 ? 'CreateCluster' : j % 2 === 1 ? 'ExpandCluster' : 'UpgradeCluster';
      addJob(project, newJob(ids, { kind, clusterId: id, createdAt: createdAt + j * 5 * MIN, effect: { kind: 'none' } }));
    }
    if (jobsPerCluster > 1) cluster.updatedAt = createdAt + (jobsPerCluster - 1) * 5 * MIN + 20_000;
  }
}
