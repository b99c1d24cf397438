import { builder } from '../builder.js';
import { EmsBadResponseError } from '../ems/errors.js';
import { CANCEL_JOBS_MAX, EmsCancelJobsRequest, JOB_ID_MAX, JOB_ID_PREFIXES_TEXT } from '../ems/models/index.js';
import type { AcceptedWrite } from '../ems/read/index.js';
import { GraphQLError } from 'graphql';
import type { Context } from '../context.js';
import { IdempotencyKeyReusedError, MutationError } from '../mutations/errors.js';
import type { RoutePart } from '../mutations/route.js';
import { runMutation } from '../mutations/run.js';
import { validateInput, type EmsMapping } from '../mutations/validation.js';
import { idempotencyKeyField, mutationField, regionInputField, replayedField } from './mutation.js';

export const CancelJobsInput = builder.inputType('CancelJobsInput', {
  fields: (t) => ({
    jobIds: t.idList({
      required: true,
      description: `1–${CANCEL_JOBS_MAX} job ids (${JOB_ID_PREFIXES_TEXT} followed by letters, digits and "-"; at most ${JOB_ID_MAX} characters).`,
    }),
    idempotencyKey: idempotencyKeyField(t),
    region: regionInputField(t, 'of the jobs'),
  }),
});
const CANCEL_JOBS: EmsMapping<typeof CancelJobsInput.$inferInput> = { jobIds: 'job_ids', idempotencyKey: null, region: null };
export const CANCEL_JOBS_RULES = { mapping: CANCEL_JOBS, body: EmsCancelJobsRequest };

/** What a repeat of cancelJobs needs: the request and what EMS answered. */
interface CancelJobsStored {
  requested: string[];
  /** EMS's `failed_ids`; null when it sent none that can be read. */
  failed: string[] | null;
  successRows: number | null;
  failedRows: number | null;
  accepted: AcceptedWrite;
}

/**
 * The ids EMS could not cancel: its `failed_ids`, or, when it sent none that can be read, what its
 * row counts say for certain (none or all failed). Otherwise EMS's answer does not tell, which is
 * the one case where an accepted write cannot be shown: an error says it was submitted.
 */
function failedIds(stored: CancelJobsStored, requested: readonly string[]): string[] {
  if (stored.failed) return stored.failed;
  const { successRows, failedRows } = stored;
  if (failedRows === 0 || successRows === requested.length) return [];
  if (successRows === 0 || failedRows === requested.length) return [...requested];
  throw new EmsBadResponseError(
    `EMS CancelJobs accepted the request but its answer does not say which jobs it could not cancel (${stored.accepted.problem ?? 'no readable failed_ids'})`,
    { operation: stored.accepted.operation, requestId: stored.accepted.requestId },
  );
}

/** What CancelJobs answered, in terms of the request. */
export interface CancelJobsPayloadData {
  cancelled: string[];
  failed: string[];
  replayed: boolean;
}

export const CancelJobsPayload = builder.objectRef<CancelJobsPayloadData>('CancelJobsPayload').implement({
  description: 'Which of the requested jobs EMS cancelled.',
  fields: (t) => ({
    cancelled: t.exposeIDList('cancelled', { nullable: false, description: 'Requested ids EMS did not report as failed, in request order.' }),
    failed: t.exposeIDList('failed', { nullable: false, description: 'Ids EMS could not cancel (its `failed_ids`).' }),
    replayed: replayedField(t),
  }),
});

/**
 * One CancelJobs in `ctx`'s region, exactly once per idempotency key there. `whole`: the request's
 * full job id list when this is one region's share of a request that spans regions; it is part of
 * the idempotency fingerprint, so a key reused with other jobs is refused in every region.
 */
function cancelIn(
  input: typeof CancelJobsInput.$inferInput,
  ctx: Context,
  whole?: readonly string[],
  beforeSubmit?: () => Promise<void>,
): Promise<CancelJobsPayloadData> {
  const body = validateInput(input, CANCEL_JOBS_RULES);
  return runMutation(ctx, {
    name: 'cancelJobs',
    idempotencyKey: input.idempotencyKey,
    request: whole ? { ...body, of: whole } : body,
    submit: async (): Promise<CancelJobsStored> => {
      await beforeSubmit?.();
      const response = await ctx.ems.cancelJobs(body);
      return {
        requested: body.job_ids,
        failed: response.failedIds,
        successRows: response.successRows,
        failedRows: response.failedRows,
        accepted: response.accepted,
      };
    },
    summary: (stored) => ({ jobIds: stored.requested.join(' ') }),
    render: async (stored, replayed) => {
      // Their statuses changed: later reads of this request must not see the old ones.
      ctx.loaders.invalidateJobs();
      const requested = [...new Set(stored.requested)];
      const failedList = failedIds(stored, requested);
      const failed = new Set(failedList);
      return { cancelled: requested.filter((id) => !failed.has(id)), failed: failedList, replayed };
    },
  });
}

