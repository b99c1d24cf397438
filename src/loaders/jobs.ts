import type { EmsApi } from '../ems/api.js';
import { EMS_JOB_TYPES, jobTypeOfId, type EmsJob, type EmsJobType } from '../ems/models/index.js';
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

/** The ListJobs type each listed job came from (EMS job bodies do not carry it). */
const listedType = new WeakMap<EmsJob, EmsJobType>();

/** The type of a job: the ListJobs type it was listed under, else the one its id prefix implies. */
export function jobTypeOf(job: EmsJob): EmsJobType {
  return listedType.get(job) ?? jobTypeOfId(job.id);
}

/** Every job of one type, walking ListJobs in pages of 1,000. */
export async function listAllJobs(ems: EmsApi, jobType: EmsJobType): Promise<EmsJob[]> {
  const jobs = await walkUntilShort(async (offset, limit) => (await ems.listJobs({ jobType, offset, limit })).jobs);
  for (const job of jobs) listedType.set(job, jobType);
  return jobs;
}

/** Marks jobs as listed under `jobType` (for pages fetched outside listAllJobs). */
export function rememberJobType(jobs: readonly EmsJob[], jobType: EmsJobType): void {
  for (const job of jobs) listedType.set(job, jobType);
}

/** The job types a key or filter covers. */
export function jobTypesOf(type: EmsJobType | null | undefined): readonly EmsJobType[] {
  return type ? [type] : EMS_JOB_TYPES;
}

/**
 * Batch function of `jobsByClusterId`: EMS cannot filter jobs by cluster, so every key is served
 * by the per-request list of each type it needs (one ListJobs walk per type for the whole request).
 */
export async function loadJobsByClusterIds(
  keys: readonly JobsByClusterKey[],
  allJobs: (type: EmsJobType) => Promise<readonly EmsJob[]>,
): Promise<(EmsJob[] | Error)[]> {
  const needed = new Set(keys.flatMap((key) => jobTypesOf(key.type)));
  const byType = new Map<EmsJobType, Map<string, EmsJob[]> | Error>();
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
    const jobs: EmsJob[] = [];
    for (const type of jobTypesOf(key.type)) {
      const groups = byType.get(type);
      if (groups instanceof Error || groups === undefined) return groups ?? new Error(`no ${type} jobs loaded`);
      jobs.push(...(groups.get(key.clusterId.toLowerCase()) ?? []));
    }
    return jobs;
  });
}

function groupByCluster(jobs: readonly EmsJob[]): Map<string, EmsJob[]> {
  const groups = new Map<string, EmsJob[]>();
  for (const job of jobs) {
    if (!job.cluster_id) continue;
    const key = job.cluster_id.toLowerCase();
    const group = groups.get(key);
    if (group) group.push(job);
    else groups.set(key, [job]);
  }
  return groups;
}

export interface LoadJobsByIdsOptions {
  allJobs: (type: EmsJobType) => Promise<readonly EmsJob[]>;
  /** Whether the list of that type has already been started in this request. */
  allJobsStarted: (type: EmsJobType) => boolean;
}

/**
 * Batch function of `jobById` (ShowJob semantics). Ids whose type list is already loading are
 * looked up there, as are all ids of a batch larger than SHOW_JOB_MAX_BATCH; an id the list lacks
 * (e.g. an `ems-custom-` job listed under another type) is confirmed with ShowJob. Small batches
 * use one ShowJob per id, concurrently.
 */
export async function loadJobsByIds(
  ems: EmsApi,
  ids: readonly string[],
  options: LoadJobsByIdsOptions,
): Promise<(EmsJob | Error)[]> {
  const useList = (type: EmsJobType) => ids.length > SHOW_JOB_MAX_BATCH || options.allJobsStarted(type);
  const listed = new Map<string, EmsJob>();
  const failed = new Map<EmsJobType, Error>();
  const types = new Set(ids.map(jobTypeOfId).filter(useList));
  await Promise.all(
    [...types].map(async (type) => {
      try {
        for (const job of await options.allJobs(type)) listed.set(job.id, job);
      } catch (error) {
        failed.set(type, toError(error));
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
