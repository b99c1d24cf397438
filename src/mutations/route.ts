/**
 * Which region a mutation writes to (docs/regions.md). Explicitly, by the input's `region`; with
 * one region configured, that one; otherwise by what the input names: the region that holds the
 * cluster (one ShowCluster per region, at once), the jobs (their ShowJob or job lists), or the
 * project id. Never by guessing: a cluster is created only where the caller says, a resource no
 * region holds is NotFoundError, and a region that does not answer fails the lookup by name.
 */
import { GraphQLError } from 'graphql';
import type { Context } from '../context.js';
import { isEmsError } from '../ems/errors.js';
import { CANCEL_JOBS_MAX, EMS_JOB_TYPES, EmsJobId, EmsUuid, brokenRule } from '../ems/models/index.js';
import { isUnreadable } from '../ems/read/index.js';
import { SHOW_JOB_MAX_BATCH } from '../loaders/jobs.js';
import { fanOut, locate, orNullWhenNotFound, quotedName, retryableCode } from '../regional.js';
import { scopeOf } from '../context.js';
import { NOT_FROM_EMS, NotFoundError, ValidationError, type MutationName } from './errors.js';

const regionField = (message: string) => new ValidationError([{ path: ['input', 'region'], field: 'region', message }]);

/** One region's share of a write that spans regions (cancelJobs of jobs in several regions). */
export interface RoutePart {
  region: string;
  ctx: Context;
  /** The input's `jobIds` that go to this region, in input order. */
  jobIds: string[];
}

/**
 * Where a mutation goes: one region and the context bound to it (its operations, loaders,
 * credentials and project id), or, for cancelJobs of jobs held by several regions, one part per
 * region (`parts`, in configured order; `region` is the first). Null = the request's own (one
 * region configured and none named).
 */
export type MutationRoute = { region: string; ctx: Context; parts?: undefined } | { region: string; ctx: Context; parts: RoutePart[] };

export async function routeMutation(name: MutationName, input: Record<string, unknown>, ctx: Context): Promise<MutationRoute | null> {
  const { services } = ctx.regions;
  const given = input.region;
  if (typeof given === 'string') {
    if (!services.names.includes(given)) throw regionField(`must name a configured region (${services.names.join(', ')}), got ${quotedName(given)}`);
    return { region: given, ctx: regionalContext(ctx, given) };
  }
  if (!services.multi) return null;
  const found = await findRegion(name, input, ctx);
  if (typeof found === 'string') return { region: found, ctx: regionalContext(ctx, found) };
  const parts = [...found].map(([region, jobIds]) => ({ region, ctx: regionalContext(ctx, region), jobIds }));
  return { region: parts[0]!.region, ctx: parts[0]!.ctx, parts };
}

/** `ctx` bound to `region`: EMS operations, loaders, credentials, project id (and idempotency scope) of that region. */
export function regionalContext(ctx: Context, region: string): Context {
  if (region === ctx.regions.services.default) return ctx;
  const scope = ctx.regions.scope(region);
  const auth = ctx.regions.auth(region);
  const projectId = ctx.regions.services.config(region).projectId;
  return {
    ...ctx,
    // Made on first use, so not among the context's own enumerable properties (src/context.ts).
    regions: ctx.regions,
    log: ctx.log,
    ems: scope.ems,
    loaders: scope.loaders,
    signal: scope.signal,
    auth,
    // Idempotency keys are per region: the same key in another region is another write.
    scope: `${scopeOf(auth)}:${region}`,
    config: { ...ctx.config, ems: { ...ctx.config.ems, projectId } },
  };
}

