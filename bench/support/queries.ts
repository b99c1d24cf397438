/** The GraphQL documents the benchmark sends. */

/** One cluster by id: a ShowCluster behind it. */
export const CLUSTER_QUERY = /* GraphQL */ `query Cluster($id: ID!) {
  cluster(id: $id) { id name status reason availableNodeCount k8s { k8sClusterId version nodeCount } memory { hugePageCount totalBytes } }
}`;

/** 100 clusters with their jobs, tasks and release: ListClusters, then ListJobs × 2 and ListReleases. */
export const NESTED_QUERY = /* GraphQL */ `query Nested($first: Int) {
  clusters(first: $first) { edges { node { id name status jobs { edges { node { id status progress tasks { id status } } } } release { version } } } }
}`;

/** The nested query plus the node labels of each cluster's CCE cluster (ListClustersLabels per distinct one). */
export const NESTED_WITH_LABELS_QUERY = NESTED_QUERY.replace('release { version }', 'release { version } labels { key value }');

export const HELLO_QUERY = '{ hello }';

export function graphqlBody(query: string, variables?: Record<string, unknown>): string {
  return JSON.stringify({ query, ...(variables ? { variables } : {}) });
}
