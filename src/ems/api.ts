import type {
  EmsCancelJobsRequest,
  EmsCancelJobsResponse,
  EmsCluster,
  EmsClusterJobResponse,
  EmsCreateClusterRequest,
  EmsCredential,
  EmsEnrollClusterRequest,
  EmsJob,
  EmsJobResponse,
  EmsJobType,
  EmsListClustersResponse,
  EmsListFeaturesResponse,
  EmsListJobsResponse,
  EmsListLabelsResponse,
  EmsListReleasesResponse,
  EmsNodeNameListRequest,
  EmsPage,
} from './models/index.js';

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
 * The 16 EMS operations, bound to one caller's credentials. Every method resolves to the parsed
 * body or rejects with an `EmsError` subclass.
 */
export interface EmsApi {
  /** GET /v1/releases */
  listReleases(page?: EmsPage, opts?: EmsCallOptions): Promise<EmsListReleasesResponse>;
  /** GET /v1/features */
  listFeatures(page?: EmsPage, opts?: EmsCallOptions): Promise<EmsListFeaturesResponse>;
  /** GET /v1/clusters/labels */
  listClusterLabels(query: { k8sClusterId: string } & EmsPage, opts?: EmsCallOptions): Promise<EmsListLabelsResponse>;
  /** POST /v1/clusters (202) */
  createCluster(body: EmsCreateClusterRequest, opts?: EmsCallOptions): Promise<EmsClusterJobResponse>;
  /** GET /v1/clusters */
  listClusters(page?: EmsPage, opts?: EmsCallOptions): Promise<EmsListClustersResponse>;
  /** GET /v1/clusters/{id} */
  showCluster(clusterId: string, opts?: EmsCallOptions): Promise<EmsCluster>;
  /** DELETE /v1/clusters/{id} (202) */
  deleteCluster(clusterId: string, opts?: EmsCallOptions): Promise<EmsJobResponse>;
  /** POST /v1/clusters/{id}/authorization (204) */
  authorizeCluster(clusterId: string, opts?: EmsCallOptions): Promise<void>;
  /** POST /v1/clusters/enroll (202) */
  enrollCluster(body: EmsEnrollClusterRequest, opts?: EmsCallOptions): Promise<EmsClusterJobResponse>;
  /** POST /v1/clusters/{id}/expand (202) */
  expandCluster(clusterId: string, body: EmsNodeNameListRequest, opts?: EmsCallOptions): Promise<EmsJobResponse>;
  /** POST /v1/clusters/{id}/shrink (202) */
  shrinkCluster(clusterId: string, body: EmsNodeNameListRequest, opts?: EmsCallOptions): Promise<EmsJobResponse>;
  /** POST /v1/ems/{project_id}/credentials */
  createCredential(projectId: string, opts?: EmsCallOptions): Promise<EmsCredential>;
  /** GET /v1/ems/{project_id}/credentials */
  showCredentials(projectId: string, opts?: EmsCallOptions): Promise<EmsCredential[]>;
  /** GET /v1/jobs */
  listJobs(query?: { jobType?: EmsJobType } & EmsPage, opts?: EmsCallOptions): Promise<EmsListJobsResponse>;
  /** GET /v1/jobs/{id} */
  showJob(jobId: string, opts?: EmsCallOptions): Promise<EmsJob>;
  /** POST /v1/jobs/cancel */
  cancelJobs(body: EmsCancelJobsRequest, opts?: EmsCallOptions): Promise<EmsCancelJobsResponse>;
}

/** EMS operation names, as the vendor spells them; used for metrics, logs and call counters. */
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
