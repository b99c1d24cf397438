import { EMS_CODES, EmsHttpError } from '../ems/errors.js';
import { redactSecrets } from '../security/redact.js';
import {
  DuplicateNameError,
  ForbiddenError,
  NotFoundError,
  UpstreamValidationError,
  WrongStateError,
  isErrorOf,
  type MutationName,
  type UpstreamMutationError,
} from './errors.js';

/**
 * EMS codes of a refused body (docs/ems.md, "Errors"). The add-on check code (CoreDNS too small,
 * CIE-collector conflict) counts only with status 400: with 500 it means "Failed to create
 * cluster." and stays a GraphQL error.
 */
const REFUSED_BODY_CODES: readonly string[] = [EMS_CODES.outOfRange, EMS_CODES.invalidParameter];

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
  const typed = classify(error, subject);
  return typed && isErrorOf(mutation, typed) ? typed : error;
}

/** The typed error of an EMS refusal; the EmsHttpError itself carries the details (code, request id, status). */
function classify(error: EmsHttpError, subject: UpstreamErrorSubject): UpstreamMutationError | null {
  const code = error.upstreamCode;
  const text = error.upstreamMessage ?? '';
  // Union members are data, not errors: they bypass error masking, so EMS text is redacted here.
  const message = redactSecrets(error.upstreamMessage ?? error.message);
  if (code === EMS_CODES.clusterNotFound || (error.status === 404 && !code?.startsWith('APIGW.'))) {
    return new NotFoundError(message, error, bracketed(text) ?? subject.clusterId ?? null);
  }
  if (code === EMS_CODES.duplicateName) {
    return new DuplicateNameError(message, error, bracketed(text) ?? subject.clusterName ?? null);
  }
  if (code === EMS_CODES.wrongState || /not running/i.test(text)) {
    return new WrongStateError(message, error, bracketed(text)?.toUpperCase() ?? null);
  }
  if (error.status === 403) return new ForbiddenError(message, error);
  if ((code !== null && REFUSED_BODY_CODES.includes(code)) || (code === EMS_CODES.addonCheck && error.status === 400)) {
    return new UpstreamValidationError(message, error);
  }
  return null;
}

/** The `%s` of EMS templates like `Cluster not found: [%s].`, or null. */
function bracketed(text: string): string | null {
  const match = /\[([^\]]*)\]/.exec(text);
  const value = match?.[1]?.trim();
  return value ? value : null;
}
