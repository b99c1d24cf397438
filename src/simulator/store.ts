import type {
  EmsCluster,
  EmsClusterStatus,
  EmsCredential,
  EmsFeature,
  EmsLabel,
  EmsRelease,
} from '../ems/models/index.js';
import { formatEmsTimestamp } from '../ems/models/index.js';
import type { JobRecord } from './jobs.js';

/** `cluster_specification` of a cluster as stored and shown. */
export type ClusterSpec = EmsCluster['cluster_specification'];

export interface ClusterRecord {
  id: string;
  status: EmsClusterStatus;
  reason: string;
  /** Virtual epoch ms. */
  createdAt: number;
  updatedAt: number;
  /** Name of the CCE cluster behind it. */
  k8sName: string;
  /** Names of the CCE nodes that are members; empty while CREATING and once DELETED. */
  nodes: string[];
  spec: ClusterSpec;
}

/** A CCE (Kubernetes) cluster EMS clusters are deployed on. */
export interface K8sClusterRecord {
  id: string;
  name: string;
  /** Node labels, as ListClustersLabels returns them. */
  labels: EmsLabel[];
  /** Index into COREDNS_TIERS of the installed CoreDNS add-on flavor. */
  coreDnsTier: number;
  /** The CIE-collector add-on runs with enable_custom_metrics=true (conflicts with monitor_enable). */
  cieCustomMetrics: boolean;
}

/** Everything one project owns. */
export interface ProjectState {
  id: string;
  /** Insertion order = creation order = ListClusters order. */
  clusters: Map<string, ClusterRecord>;
  /** Insertion order = submission order = ListJobs order. */
  jobs: Map<string, JobRecord>;
  /** Ids of jobs whose end has not yet been applied to their cluster. */
  pending: Set<string>;
  k8sClusters: Map<string, K8sClusterRecord>;
  credentials: EmsCredential[];
  features: EmsFeature[];
}

/** Who a token or access key stands for. */
export interface Principal {
  projectId: string;
  readOnly: boolean;
  expired: boolean;
}

export class SimulatorStore {
  releases: EmsRelease[] = [];
  readonly projects = new Map<string, ProjectState>();
  readonly tokens = new Map<string, Principal>();
  readonly accessKeys = new Map<string, { sk: string; projectId: string }>();

  project(id: string): ProjectState {
    const p = this.projects.get(id);
    if (!p) throw new Error(`unknown project ${id}`);
    return p;
  }

  /** The release tagged PREFERRED_VERSION (the default EMS version). */
  preferredVersion(): string {
    const preferred = this.releases.find((r) => r.tag === 'PREFERRED_VERSION') ?? this.releases[this.releases.length - 1];
    if (!preferred) throw new Error('no releases seeded');
    return preferred.version;
  }
}

export function emptyProject(id: string): ProjectState {
  return {
    id,
    clusters: new Map(),
    jobs: new Map(),
    pending: new Set(),
    k8sClusters: new Map(),
    credentials: [],
    features: [],
  };
}

/**
 * CCE CoreDNS add-on flavors, smallest first, and the most nodes each serves. A cluster of N nodes
 * needs the first flavor whose maxNodes >= N.
 */
export const COREDNS_TIERS = [
  { maxNodes: 50, replicas: 2, cpu: '500m', memory: '512Mi' },
  { maxNodes: 200, replicas: 2, cpu: '1000m', memory: '1024Mi' },
  { maxNodes: 512, replicas: 4, cpu: '2000m', memory: '2048Mi' },
] as const;

export function coreDnsRequirement(nodes: number): (typeof COREDNS_TIERS)[number] {
  return COREDNS_TIERS.find((t) => t.maxNodes >= nodes) ?? COREDNS_TIERS[COREDNS_TIERS.length - 1]!;
}

/**
 * Name of the i-th (1-based) node EMS itself provisions for a cluster: `{name, cut to 40}-n{001}`,
 * at most 45 characters. Nodes added by ExpandCluster keep the names the caller chose.
 */
export function nodeName(clusterName: string, i: number): string {
  return `${clusterName.slice(0, 40).replace(/-+$/, '')}-n${String(i).padStart(3, '0')}`;
}

export function clusterView(c: ClusterRecord, projectId: string): EmsCluster {
  const creatingOrGone = c.status === 'CREATING' || c.status === 'DELETED';
  return {
    cluster_metadata: {
      id: c.id,
      status: c.status,
      reason: c.reason,
      project_id: projectId,
      created_at: formatEmsTimestamp(new Date(c.createdAt)),
      updated_at: formatEmsTimestamp(new Date(c.updatedAt)),
      k8s_name: c.k8sName,
      available_node_count: creatingOrGone ? 0 : c.nodes.length,
    },
    cluster_specification: structuredClone(c.spec),
  };
}
