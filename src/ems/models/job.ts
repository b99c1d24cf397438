import { z } from 'zod';

export const JOB_STATUSES = ['INIT', 'RUNNING', 'STOPPED', 'FAILED', 'COMPLETED'] as const;
export const EmsJobStatus = z.enum(JOB_STATUSES);
export type EmsJobStatus = z.infer<typeof EmsJobStatus>;
export const TERMINAL_JOB_STATUSES: ReadonlySet<EmsJobStatus> = new Set(['STOPPED', 'FAILED', 'COMPLETED']);

/** `job_type` query of ListJobs. */
export const EMS_JOB_TYPES = ['short', 'long'] as const;
export type EmsJobType = (typeof EMS_JOB_TYPES)[number];

/**
 * Job id: `short-` or `long-` prefix, letters, digits and `-`, 1–48 characters. The scan also
 * says expand/shrink jobs have ids of the form `ems-custom-{uuid}` (47 characters); we accept that
 * prefix as well, and treat such jobs as short ones.
 */
export const JOB_ID_PREFIXES = ['short-', 'long-', 'ems-custom-'] as const;
export const JOB_ID_MAX = 48;
export const JOB_ID_PATTERN = new RegExp(`^(${JOB_ID_PREFIXES.join('|')})[A-Za-z0-9-]+$`);
/** The job-id rule in words: `"short-", "long-" or "ems-custom-"`. */
export const JOB_ID_PREFIXES_TEXT = `${JOB_ID_PREFIXES.slice(0, -1).map((p) => JSON.stringify(p)).join(', ')} or ${JSON.stringify(JOB_ID_PREFIXES.at(-1))}`;
export const EmsJobId = z
  .string()
  .min(1, 'must not be empty')
  .max(JOB_ID_MAX, `must be at most ${JOB_ID_MAX} characters`)
  .regex(JOB_ID_PATTERN, `must start with ${JOB_ID_PREFIXES_TEXT} and contain only letters, digits and "-"`);

/** The ListJobs type a job id belongs to. */
export function jobTypeOfId(id: string): EmsJobType {
  return id.startsWith('long-') ? 'long' : 'short';
}

/** Most job ids one CancelJobs names. */
export const CANCEL_JOBS_MAX = 1000;
export const EmsCancelJobsRequest = z.object({
  job_ids: z.array(EmsJobId).min(1, 'must name at least one job').max(CANCEL_JOBS_MAX, `must name at most ${CANCEL_JOBS_MAX} jobs`),
});
export type EmsCancelJobsRequest = z.infer<typeof EmsCancelJobsRequest>;
