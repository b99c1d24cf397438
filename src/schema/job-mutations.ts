import { builder } from '../builder.js';
import { runMutation } from '../mutations/run.js';
import { validateCancelJobs } from '../mutations/validation.js';
import { IDEMPOTENCY_KEY_DESCRIPTION } from './cluster-mutations.js';
import { mutationErrors } from './error.js';

export const CancelJobsInput = builder.inputType('CancelJobsInput', {
  fields: (t) => ({
    jobIds: t.idList({
      required: true,
      description: '1–1000 job ids ("short-", "long-" or "ems-custom-" followed by letters, digits and "-"; at most 48 characters).',
    }),
    idempotencyKey: t.string({ description: IDEMPOTENCY_KEY_DESCRIPTION }),
  }),
});

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
    replayed: t.exposeBoolean('replayed', { nullable: false,
      description: 'True when this is the stored result of an earlier request with the same idempotencyKey (nothing was submitted).',
    }),
  }),
});

builder.mutationField('cancelJobs', (t) =>
  t.field({
    type: CancelJobsPayload,
    nullable: false,
    description: 'Cancels jobs (CancelJobs).',
    args: { input: t.arg({ type: CancelJobsInput, required: true }) },
    errors: mutationErrors('cancelJobs', 'CancelJobsResult'),
    resolve: (_root, { input }, ctx) => {
      const body = validateCancelJobs(input);
      return runMutation(ctx, {
        name: 'cancelJobs',
        idempotencyKey: input.idempotencyKey,
        request: body,
        submit: async () => {
          const response = await ctx.ems.cancelJobs(body);
          return { requested: body.job_ids, failed: response.failed_ids ?? [] };
        },
        render: async (stored, replayed) => {
          // Their statuses changed: later reads of this request must not see the old ones.
          ctx.loaders.invalidateJobs();
          const failed = new Set(stored.failed);
          return {
            cancelled: [...new Set(stored.requested)].filter((id) => !failed.has(id)),
            failed: stored.failed,
            replayed,
          };
        },
      });
    },
  }),
);
