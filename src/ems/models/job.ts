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
export const JOB_ID_PATTERN = /^(short-|long-|ems-custom-)[A-Za-z0-9-]+$/;
export const EmsJobId = z
  .string()
  .min(1)
  .max(48, 'must be at most 48 characters')
  .regex(JOB_ID_PATTERN, 'must start with "short-", "long-" or "ems-custom-" and contain only letters, digits and "-"');

/** The ListJobs type a job id belongs to. */
export function jobTypeOfId(id: string): EmsJobType {
  return id.startsWith('long-') ? 'long' : 'short';
}

export const EmsCancelJobsRequest = z.object({
  job_ids: z.array(EmsJobId).min(1, 'must name at least one job').max(1000, 'must name at most 1000 jobs'),
});
export type EmsCancelJobsRequest = z.infer<typeof EmsCancelJobsRequest>;