async function findRegion(name: MutationName, input: Record<string, unknown>, ctx: Context): Promise<string | Map<string, string[]>> {
  const { services } = ctx.regions;
  const required = () => regionField(`is required: several regions are configured (${services.names.join(', ')})`);
  switch (name) {
    case 'createCluster':
    case 'enrollCluster':
      throw required();
    case 'expandCluster':
    case 'shrinkCluster':
    case 'deleteCluster':
    case 'authorizeCluster': {
      const id = input.clusterId;
      // A malformed id is refused by the mutation's own validation, before any call.
      if (typeof id !== 'string' || brokenRule(EmsUuid, id)) return services.default;
      const found = await locate(ctx, `Cluster ${id}`, ({ loaders }) => orNullWhenNotFound(loaders.clusterById.load(id)));
      if (!found) throw new NotFoundError(`Cluster ${id} does not exist in any region (${services.names.join(', ')})`, NOT_FROM_EMS, id);
      return found.region;
    }
    case 'cancelJobs': {
      const ids = Array.isArray(input.jobIds) ? (input.jobIds as unknown[]) : [];
      // Input the mutation's validation refuses (malformed ids, too many) is refused there, before any call.
      if (ids.length === 0 || ids.length > CANCEL_JOBS_MAX || ids.some((id) => typeof id !== 'string' || brokenRule(EmsJobId, id))) return services.default;
      // The ids each region holds: a few ids by ShowJob each; more by each region's job lists (a
      // ListJobs walk per type), so that ids no region knows cost no call each (1,000 of them would
      // otherwise spend 1,000 calls per region).
      const held = await fanOut(ctx, services.names, null, async ({ loaders }) => {
        if (ids.length > SHOW_JOB_MAX_BATCH) {
          const listed = new Set<string>();
          for (const list of await Promise.all(EMS_JOB_TYPES.map((type) => loaders.allJobs(type)))) {
            for (const job of list) if (!isUnreadable(job)) listed.add(job.id);
          }
          return new Set((ids as string[]).filter((id) => listed.has(id)));
        }
        const jobs = await loaders.jobById.loadMany(ids as string[]);
        const missing = jobs.filter((job) => job instanceof Error && !(isEmsError(job) && job.code === 'NOT_FOUND'));
        if (missing.length > 0) throw missing[0];
        return new Set((ids as string[]).filter((_, i) => !(jobs[i] instanceof Error)));
      });
      const silent = services.names.filter((r) => !held.has(r));
      const holding = services.names.filter((r) => (held.get(r)?.size ?? 0) > 0);
      if (silent.length > 0) {
        const outcome = ctx.regions.outcomes().find((o) => o.name === silent[0]);
        throw new GraphQLError(`The region of jobIds could not be told: ${silent.join(', ')} did not answer; retry, or name the region`, {
          extensions: { code: outcome?.code ?? 'UPSTREAM_UNAVAILABLE', upstreamCode: null, requestId: outcome?.requestId ?? null, retryable: retryableCode(outcome?.code), region: silent[0] },
        });
      }
      if (holding.length === 1) return holding[0]!;
      if (holding.length === 0) throw regionField(`is required: no region (${services.names.join(', ')}) knows any of jobIds`);
      // Jobs in several regions: one CancelJobs per region, each with the ids it holds. An id that
      // two regions hold is two jobs: which one is meant is not guessed.
      const unique = [...new Set(ids as string[])];
      const ambiguous = unique.filter((id) => holding.filter((r) => held.get(r)!.has(id)).length > 1);
      if (ambiguous.length > 0) {
        throw regionField(`is required: ${ambiguous.join(', ')} ${ambiguous.length === 1 ? 'is a job' : 'are jobs'} in several regions (${holding.filter((r) => ambiguous.some((id) => held.get(r)!.has(id))).join(', ')}); name the region`);
      }
      const parts = new Map(holding.map((r) => [r, unique.filter((id) => held.get(r)!.has(id))] as const));
      // Ids no region knows go with the first region's share, whose EMS reports them as failed (as with one region).
      const unknown = unique.filter((id) => !holding.some((r) => held.get(r)!.has(id)));
      if (unknown.length > 0) parts.set(holding[0]!, unique.filter((id) => held.get(holding[0]!)!.has(id) || unknown.includes(id)));
      return parts;
    }
    case 'createCredential': {
      const projectId = input.projectId;
      const match = typeof projectId === 'string' ? services.list.find((r) => r.projectId === projectId) : undefined;
      if (match) return match.name;
      throw required();
    }
  }
}
