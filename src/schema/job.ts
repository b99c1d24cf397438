import type { GraphQLResolveInfo } from 'graphql';
import { builder } from '../builder.js';
import type { Context } from '../context.js';
import { isEmsError } from '../ems/errors.js';
import { EmsJobId, EmsUuid, JOB_STATUSES, type EmsJobStatus, type EmsJobType } from '../ems/models/index.js';
import { isUnreadable, missingFieldError, type JobRecord, type Listed } from '../ems/read/index.js';
import { checkArgument } from '../errors.js';
import { jobTypesOf } from '../loaders/jobs.js';
import { Cluster } from './cluster.js';
import {
  connectionFromList,
  connectionFromPage,
  itemsOf,
  listConnection,
  offsetWindow,
  pageArgs,
  selectsField,
  type Connection,
  type ConnectionArgs,
} from './connection.js';
import { toDate } from './dates.js';
import { Task } from './task.js';
import { STATUS_TEXT_DESCRIPTION, withUnknown } from './unknown.js';
import { loadersOf, locate, orNullWhenNotFound } from '../regional.js';
import type { Loaders } from '../loaders/index.js';
import { regionArg, regionalConnection, regionsArg, sliceOf, type RegionSlice } from './region.js';

export const JobStatus = builder.enumType('JobStatus', {
  description: 'Status of a job or task. A status EMS adds later reads as UNKNOWN, with its text in `statusText`.',
  values: withUnknown(JOB_STATUSES),
});

export const JobType = builder.enumType('JobType', {
  description: 'EMS keeps short-running and long-running jobs in separate lists.',
  values: {
    SHORT: { value: 'short' as const, description: 'Short-running jobs (create, delete, expand, shrink, ...).' },
    LONG: { value: 'long' as const, description: 'Long-running jobs.' },
  },
});

/** An asynchronous EMS job (JobDetail); id = the EMS job id, as-is. */
export const Job = builder.objectRef<JobRecord>('Job');

Job.implement({
  description: 'An asynchronous EMS job.',
  fields: (t) => ({
    id: t.exposeID('id', { nullable: false }),
    region: t.string({
      nullable: false,
      description: 'The EMS region the job runs in (see `regions`).',
      resolve: (job, _args, ctx) => job.region ?? ctx.regions.services.default,
    }),
    type: t.field({
      type: JobType,
      nullable: false,
      description:
        'The ListJobs list that holds the job: the one it was listed in, or (read by id, where EMS does not say) the one its id implies: LONG for `long-`, SHORT otherwise.',
      resolve: (job) => job.type,
    }),
    name: t.string({
      nullable: false,
      description: 'The kind of job as EMS names it, e.g. CreateCluster, ExpandCluster.',
      resolve: (job) => job.name ?? Promise.reject(missingFieldError(job.source, `job ${job.id} without a readable name`)),
    }),
    status: t.field({ type: JobStatus, nullable: false, resolve: (job) => job.status }),
    statusText: t.exposeString('statusText', { nullable: true, description: STATUS_TEXT_DESCRIPTION }),
    progress: t.float({
      nullable: false,
      description: 'Percent done, 0–100.',
      resolve: (job) => job.progress ?? Promise.reject(missingFieldError(job.source, `job ${job.id} without a readable progress`)),
    }),
    message: t.exposeString('message', { nullable: true, description: 'On failure, an EMS error code (ems.000x).' }),
    createdAt: t.field({ type: 'DateTime', nullable: true, resolve: (job) => toDate(job.createdAt) }),
    beginAt: t.field({ type: 'DateTime', nullable: true, description: 'Null until the job has begun.', resolve: (job) => toDate(job.beginAt) }),
    endAt: t.field({ type: 'DateTime', nullable: true, description: 'Null until the job has ended.', resolve: (job) => toDate(job.endAt) }),
    clusterId: t.exposeID('clusterId', {
      nullable: true,
      description: 'Id of the cluster the job works on (set even when that cluster no longer exists).',
    }),
    cluster: t.field({
      type: Cluster,
      nullable: true,
      description: 'The cluster the job works on; null when it has none or it no longer exists (or, with an error, when it cannot be read).',
      resolve: async (job, _args, ctx) => {
        if (!job.clusterId) return null;
        return loadersOf(ctx, job).clusterById.load(job.clusterId).catch(nullWhenNotFound);
      },
    }),
    tasks: t.field({
      type: [Task],
      nullable: { list: false, items: true },
      description: 'The job’s steps. A task EMS sent without a readable id is null, with an error on its path.',
      resolve: (job) => itemsOf(job.tasks),
    }),
  }),
});

export const JobConnection = listConnection('Job', Job, 'id');

/** `NOT_FOUND` from EMS becomes null; every other failure propagates. */
export function nullWhenNotFound(error: unknown): null {
  if (isEmsError(error) && error.code === 'NOT_FOUND') return null;
  throw error;
}

