import { setTimeout as sleep } from 'node:timers/promises';
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
  type IdempotencyClaim,
  type IdempotencyNote,
} from '../idempotency/index.js';
import { IdempotencyKeyReusedError, type MutationName } from './errors.js';
import type { Reconciled } from './reconcile.js';
import { toMutationError, type UpstreamErrorSubject } from './upstream.js';

/** Gateway error codes of the idempotency machinery (GraphQL errors, not union members). */
export type IdempotencyErrorCode = 'IDEMPOTENCY_KEY_IN_PROGRESS' | 'IDEMPOTENCY_UNAVAILABLE' | 'IDEMPOTENCY_OUTCOME_UNKNOWN';

/**
 * What a completed idempotency record holds: the submission's result. (Records of earlier versions
 * may hold `unknown`: a failure that left the write's effect unknown; a repeat then gets an error.)
 * A write whose outcome is unknown leaves its record pending and orphaned instead, with a note, so
 * that the next repeat reconciles it with EMS.
 */
type Outcome<Stored> = { kind: 'done'; result: Stored } | ({ kind: 'unknown' } & IdempotencyNote);

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
  /**
   * Finds out from EMS what an earlier attempt whose outcome is unknown did (see reconcile.ts).
   * Without it, such a key answers IDEMPOTENCY_OUTCOME_UNKNOWN.
   */
  reconcile?(): Promise<Reconciled<Stored>>;
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
    if (begun.result.kind === 'unknown') throw outcomeUnknownError(spec.name, begun.result, null);
    return render(spec, begun.result.result, true);
  }

  let claim: IdempotencyClaim<Outcome<Stored>>;
  if (begun.kind === 'orphaned') {
    const found = await reconcile(ctx, spec, begun);
    if (found.kind === 'applied') return render(spec, found.stored, true);
    claim = begun.claim;
  } else {
    claim = begun.claim;
  }

  const keep = (outcome: Outcome<Stored>) =>
    claim.complete(outcome).catch((e: unknown) => ctx.services.logger.error({ err: e, mutation: spec.name }, 'idempotency record not stored'));
  let stored: Stored;
  try {
    stored = await submit(spec);
  } catch (error) {
    const original = error instanceof GraphQLError ? error.originalError : error;
    if (isEmsError(original) && original.outcomeUnknown) {
      // The write may have taken effect: the key stays held, orphaned, and the next repeat asks EMS.
      const note: IdempotencyNote = { operation: original.operation, code: original.code, message: original.message, requestId: original.requestId };
      await claim.abandon(note).catch((e: unknown) => ctx.services.logger.error({ err: e, mutation: spec.name }, 'idempotency record not stored'));
    } else {
      // EMS refused, or nothing was sent: release the key so that a retry may submit.
      await claim.fail().catch((e: unknown) => ctx.services.logger.warn({ err: e, mutation: spec.name }, 'idempotency release failed'));
    }
    throw error;
  }
  await keep({ kind: 'done', result: stored });
  return render(spec, stored, false);
}

/**
 * How long after its EMS timeout a write may still land: the HTTP client's timers fire up to about
 * a second late, and EMS may apply a request a moment after the connection that sent it is gone.
 */
const WRITE_SETTLE_MARGIN_MS = 2_000;

/**
 * Settles an orphaned key: asks EMS what the earlier attempt did. Applied → the record completes
 * with that result; absent → the caller submits now, under the claim; unknown (or EMS unreachable)
 * → the key stays orphaned and the caller gets IDEMPOTENCY_OUTCOME_UNKNOWN (or the EMS error).
 *
 * "Absent" and "unknown" are trusted only once the earlier attempt is older than one EMS timeout
 * plus {@link WRITE_SETTLE_MARGIN_MS}: a write still on its way could land after the look. A
 * younger one is looked at again when that time has passed.
 */
async function reconcile<Stored>(
  ctx: Context,
  spec: MutationSpec<Stored, unknown>,
  begun: Extract<IdempotencyBegin<Outcome<Stored>>, { kind: 'orphaned' }>,
): Promise<{ kind: 'applied'; stored: Stored } | { kind: 'absent' }> {
  const { claim, note } = begun;
  const giveBack = () =>
    claim
      .abandon(note ?? { operation: spec.name, code: 'OWNER_GONE', message: 'the gateway that submitted it stopped before EMS answered', requestId: null })
      .catch((e: unknown) => ctx.services.logger.warn({ err: e, mutation: spec.name }, 'idempotency record not stored'));
  let found: Reconciled<Stored>;
  try {
    if (!spec.reconcile) {
      found = { kind: 'unknown', known: 'EMS offers no way to look this write up' };
    } else {
      found = await spec.reconcile();
      const settleAt = begun.startedAt + ctx.config.ems.timeoutMs + WRITE_SETTLE_MARGIN_MS;
      if (found.kind !== 'applied' && Date.now() < settleAt) {
        await sleep(settleAt - Date.now(), undefined, { signal: ctx.signal });
        found = await spec.reconcile();
      }
    }
  } catch (error) {
    await giveBack();
    throw error;
  }
  ctx.log.info({ mutation: spec.name, reconciled: found.kind, earlierFailure: note?.code ?? 'OWNER_GONE' }, 'idempotency key of an interrupted write reconciled with EMS');
  if (found.kind === 'applied') {
    await claim
      .complete({ kind: 'done', result: found.stored })
      .catch((e: unknown) => ctx.services.logger.error({ err: e, mutation: spec.name }, 'idempotency record not stored'));
    return found;
  }
  if (found.kind === 'absent') return found;
  await giveBack();
  throw outcomeUnknownError(spec.name, note, found.known);
}

function outcomeUnknownError(mutation: string, note: IdempotencyNote | null, known: string | null): GraphQLError {
  const extensions = gatewayExtensions('IDEMPOTENCY_OUTCOME_UNKNOWN', { requestId: note?.requestId ?? null });
  const first = note
    ? `failed with ${note.code} after it may have reached EMS (${note.message})`
    : 'was interrupted before EMS answered (the gateway that submitted it stopped)';
  return new GraphQLError(
    `The first ${mutation} with this idempotency key ${first}.${known ? ` EMS cannot tell whether it took effect: ${known}.` : ''} ` +
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
