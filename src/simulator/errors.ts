/**
 * EMS and API-gateway error answers, with the vendor's message templates. Handlers throw
 * `SimHttpError`; the server turns it into `{error_code, error_msg}` with its status and headers.
 */

export class SimHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'SimHttpError';
  }

  toBody(): { error_code: string; error_msg: string } {
    return { error_code: this.code, error_msg: this.message };
  }
}

/** The lowest node count and the flavor CoreDNS needs for it (CCE CoreDNS add-on flavors). */
export interface CoreDnsRequirement {
  replicas: number;
  cpu: string;
  memory: string;
}

export const emsErrors = {
  invalidPagination: () => new SimHttpError(400, 'EMS.00004000', 'invalid pagination parameters'),
  /** 400 EMS.00004000 "invalid parameter", with what is wrong after a colon. */
  invalidParameter: (detail?: string) =>
    new SimHttpError(400, 'EMS.00004000', detail ? `invalid parameter: ${detail}` : 'invalid parameter'),
  /** 400 common.00000400 `[%s].[%s]: must be greater/less than or equal to [%s]`. */
  outOfRange: (object: string, field: string, side: 'greater' | 'less', bound: string | number) =>
    new SimHttpError(400, 'common.00000400', `[${object}].[${field}]: must be ${side} than or equal to [${bound}]`),
  coreDnsTooSmall: (nodes: number, req: CoreDnsRequirement) =>
    new SimHttpError(
      400,
      'ems.00030002',
      `CoreDNS add-on specification check failed. Required for ${nodes} nodes: replicas>[${req.replicas}], ` +
        `CPU>[${req.cpu}], Memory>[${req.memory}]. Please upgrade the CoreDNS add-on flavor first.`,
    ),
  cieCollectorConflict: () =>
    new SimHttpError(
      400,
      'ems.00030002',
      'CIE-collector add-on specification check failed. you explicitly configured the enable_custom_metrics=true, ' +
        'the content is not the configuration used by the EMS service. Please set the enable_custom_metrics=false ' +
        'or create ems cluster with monitor_enable=false in request body.',
    ),
  duplicateName: (name: string) =>
    new SimHttpError(400, 'ems.00030033', `the cluster name: [${name}] exist, please change cluster name`),
  cannotDelete: (status: string) =>
    new SimHttpError(400, 'ems.00030034', `Cluster cannot be deleted in current state: [${status}]`),
  /** Expand/shrink of a cluster that is not RUNNING. */
  notRunning: (status: string) => new SimHttpError(400, 'ems.00030034', `Cluster is not running, current state: [${status}]`),
  /** Authorize or re-enrol of a cluster whose state forbids it (simulator's choice, same code). */
  wrongState: (action: string, status: string) =>
    new SimHttpError(400, 'ems.00030034', `Cluster cannot be ${action} in current state: [${status}]`),
  authTokenFailed: (reason: string) => new SimHttpError(401, 'common.01010018', `Auth token failed, reason is:{${reason}}`),
  /** 403: the caller's IAM policy does not grant `action`. */
  forbidden: (action: string) =>
    new SimHttpError(403, 'common.00000403', `Policy doesn't allow ${action} to be performed.`),
  clusterNotFound: (id: string) => new SimHttpError(404, 'ems.00030005', `Cluster not found: [${id}].`),
  /** Simulator's choice: the scan documents no code for an unknown job id. */
  jobNotFound: (id: string) => new SimHttpError(404, 'ems.00030006', `Job not found: [${id}].`),
  createFailed: () => new SimHttpError(500, 'ems.00030002', 'Failed to create cluster.'),
  deleteFailed: () => new SimHttpError(500, 'ems.00030003', 'Failed to update cluster status to DELETING'),
  projectMismatch: () => new SimHttpError(500, 'ems.00040003', 'Failed to match tenant project id'),
  internal: (detail: string) => new SimHttpError(500, 'common.00000500', `Internal server error: ${detail}`),
} as const;

/** Answers of the API gateway in front of EMS. */
export const apigwErrors = {
  notFound: () =>
    new SimHttpError(404, 'APIGW.0101', 'The API does not exist or has not been published in the environment'),
  /** AK/SK authentication failures. */
  iamAuth: (detail: string) => new SimHttpError(401, 'APIGW.0301', `Incorrect IAM authentication information: ${detail}`),
  /** X-Sdk-Date too far from the gateway's clock. */
  requestExpired: (sdkDate: string) =>
    new SimHttpError(
      401,
      'APIGW.0303',
      `Incorrect IAM authentication information: the request has expired, X-Sdk-Date [${sdkDate}] is more than 15 minutes away from the server time`,
    ),
  throttled: (retryAfterSeconds: number) =>
    new SimHttpError(
      429,
      'APIGW.0308',
      'The throttling threshold has been reached: policy user over ratelimit, limit:100, time:1 minute',
      { 'retry-after': String(retryAfterSeconds) },
    ),
  unavailable: () => new SimHttpError(503, 'APIGW.0201', 'Backend service unavailable, please try again later'),
  bodyTooLarge: (max: number) => new SimHttpError(413, 'APIGW.0201', `Request entity too large: the body exceeds ${max} bytes`),
} as const;
