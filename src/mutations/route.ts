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
import { EmsJobId, EmsUuid, brokenRule } from '../ems/models/index.js';
import { fanOut, locate, orNullWhenNotFound } from '../regional.js';
import { scopeOf } from '../context.js';
import { NOT_FROM_EMS, NotFoundError, ValidationError, type MutationName } from './errors.js';

const regionField = (message: string) => new ValidationError([{ path: ['input', 'region'], field: 'region', message }]);

/**
 * The region `input` writes to, and the context bound to it (its operations, loaders, credentials
 * and project id); null = the request's own (one region configured and none named).
 */
export async function routeMutation(
  name: MutationName,
  input: Record<string, unknown>,
  ctx: Context,
): Promise<{ region: string; ctx: Context } | null> {
  const { services } = ctx.regions;
  const given = input.region;
  let region: string;
  if (typeof given === 'string') {
    if (!services.names.includes(given)) throw regionField(`must name a configured region (${services.names.join(', ')}), got ${JSON.stringify(given)}`);
    region = given;
  } else if (!services.multi) {
    return null;
  } else {
    region = await findRegion(name, input, ctx);
  }
  return { region, ctx: regionalContext(ctx, region) };
}

/** `ctx` bound to `region`: EMS operations, loaders, credentials, project id (and idempotency scope) of that region. */
export function regionalContext(ctx: Context, region: string): Context {
  if (region === ctx.regions.services.default) return ctx;
  const scope = ctx.regions.scope(region);
  const auth = ctx.regions.auth(region);
  const projectId = ctx.regions.services.config(region).projectId;
  return {
    ...ctx,
    ems: scope.ems,
    loaders: scope.loaders,
    signal: scope.signal,
    auth,
    // Idempotency keys are per region: the same key in another region is another write.
    scope: `${scopeOf(auth)}:${region}`,
    config: { ...ctx.config, ems: { ...ctx.config.ems, projectId } },
  };
}

async function findRegion(name: MutationName, input: Record<string, unknown>, ctx: Context): Promise<string> {
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
      if (ids.length === 0 || ids.some((id) => typeof id !== 'string' || brokenRule(EmsJobId, id))) return services.default;
      const held = await fanOut(ctx, services.names, null, async ({ loaders }) => {
        const jobs = await loaders.jobById.loadMany(ids as string[]);
        const missing = jobs.filter((job) => job instanceof Error && !(isEmsError(job) && job.code === 'NOT_FOUND'));
        if (missing.length > 0) throw missing[0];
        return jobs.filter((job) => !(job instanceof Error)).length;
      });
      const silent = services.names.filter((r) => !held.has(r));
      const holding = services.names.filter((r) => (held.get(r) ?? 0) > 0);
      if (silent.length > 0) {
        const outcome = ctx.regions.outcomes().find((o) => o.name === silent[0]);
        throw new GraphQLError(`The region of jobIds could not be told: ${silent.join(', ')} did not answer; retry, or name the region`, {
          extensions: { code: outcome?.code ?? 'UPSTREAM_UNAVAILABLE', upstreamCode: null, requestId: outcome?.requestId ?? null, retryable: true, region: silent[0] },
        });
      }
      if (holding.length === 1) return holding[0]!;
      if (holding.length === 0) throw regionField(`is required: no region (${services.names.join(', ')}) knows any of jobIds`);
      throw regionField(`is required: jobIds are in several regions (${holding.join(', ')}); cancel each region’s jobs with its own region`);
    }
    case 'createCredential': {
      const projectId = input.projectId;
      const match = typeof projectId === 'string' ? services.list.find((r) => r.projectId === projectId) : undefined;
      if (match) return match.name;
      throw required();
    }
  }
}