/**
 * Jobs in several regions: one CancelJobs per region at once, each exactly once under the same key
 * (records are per region). The answers merge in request order. A region whose share failed while
 * another's was accepted does not hide the accepted one: its ids are listed as `failed` and an error
 * on the field names the region (its key is released when EMS refused, so a repeat resubmits only
 * that share). When every share failed, the first failure is the result.
 */
async function cancelAcross(input: typeof CancelJobsInput.$inferInput, parts: RoutePart[], path: readonly (string | number)[]): Promise<CancelJobsPayloadData> {
  // The whole request is checked first: the shares are each smaller than the limits it must meet.
  validateInput(input, CANCEL_JOBS_RULES);
  const whole = input.jobIds.map(String);
  // Nothing is submitted until every share has claimed its key (or replays): a key that one region
  // already holds for another input refuses the whole request, as with one region. The shares claim
  // in configured order, one after the other, so two identical requests never wait on each other.
  const gate = shareGate(parts.length);
  let previous: Promise<void> = Promise.resolve();
  const runs = parts.map((part, i) => {
    const turn = previous;
    let arrived!: () => void;
    previous = new Promise<void>((resolve) => (arrived = resolve));
    return turn.then(() => {
      let atSubmit = false;
      return cancelIn({ ...input, jobIds: part.jobIds, region: part.region }, part.ctx, whole, () => {
        atSubmit = true;
        arrived();
        return gate.arrive(i, false);
      }).then(
        (value) => {
          if (!atSubmit) void gate.arrive(i, false).catch(() => undefined);
          arrived();
          return value;
        },
        (error: unknown) => {
          if (!atSubmit) void gate.arrive(i, error instanceof IdempotencyKeyReusedError).catch(() => undefined);
          arrived();
          throw error;
        },
      );
    });
  });
  const settled = await Promise.allSettled(runs);
  const reused = settled.find((r) => r.status === 'rejected' && r.reason instanceof IdempotencyKeyReusedError) as PromiseRejectedResult | undefined;
  if (reused) throw reused.reason;
  if (settled.every((r) => r.status === 'rejected')) throw (settled[0] as PromiseRejectedResult).reason;
  const cancelled = new Set<string>();
  const failed = new Set<string>();
  const regions = parts[0]!.ctx.regions;
  settled.forEach((result, i) => {
    const part = parts[i]!;
    if (result.status === 'fulfilled') {
      result.value.cancelled.forEach((id) => cancelled.add(id));
      result.value.failed.forEach((id) => failed.add(id));
      regions.answered(part.region);
    } else {
      part.jobIds.forEach((id) => failed.add(id));
      const reason = result.reason as unknown;
      const error =
        reason instanceof MutationError
          ? new GraphQLError(`cancelJobs of ${part.jobIds.join(', ')} in region ${part.region} failed: ${reason.message}`, {
              extensions: { code: reason.code, region: part.region, upstreamCode: (reason as { upstreamCode?: string | null }).upstreamCode ?? null, requestId: (reason as { requestId?: string | null }).requestId ?? null },
            })
          : reason;
      regions.failed(part.region, error, path);
    }
  });
  const order = [...new Set(whole)];
  return {
    cancelled: order.filter((id) => cancelled.has(id) && !failed.has(id)),
    failed: order.filter((id) => failed.has(id)),
    replayed: settled.every((r) => r.status === 'fulfilled' && r.value.replayed),
  };
}

/**
 * Holds the shares of a cancelJobs across regions at their submission until every share has
 * arrived: at its submission, or settled without one (replayed, refused). Opens unless a share
 * found its key held for another input; then every waiting share fails before anything is sent.
 */
function shareGate(count: number): { arrive(share: number, reused: boolean): Promise<void> } {
  const arrived = new Set<number>();
  let reused = false;
  let open!: () => void;
  let shut!: (error: Error) => void;
  const gate = new Promise<void>((resolve, reject) => {
    open = resolve;
    shut = reject;
  });
  gate.catch(() => undefined);
  return {
    arrive(share, isReused) {
      reused ||= isReused;
      arrived.add(share);
      if (arrived.size === count) {
        if (reused) shut(new Error('the idempotencyKey is held for another input in another region: nothing was submitted'));
        else open();
      }
      return gate;
    },
  };
}

mutationField('cancelJobs', {
  input: CancelJobsInput,
  payload: CancelJobsPayload,
  description: 'Cancels jobs (CancelJobs); jobs in several regions get one CancelJobs per region.',
  resolve: (input, ctx) => cancelIn(input, ctx),
  resolveParts: cancelAcross,
});
