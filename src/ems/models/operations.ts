/**
 * The 16 EMS operations, as the vendor names them: which endpoint a request addresses. Used for
 * metrics, logs and call counters, by the gateway and by the simulator's router.
 */
export const EMS_OPERATIONS = [
  'ListReleases',
  'ListFeatures',
  'ListClustersLabels',
  'CreateCluster',
  'ListClusters',
  'ShowCluster',
  'DeleteClusterById',
  'AuthorizeCluster',
  'EnrollCluster',
  'ExpandCluster',
  'ShrinkCluster',
  'CreateCredentialInfo',
  'ShowCredentialInfo',
  'ListJobs',
  'ShowJob',
  'CancelJobs',
] as const;
export type EmsOperation = (typeof EMS_OPERATIONS)[number];
