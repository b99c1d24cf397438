import { GraphQLError } from 'graphql';
import type { Context } from '../context.js';
import { isEmsError } from '../ems/errors.js';
import { emsGraphQLError, gatewayError, gatewayExtensions } from '../errors.js';
import {
  IdempotencyInProgressError,
  IdempotencyUnavailableError,
  fingerprintOf,
  idempotencyRecordKey,
  type IdempotencyBegin,
} from '../idempotency/index.js';
import { IdempotencyKeyReusedError, type MutationName } from './errors.js';
import { toMutationError, type UpstreamErrorSubject } from './upstream.js';

/** Gateway error codes of the idempotency machinery (GraphQL errors, not union members). */
export type IdempotencyErrorCode = 'IDEMPOTENCY_KEY_IN_PROGRESS' | 'IDEMPOTENCY_UNAVAILABLE' | 'IDEMPOTENCY_OUTCOME_UNKNOWN';

/**
 * What an idempotency record holds: the submission's result, or the fact that the submission
 * failed in a way that leaves its effect unknown (it may have reached EMS). A repeat of the key
 * gets the result, or an error saying so; it never submits again.
 */
type Outcome<Stored> =
  | { kind: 'done'; result: Stored }
  | { kind: 'unknown'; operation: string; code: string; message: string; requestId: string | null };

export interface MutationSpec<Stored, Payload> {
  /** Mutation field name, e.g. `createCluster`; part of the idempotency record key. */
  name: MutationName;
  /** The caller's `idempotencyKey`, if any (already validated). */
  idempotencyKey: string | null | undefined;
  /**
   * The validated request as it goes upstream (ids and body). Its hash is stored with the record:
   * a repeat of the key with a different request is refused.
   */
  request: unknown;
  /** Makes the one upstream write; resolves to what a repeat needs to re-render the payload (JSON). */
  submit(): Promise<Stored>;
  /** Builds the payload from the stored result (re-reading state is fine; submitting is not). */
  render(stored: Stored, replayed: boolean): Promise<Payload>;
  /** Fills typed upstream errors (the cluster the mutation was about). */
  subject?: UpstreamErrorSubject;
  /** What was submitted, quoted in the error when the payload cannot be read afterwards. */
  summary?(stored: Stored): Record<string, unknown>;
}

/**
 * Runs a validated mutation: the upstream write happens exactly once per idempotency key (same
 * caller, same mutation, IDEMPOTENCY_WINDOW), also for concurrent duplicates; EMS refusals the client can
 * act on become typed union members; everything else propagates as a GraphQL error.
 */
export async function runMutation<Stored, Payload>(ctx: Context, spec: MutationSpec<Stored, Payload>): Promise<Payload> {
  if (spec.idempotencyKey == null) {
    const stored = await submit(spec);
    return render(spec, stored, false);
  }

  const recordKey = idempotencyRecordKey(ctx.scope, spec.name, spec.idempotencyKey);
  const fingerprint = fingerprintOf({ mutation: spec.name, request: spec.request });
  let begun: IdempotencyBegin<Outcome<Stored>>;
  try {
    begun = await ctx.services.idempotency.begin<Outcome<Stored>>(recordKey, fingerprint);
  } catch (error) {
    throw idempotencyGraphQLError(error);
  }

  if (begun.kind === 'mismatch') throw new IdempotencyKeyReusedError(spec.idempotencyKey);
  if (begun.kind === 'replay') {
    if (begun.result.kind === 'unknown') throw outcomeUnknownError(spec.name, begun.result);
    return render(spec, begun.result.result, true);
  }

  const { claim } = begun;
  const keep = (outcome: Outcome<Stored>) =>
    claim.complete(outcome).catch((e: unknown) => ctx.services.logger.error({ err: e, mutation: spec.name }, 'idempotency record not stored'));
  let stored: Stored;
  try {
    stored = await submit(spec);
  } catch (error) {
    const original = error instanceof GraphQLError ? error.originalError : error;
    if (isEmsError(original) && original.outcomeUnknown) {
      // The write may have taken effect: holding the key keeps a retry from submitting it twice.
      await keep({ kind: 'unknown', operation: original.operation, code: original.code, message: original.message, requestId: original.requestId });
    } else {
      // EMS refused, or nothing was sent: release the key so that a retry may submit.
      await claim.fail().catch((e: unknown) => ctx.services.logger.warn({ err: e, mutation: spec.name }, 'idempotency release failed'));
    }
    throw error;
  }
  await keep({ kind: 'done', result: stored });
  return render(spec, stored, false);
}

function outcomeUnknownError(mutation: string, outcome: Extract<Outcome<unknown>, { kind: 'unknown' }>): GraphQLError {
  const extensions = gatewayExtensions('IDEMPOTENCY_OUTCOME_UNKNOWN', { requestId: outcome.requestId });
  return new GraphQLError(
    `The first ${mutation} with this idempotency key failed with ${outcome.code} after it may have reached EMS (${outcome.message}). ` +
      'It was not submitted again: check the cluster and its jobs, then use a new idempotencyKey to submit.',
    { extensions },
  );
}

async function submit<Stored>(spec: MutationSpec<Stored, unknown>): Promise<Stored> {
  try {
    return await spec.submit();
  } catch (error) {
    throw toMutationError(error, spec.name, spec.subject);
  }
}

/**
 * Renders the payload. The write has happened by now, so a failure to read the result must not
 * look like a failed write: the GraphQL error says what was submitted (and a repeat of the
 * idempotency key renders it again without resubmitting).
 */
async function render<Stored, Payload>(spec: MutationSpec<Stored, Payload>, stored: Stored, replayed: boolean): Promise<Payload> {
  try {
    return await spec.render(stored, replayed);
  } catch (error) {
    if (!isEmsError(error)) throw error;
    const base = emsGraphQLError(error);
    const submitted = spec.summary?.(stored) ?? null;
    const what = submitted ? ` (${Object.entries(submitted).map(([k, v]) => `${k} ${String(v)}`).join(', ')})` : '';
    return Promise.reject(
      new GraphQLError(`${spec.name} was submitted${what}, but reading its result failed: ${error.message}`, {
        extensions: { ...base.extensions, submitted },
        originalError: error,
      }),
    );
  }
}

function idempotencyGraphQLError(error: unknown): GraphQLError {
  const retry = (code: IdempotencyErrorCode) => gatewayError((error as Error).message, code, { retryable: true });
  if (error instanceof IdempotencyInProgressError) return retry('IDEMPOTENCY_KEY_IN_PROGRESS');
  if (error instanceof IdempotencyUnavailableError) return retry('IDEMPOTENCY_UNAVAILABLE');
  throw error;
}
