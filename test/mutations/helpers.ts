import { randomUUID } from 'node:crypto';
import type { Harness } from '../fixtures/harness.js';
import { op } from './operations.js';

export interface ClusterNode {
  id: string;
  name: string;
  status: string;
  availableNodeCount: number | null;
  k8s: { k8sClusterId: string; nodeCount: number | null };
}

/** The seeded clusters of the simulator's main project, by name. */
export async function clustersByName(h: Harness): Promise<Map<string, ClusterNode>> {
  const result = await h.gql(op('MutationClusters'));
  if (result.errors) throw new Error(JSON.stringify(result.errors));
  const nodes = (result.data as { clusters: { edges: { node: ClusterNode }[] } }).clusters.edges.map((e) => e.node);
  return new Map(nodes.map((n) => [n.name, n]));
}

/** A seeded cluster that must exist, by name. */
export async function cluster(h: Harness, name: string): Promise<ClusterNode> {
  const found = (await clustersByName(h)).get(name);
  if (!found) throw new Error(`no seeded cluster ${name}`);
  return found;
}

/**
 * Names of nodes EMS provisioned for a cluster (the simulator names them
 * `{cluster name cut to 40}-n001`, `-n002`, ...).
 */
export function provisionedNodeNames(clusterName: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${clusterName.slice(0, 40)}-n${String(i + 1).padStart(3, '0')}`);
}

/** A fresh CCE cluster id (the simulator registers unknown ones on create). */
export const newK8sClusterId = () => randomUUID();

/** A cluster name no test used before. */
export const uniqueName = (base: string) => `${base}-${randomUUID().slice(0, 8)}`;
