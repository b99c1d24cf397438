import type {
  EmsCancelJobsRequest,
  EmsCreateClusterRequest,
  EmsEnrollClusterRequest,
  EmsJobType,
  EmsNodeNameListRequest,
  EmsPage,
} from './models/index.js';
import type {
  CancelJobsAccepted,
  ClusterJobAccepted,
  ClusterList,
  ClusterRecord,
  CredentialAccepted,
  CredentialRecord,
  FeatureList,
  JobAccepted,
  JobList,
  JobRecord,
  LabelList,
  Listed,
  ReleaseList,
} from './read/index.js';

/**
 * How a caller authenticates upstream. `token` is passed through as `X-Auth-Token`; `aksk` signs
 * every attempt with SDK-HMAC-SHA256.
 */
export type EmsAuth =
  | { kind: 'token'; token: string }
  | { kind: 'aksk'; ak: string; sk: string; securityToken?: string | null }
  | { kind: 'none' };

/** Per-call options. */
export interface EmsCallOptions {
  signal?: AbortSignal;
}

/**
 * The 16 EMS operations, bound to one caller's credentials. Every method resolves to the body as
 * read by src/ems/read (tolerantly: see docs/tolerant-reading.md) or rejects with an `EmsError`
 * subclass. A write answered 2xx always resolves: its ids are null when the body cannot tell them.
 */
export interface EmsApi {
  /** GET /v1/releases */
  listReleases(page?: EmsPage, opts?: EmsCallOptions): Promise<ReleaseList>;
  /** GET /v1/features */
  listFeatures(page?: EmsPage, opts?: EmsCallOptions): Promise<FeatureList>;
  /** GET /v1/clusters/labels */
  listClusterLabels(query: { k8sClusterId: string } & EmsPage, opts?: EmsCallOptions): Promise<LabelList>;
  /** POST /v1/clusters (202) */
  createCluster(body: EmsCreateClusterRequest, opts?: EmsCallOptions): Promise<ClusterJobAccepted>;
  /** GET /v1/clusters */
  listClusters(page?: EmsPage, opts?: EmsCallOptions): Promise<ClusterList>;
  /** GET /v1/clusters/{id} */
  showCluster(clusterId: string, opts?: EmsCallOptions): Promise<ClusterRecord>;
  /** DELETE /v1/clusters/{id} (202) */
  deleteCluster(clusterId: string, opts?: EmsCallOptions): Promise<JobAccepted>;
  /** POST /v1/clusters/{id}/authorization (204) */
  authorizeCluster(clusterId: string, opts?: EmsCallOptions): Promise<void>;
  /** POST /v1/clusters/enroll (202) */
  enrollCluster(body: EmsEnrollClusterRequest, opts?: EmsCallOptions): Promise<ClusterJobAccepted>;
  /** POST /v1/clusters/{id}/expand (202) */
  expandCluster(clusterId: string, body: EmsNodeNameListRequest, opts?: EmsCallOptions): Promise<JobAccepted>;
  /** POST /v1/clusters/{id}/shrink (202) */
  shrinkCluster(clusterId: string, body: EmsNodeNameListRequest, opts?: EmsCallOptions): Promise<JobAccepted>;
  /** POST /v1/ems/{project_id}/credentials */
  createCredential(projectId: string, opts?: EmsCallOptions): Promise<CredentialAccepted>;
  /** GET /v1/ems/{project_id}/credentials */
  showCredentials(projectId: string, opts?: EmsCallOptions): Promise<Listed<CredentialRecord>[]>;
  /** GET /v1/jobs */
  listJobs(query?: { jobType?: EmsJobType } & EmsPage, opts?: EmsCallOptions): Promise<JobList>;
  /** GET /v1/jobs/{id} */
  showJob(jobId: string, opts?: EmsCallOptions): Promise<JobRecord>;
  /** POST /v1/jobs/cancel */
  cancelJobs(body: EmsCancelJobsRequest, opts?: EmsCallOptions): Promise<CancelJobsAccepted>;
}

export { EMS_OPERATIONS, type EmsOperation } from './models/operations.js';