/** Keeps jobs whose status is one of `statuses` (all when null or empty; a filter keeps no unreadable element). */
export function filterByStatus<T extends Listed<JobRecord>>(
  jobs: readonly T[],
  statuses: readonly (EmsJobStatus | 'UNKNOWN')[] | null | undefined,
): readonly T[] {
  if (!statuses?.length) return jobs;
  const wanted = new Set(statuses);
  return jobs.filter((job) => !isUnreadable(job) && wanted.has(job.status));
}

export interface JobListArgs extends ConnectionArgs {
  type?: EmsJobType | null;
  clusterId?: string | null;
  status?: readonly (EmsJobStatus | 'UNKNOWN')[] | null;
  regions?: readonly string[] | null;
}

/** One region's part of Query.jobs, by the rules of resolveJobs. */
async function regionJobs(loaders: Loaders, args: JobListArgs, window: { offset: number; limit: number }, needTotal: boolean): Promise<RegionSlice<JobRecord>> {
  if (args.clusterId != null) {
    const jobs = await loaders.jobsByClusterId.load({ clusterId: args.clusterId, type: args.type ?? null });
    return sliceOf(filterByStatus(jobs, args.status), window);
  }
  const type = args.type;
  if (type && !args.status?.length && !needTotal && !loaders.allJobsStarted(type)) {
    const page = await loaders.jobPage(type, window.offset, window.limit);
    return { items: page.items, hasMore: page.hasMore, total: async () => (await loaders.allJobs(type)).length };
  }
  const lists = await Promise.all(jobTypesOf(type).map((t) => loaders.allJobs(t)));
  return sliceOf(filterByStatus(lists.flat(), args.status), window);
}

/**
 * The jobs connection of Query.jobs. Unfiltered pages of one type map straight onto one ListJobs
 * page; everything else (no type = both lists, a cluster or status filter, a totalCount) slices
 * the per-request list of each type, walked once.
 */
export async function resolveJobs(args: JobListArgs, ctx: Context, info: GraphQLResolveInfo): Promise<Connection<JobRecord>> {
  if (args.clusterId != null) checkArgument('clusterId', args.clusterId, EmsUuid);
  if (ctx.regions.services.multi) {
    return regionalConnection(ctx, info, args, ({ loaders }, window, needTotal) => regionJobs(loaders, args, window, needTotal));
  }
  ctx.regions.select('regions', args.regions);
  const window = offsetWindow(args, ctx.config.limits);
  if (args.clusterId != null) {
    const jobs = await ctx.loaders.jobsByClusterId.load({ clusterId: args.clusterId, type: args.type ?? null });
    return connectionFromList(filterByStatus(jobs, args.status), window);
  }
  const type = args.type;
  if (type && !args.status?.length && !selectsField(info, 'totalCount') && !ctx.loaders.allJobsStarted(type)) {
    const page = await ctx.loaders.jobPage(type, window.offset, window.limit);
    return connectionFromPage(page.items, window, page.hasMore, async () => (await ctx.loaders.allJobs(type)).length);
  }
  const lists = await Promise.all(jobTypesOf(type).map((t) => ctx.loaders.allJobs(t)));
  return connectionFromList(filterByStatus(lists.flat(), args.status), window);
}

builder.queryFields((t) => ({
  jobs: t.field({
    type: JobConnection,
    nullable: false,
    description:
      'Jobs (ListJobs). Without `type`, short jobs then long ones. `clusterId` and `status` filter in the gateway (EMS cannot). ' +
      'A job EMS sent that cannot be read (no id) keeps its edge, with a null node and an error on its path. ' +
      'With several regions: each region’s jobs in that order, regions in configured order, asked at once; a region that fails is left out, ' +
      'named by an error and in `extensions.regions`.',
    args: {
      type: t.arg({ type: JobType }),
      clusterId: t.arg.id(),
      status: t.arg({ type: [JobStatus], description: 'Keep jobs in any of these statuses.' }),
      ...pageArgs,
      ...regionsArg,
    },
    resolve: (_root, args, ctx, info) => resolveJobs(args, ctx, info),
  }),
  job: t.field({
    type: Job,
    nullable: true,
    description:
      'One job (ShowJob); null when EMS does not know it. With several regions and no `region`, every region is asked at once and the one that has it answers.',
    args: { id: t.arg.id({ required: true }), ...regionArg },
    resolve: async (_root, { id, region }, ctx) => {
      checkArgument('id', id, EmsJobId);
      if (region != null) return ctx.regions.scope(ctx.regions.check('region', region)).loaders.jobById.load(id).catch(nullWhenNotFound);
      if (!ctx.regions.services.multi) return ctx.loaders.jobById.load(id).catch(nullWhenNotFound);
      const found = await locate(ctx, `Job ${id}`, ({ loaders }) => orNullWhenNotFound(loaders.jobById.load(id)));
      return found?.value ?? null;
    },
  }),
}));
