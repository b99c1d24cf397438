import type { Context as OtelContext } from '@opentelemetry/api';
import type { Logger } from 'pino';
import { EmsNetworkError, EmsTimeoutError } from './errors.js';
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
  /** Aborts the call (its retries included). */
  signal?: AbortSignal;
  /** OpenTelemetry context the call's span is a child of (the GraphQL operation's). */
  traceContext?: OtelContext;
  /** Logger of the request the call serves: its lines carry the request and trace ids. A function makes it when first needed. */
  logger?: Logger | (() => Logger);
}

/** The operations that change EMS state: once sent, they are never aborted nor retried. */
export const EMS_WRITES: ReadonlySet<keyof EmsApi> = new Set([
  'createCluster',
  'deleteCluster',
  'authorizeCluster',
  'enrollCluster',
  'expandCluster',
  'shrinkCluster',
  'createCredential',
  'cancelJobs',
]);

/** Position of the options argument of each operation. */
const OPTIONS_ARGUMENT: Record<keyof EmsApi, number> = {
  listReleases: 1,
  listFeatures: 1,
  listClusterLabels: 1,
  createCluster: 1,
  listClusters: 1,
  showCluster: 1,
  deleteCluster: 1,
  authorizeCluster: 1,
  enrollCluster: 1,
  expandCluster: 2,
  shrinkCluster: 2,
  createCredential: 1,
  showCredentials: 1,
  listJobs: 1,
  showJob: 1,
  cancelJobs: 1,
};

/** What one request (or subscription event) gives every EMS call it makes. */
export interface RequestScope {
  /** The request's deadline and the client going away. Reads are aborted by it; a write is not sent once it fired, but never cut off once sent. */
  signal?: AbortSignal;
  /** Read at each call: the GraphQL operation's span context. */
  traceContext?: () => OtelContext | undefined;
  /** A function makes the logger only when a call has something to log. */
  logger?: Logger | (() => Logger);
}

/** `api` with `scope`'s signal, trace context and logger added to every call's options. */
export function withRequestScope(api: EmsApi, scope: RequestScope): EmsApi {
  const scoped = {} as Record<keyof EmsApi, unknown>;
  for (const name of Object.keys(OPTIONS_ARGUMENT) as (keyof EmsApi)[]) {
    const call = api[name] as (...args: unknown[]) => Promise<unknown>;
    const at = OPTIONS_ARGUMENT[name];
    const write = EMS_WRITES.has(name);
    scoped[name] = (...args: unknown[]) => {
      if (write && scope.signal?.aborted) return Promise.reject(deadlineError(name, scope.signal));
      const given = args[at] as EmsCallOptions | undefined;
      const own = write ? undefined : scope.signal;
      let signal = given?.signal ?? own;
      if (given?.signal && own) signal = AbortSignal.any([given.signal, own]);
      const options: EmsCallOptions = {
        ...given,
        signal,
        traceContext: given?.traceContext ?? scope.traceContext?.(),
        logger: given?.logger ?? scope.logger,
      };
      // The options go in their place (the arguments before them may be fewer: `listReleases()`).
      if (args.length <= at) args.length = at;
      args[at] = options;
      return call(...args);
    };
  }
  return scoped as EmsApi;
}

/** A write refused before sending because the request's deadline passed (or its client left). */
function deadlineError(operation: string, signal: AbortSignal): EmsTimeoutError | EmsNetworkError {
  const timedOut = signal.reason instanceof Error && signal.reason.name === 'TimeoutError';
  return timedOut
    ? new EmsTimeoutError(`EMS ${operation} was not sent: the request's deadline (REQUEST_TIMEOUT_MS) had passed`, { operation, sent: false })
    : new EmsNetworkError(`EMS ${operation} was not sent: the client went away`, { operation, sent: false });
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
