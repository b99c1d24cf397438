import type { EmsApi } from '../ems/api.js';
import { EmsBadResponseError } from '../ems/errors.js';
import { EMS_JOB_TYPES, jobTypeOfId, type EmsJobType } from '../ems/models/index.js';
import { isUnreadable, type JobRecord, type Listed } from '../ems/read/index.js';
import { toError } from './clusters.js';
import { walkUntilShort } from './walk.js';

/** Batches of at most this many job ids whose type list is not loaded yet use one ShowJob each. */
export const SHOW_JOB_MAX_BATCH = 3;

/** Key of `jobsByClusterId`: the jobs of one cluster, of one type or (type null) of both. */
export interface JobsByClusterKey {
  clusterId: string;
  /** null = short and long jobs, short ones first. */
  type: EmsJobType | null;
}

/** Every job of one type, walking ListJobs in pages of 1,000. Each record's `type` is `jobType`. */
export function listAllJobs(ems: EmsApi, jobType: EmsJobType): Promise<Listed<JobRecord>[]> {
  return walkUntilShort(async (offset, limit) => (await ems.listJobs({ jobType, offset, limit })).jobs);
}

/** The job types a key or filter covers. */
export function jobTypesOf(type: EmsJobType | null | undefined): readonly EmsJobType[] {
  return type ? [type] : EMS_JOB_TYPES;
}

/**
 * Batch function of `jobsByClusterId`: EMS cannot filter jobs by cluster, so every key is served
 * by the per-request list of each type it needs (one ListJobs walk per type for the whole request).
 * Elements that cannot be read name no cluster, so no cluster lists them.
 */
export async function loadJobsByClusterIds(
  keys: readonly JobsByClusterKey[],
  allJobs: (type: EmsJobType) => Promise<readonly Listed<JobRecord>[]>,
): Promise<(JobRecord[] | Error)[]> {
  const needed = new Set(keys.flatMap((key) => jobTypesOf(key.type)));
  const byType = new Map<EmsJobType, Map<string, JobRecord[]> | Error>();
  await Promise.all(
    [...needed].map(async (type) => {
      try {
        byType.set(type, groupByCluster(await allJobs(type)));
      } catch (error) {
        byType.set(type, toError(error));
      }
    }),
  );
  return keys.map((key) => {
    const jobs: JobRecord[] = [];
    for (const type of jobTypesOf(key.type)) {
      const groups = byType.get(type);
      if (groups instanceof Error || groups === undefined) return groups ?? new Error(`no ${type} jobs loaded`);
      jobs.push(...(groups.get(key.clusterId.toLowerCase()) ?? []));
    }
    return jobs;
  });
}

function groupByCluster(jobs: readonly Listed<JobRecord>[]): Map<string, JobRecord[]> {
  const groups = new Map<string, JobRecord[]>();
  for (const job of jobs) {
    if (isUnreadable(job) || !job.clusterId) continue;
    const key = job.clusterId.toLowerCase();
    const group = groups.get(key);
    if (group) group.push(job);
    else groups.set(key, [job]);
  }
  return groups;
}

export interface LoadJobsByIdsOptions {
  allJobs: (type: EmsJobType) => Promise<readonly Listed<JobRecord>[]>;
  /** Whether the list of that type has already been started in this request. */
  allJobsStarted: (type: EmsJobType) => boolean;
}

/**
 * Batch function of `jobById` (ShowJob semantics). Ids whose type list is already loading are
 * looked up there, as are all ids of a batch larger than SHOW_JOB_MAX_BATCH; an id the list lacks
 * (e.g. an `ems-custom-` job listed under another type, or one among elements that cannot be
 * read) is confirmed with ShowJob, and so is every id of a list EMS sent unreadable. Small batches
 * use one ShowJob per id, concurrently.
 */
export async function loadJobsByIds(
  ems: EmsApi,
  ids: readonly string[],
  options: LoadJobsByIdsOptions,
): Promise<(JobRecord | Error)[]> {
  const useList = (type: EmsJobType) => ids.length > SHOW_JOB_MAX_BATCH || options.allJobsStarted(type);
  const listed = new Map<string, JobRecord>();
  const failed = new Map<EmsJobType, Error>();
  const types = new Set(ids.map(jobTypeOfId).filter(useList));
  await Promise.all(
    [...types].map(async (type) => {
      try {
        for (const job of await options.allJobs(type)) if (!isUnreadable(job)) listed.set(job.id, job);
      } catch (error) {
        if (!(error instanceof EmsBadResponseError)) failed.set(type, toError(error));
      }
    }),
  );
  return Promise.all(
    ids.map(
      (id) =>
        listed.get(id) ?? failed.get(jobTypeOfId(id)) ?? ems.showJob(id).catch((error: unknown) => toError(error)),
    ),
  );
}
