import { z } from 'zod';
import { EmsTimestamp, optionalString } from './common.js';

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

export const EmsTask = z.object({
  id: z.string().max(64),
  status: EmsJobStatus,
  message: optionalString(1024),
  created_at: EmsTimestamp.nullish(),
  begin_at: EmsTimestamp.nullish(),
  end_at: EmsTimestamp.nullish(),
});
export type EmsTask = z.infer<typeof EmsTask>;

export const EmsJob = z.object({
  id: z.string().min(1).max(64),
  cluster_id: z.string().max(36).nullish(),
  name: z.string().min(1).max(128),
  status: EmsJobStatus,
  progress: z.number().min(0).max(100),
  message: optionalString(1024),
  created_at: EmsTimestamp.nullish(),
  begin_at: EmsTimestamp.nullish(),
  end_at: EmsTimestamp.nullish(),
  task_list: z.array(EmsTask).nullish(),
});
export type EmsJob = z.infer<typeof EmsJob>;

export const EmsListJobsResponse = z.object({
  jobs: z.array(EmsJob).max(1000),
});
export type EmsListJobsResponse = z.infer<typeof EmsListJobsResponse>;

export const EmsCancelJobsRequest = z.object({
  job_ids: z.array(EmsJobId).min(1, 'must name at least one job').max(1000, 'must name at most 1000 jobs'),
});
export type EmsCancelJobsRequest = z.infer<typeof EmsCancelJobsRequest>;

export const EmsCancelJobsResponse = z.object({
  success_rows: z.number().int().min(0),
  failed_rows: z.number().int().min(0),
  failed_ids: z.array(z.string()).max(1000).nullish(),
});
export type EmsCancelJobsResponse = z.infer<typeof EmsCancelJobsResponse>;
