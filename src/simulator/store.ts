/**
 * The simulator's state. Its shapes are its own: what it shows on the wire is written by wire.ts
 * from these, never with the gateway's models.
 */

/** Cluster statuses of the EMS reference. */
export type ClusterStatus = 'CREATING' | 'RUNNING' | 'FREEZE' | 'UPGRADING' | 'EXPANDING' | 'SHRINKING' | 'DELETING' | 'DELETED';

/** A Kubernetes label. */
export interface Label {
  key: string;
  value: string;
}

/** An EMS release. */
export interface Release {
  version: string;
  tag: string;
  description: string;
}

/** A feature gate of a project. */
export interface Feature {
  feature: string;
  switch: boolean;
  type: string;
  value: string;
  description: string;
}

/** A credential (cdKey) of a project. */
export interface Credential {
  projectId: string;
  cdKey: string;
  /** Epoch ms. */
  createAt: number;
}

/** `cluster_specification` of a cluster as stored (the CreateCluster body with defaults filled in). */
export interface ClusterSpec {
  name: string;
  description: string | null;
  charge_mode: number;
  k8s_cluster_specification: {
    k8s_cluster_id: string;
    namespace: string | null;
    label: Label;
    node_count: number;
    flavor: string | null;
    version: string;
    lts_enable: boolean;
    lts_connect_type: number;
    monitor_enable: boolean;
    node_type: number;
  };
  memory_specification: { huge_page_num: number; huge_page_flavor: number };
}

import type { JobRecord } from './jobs.js';

export interface ClusterRecord {
  id: string;
  status: ClusterStatus;
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
  labels: Label[];
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
  credentials: Credential[];
  features: Feature[];
}

/** Who a token or access key stands for. */
export interface Principal {
  projectId: string;
  readOnly: boolean;
  expired: boolean;
}

export class SimulatorStore {
  releases: Release[] = [];
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
