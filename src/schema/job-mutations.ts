import { builder } from '../builder.js';
import { EmsBadResponseError } from '../ems/errors.js';
import { CANCEL_JOBS_MAX, EmsCancelJobsRequest, JOB_ID_MAX, JOB_ID_PREFIXES_TEXT } from '../ems/models/index.js';
import type { AcceptedWrite } from '../ems/read/index.js';
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

mutationField('cancelJobs', {
  input: CancelJobsInput,
  payload: CancelJobsPayload,
  description: 'Cancels jobs (CancelJobs).',
  resolve: (input, ctx) => {
    const body = validateInput(input, CANCEL_JOBS_RULES);
    return runMutation(ctx, {
      name: 'cancelJobs',
      idempotencyKey: input.idempotencyKey,
      request: body,
      submit: async (): Promise<CancelJobsStored> => {
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
  },
});
