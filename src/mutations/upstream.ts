import { EmsHttpError } from '../ems/errors.js';
import { redactSecrets } from '../security/redact.js';
import {
  DuplicateNameError,
  ForbiddenError,
  NotFoundError,
  UpstreamValidationError,
  WrongStateError,
  isErrorOf,
  type MutationName,
  type UpstreamDetails,
  type UpstreamMutationError,
} from './errors.js';

/** EMS codes (ems-api.md, "Errors") that become typed union members. */
export const UPSTREAM_CODES = {
  notFound: 'ems.00030005',
  duplicateName: 'ems.00030033',
  wrongState: 'ems.00030034',
  validation: ['common.00000400', 'EMS.00004000'],
  /**
   * Add-on checks of the CCE cluster (CoreDNS too small, CIE-collector conflict). The same code with
   * status 500 means "Failed to create cluster." and stays a GraphQL error; with 400 EMS refused the
   * request for a reason the client can fix, so it is an UpstreamValidationError.
   */
  precondition: 'ems.00030002',
} as const;

/** What the mutation was about, to fill the typed error's fields. */
export interface UpstreamErrorSubject {
  clusterId?: string | null;
  clusterName?: string | null;
}

/**
 * Turns an EMS refusal the client can act on into a typed mutation error of `mutation`'s result
 * union; returns anything else unchanged (it is then rethrown and becomes a GraphQL error with a
 * stable `extensions.code`), including a refusal of a kind the union does not list.
 */
export function toMutationError(error: unknown, mutation: MutationName, subject: UpstreamErrorSubject = {}): unknown {
  if (!(error instanceof EmsHttpError)) return error;
  const details: UpstreamDetails = {
    upstreamCode: error.upstreamCode,
    requestId: error.requestId,
    upstreamMessage: error.upstreamMessage,
    status: error.status,
  };
  const typed = classify(error, details, subject);
  return typed && isErrorOf(mutation, typed) ? typed : error;
}

function classify(error: EmsHttpError, details: UpstreamDetails, subject: UpstreamErrorSubject): UpstreamMutationError | null {
  const code = error.upstreamCode;
  const text = error.upstreamMessage ?? '';
  // Union members are data, not errors: they bypass error masking, so EMS text is redacted here.
  const message = redactSecrets(error.upstreamMessage ?? error.message);
  if (code === UPSTREAM_CODES.notFound || (error.status === 404 && !code?.startsWith('APIGW.'))) {
    return new NotFoundError(message, details, bracketed(text) ?? subject.clusterId ?? null);
  }
  if (code === UPSTREAM_CODES.duplicateName) {
    return new DuplicateNameError(message, details, bracketed(text) ?? subject.clusterName ?? null);
  }
  if (code === UPSTREAM_CODES.wrongState || /not running/i.test(text)) {
    return new WrongStateError(message, details, bracketed(text)?.toUpperCase() ?? null);
  }
  if (error.status === 403) return new ForbiddenError(message, details);
  const validation = code !== null && (UPSTREAM_CODES.validation as readonly string[]).includes(code);
  if (validation || (code === UPSTREAM_CODES.precondition && error.status === 400)) {
    return new UpstreamValidationError(message, details);
  }
  return null;
}

/** The `%s` of EMS templates like `Cluster not found: [%s].`, or null. */
function bracketed(text: string): string | null {
  const match = /\[([^\]]*)\]/.exec(text);
  const value = match?.[1]?.trim();
  return value ? value : null;
}
