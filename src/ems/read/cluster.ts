import { CLUSTER_STATUSES, type EmsClusterStatus } from '../models/cluster.js';
import { NOT_AN_OBJECT, type At, type Listed, type RecordSource, type WireReader } from './reader.js';
import { readLabel, type LabelRecord } from './label.js';

/** The CCE cluster an EMS cluster runs on (`k8s_cluster_specification`), as read. */
export interface K8sSpecRecord {
  /** Required: a specification without it reads as none (`bad_field`). */
  k8sClusterId: string;
  namespace: string | null;
  /** The node label selecting the nodes EMS runs on. */
  label: LabelRecord | null;
  nodeCount: number | null;
  flavor: string | null;
  /** EMS version. */
  version: string | null;
  ltsEnabled: boolean | null;
  /** 0 logagent, 1 icagent; null when absent or unlisted. */
  ltsConnectType: 0 | 1 | null;
  monitorEnabled: boolean | null;
  nodeType: number | null;
}

/** `memory_specification`, as read. */
export interface MemorySpecRecord {
  hugePageCount: number | null;
  /** Page size in MB. */
  hugePageSizeMb: number | null;
}

/** An EMS cluster as the gateway reads it (ShowCluster, an element of ListClusters). */
export interface ClusterRecord {
  id: string;
  /** The region EMS answered from: set by the gateway (src/regional.ts), never read from the wire. */
  region?: string;
  name: string | null;
  description: string | null;
  /** A listed status, or UNKNOWN when EMS sent one the gateway does not list (or none). */
  status: EmsClusterStatus | 'UNKNOWN';
  /** The status exactly as EMS sent it; null when it sent none. */
  statusText: string | null;
  reason: string | null;
  projectId: string | null;
  createdAt: string | null;
  updatedAt: string | null;
  k8sName: string | null;
  availableNodeCount: number | null;
  /** 0 = pay per use; null when absent or unlisted. */
  chargeMode: 0 | null;
  k8s: K8sSpecRecord | null;
  memory: MemorySpecRecord | null;
  source: RecordSource;
}

/** A cluster object; a string says why it cannot be read (then it has no id). */
export function readCluster(_value: unknown, at: At | null): ClusterRecord | string {
  if (!at) return NOT_AN_OBJECT;
  const meta = at.object('cluster_metadata');
  const id = meta?.id('id') ?? null;
  if (!meta || !id) return 'without a readable cluster_metadata.id';
  const spec = at.object('cluster_specification');
  const k8s = spec?.object('k8s_cluster_specification') ?? null;
  const memory = spec?.object('memory_specification') ?? null;
  const status = meta.enumOf('status', CLUSTER_STATUSES);
  return {
    id,
    name: spec?.string('name') ?? null,
    description: spec?.string('description') ?? null,
    status: status.value,
    statusText: status.text,
    reason: meta.string('reason'),
    projectId: meta.string('project_id'),
    createdAt: meta.time('created_at'),
    updatedAt: meta.time('updated_at'),
    k8sName: meta.string('k8s_name'),
    availableNodeCount: meta.int('available_node_count'),
    chargeMode: spec?.code('charge_mode', [0] as const) ?? null,
    k8s: k8s && readK8s(k8s),
    memory: memory ? { hugePageCount: memory.int('huge_page_num'), hugePageSizeMb: memory.int('huge_page_flavor') } : null,
    source: at.reader.source,
  };
}

/** `k8s_cluster_specification`; one without a readable `k8s_cluster_id` reads as none (`bad_field`). */
function readK8s(k8s: At): K8sSpecRecord | null {
  const k8sClusterId = k8s.id('k8s_cluster_id');
  if (!k8sClusterId) {
    k8s.reader.note(k8s.path('k8s_cluster_id'), 'bad_field');
    return null;
  }
  return {
    k8sClusterId,
    namespace: k8s.string('namespace'),
    label: optionalLabel(k8s),
    nodeCount: k8s.int('node_count'),
    flavor: k8s.string('flavor'),
    version: k8s.string('version'),
    ltsEnabled: k8s.bool('lts_enable'),
    ltsConnectType: k8s.code('lts_connect_type', [0, 1] as const),
    monitorEnabled: k8s.bool('monitor_enable'),
    nodeType: k8s.int('node_type'),
  };
}

function optionalLabel(k8s: At): LabelRecord | null {
  const at = k8s.object('label');
  if (!at) return null;
  const label = readLabel(at.value, at);
  if (typeof label === 'string') {
    k8s.reader.note(k8s.path('label'), 'bad_field');
    return null;
  }
  return label;
}

/** ShowCluster. */
export function readShowCluster(json: unknown, r: WireReader): ClusterRecord {
  const cluster = readCluster(json, r.root(json));
  if (typeof cluster === 'string') throw r.unreadable(`a cluster ${cluster}`);
  return cluster;
}

/** ListClusters: `{ clusters }`. */
export interface ClusterList {
  clusters: Listed<ClusterRecord>[];
}

export function readListClusters(json: unknown, r: WireReader): ClusterList {
  return { clusters: r.root(json).list('clusters', readCluster, { required: true }) };
}
