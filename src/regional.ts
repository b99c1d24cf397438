/**
 * One graph over several EMS regions (docs/regions.md). The app holds one EMS client per region
 * (RegionServices); each request reaches a region through its own budgeted operations and loaders,
 * created on first use (RequestRegions), all spending the request's one call budget. Records read
 * from a region carry its name (`region`), so nested fields (`cluster.jobs`, `job.cluster`) stay in
 * it. Fan-outs record each region's outcome: `extensions.regions` and, for a region that failed, an
 * error naming it, added to the result by {@link regionReports}.
 */
import { GraphQLError, responsePathAsArray, type GraphQLResolveInfo } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import type { EmsApi, EmsAuth } from './ems/api.js';
import type { EmsClient } from './ems/client.js';
import { isEmsError } from './ems/errors.js';
import type { ClusterList, ClusterRecord, JobList, JobRecord, Listed } from './ems/read/index.js';
import { isUnreadable } from './ems/read/index.js';
import { userInputError, type ErrorExtensions } from './errors.js';
import type { RegionConfig } from './regions.js';
import { executionOver, upstreamStarted, type Context, type UpstreamScope } from './context.js';

/** Every region's settings and EMS client, for the life of the app. */
export interface RegionServices {
  /** In configured order; the first is the default region (`ctx.ems`, `ctx.loaders`). */
  readonly list: readonly RegionConfig[];
  readonly names: readonly string[];
  readonly default: string;
  /** More than one region: root lists fan out, ids without a region are looked up. */
  readonly multi: boolean;
  config(name: string): RegionConfig;
  client(name: string): EmsClient;
}

export function createRegionServices(list: readonly RegionConfig[], clients: ReadonlyMap<string, EmsClient>): RegionServices {
  const byName = new Map(list.map((r) => [r.name, r]));
  return {
    list,
    names: list.map((r) => r.name),
    default: list[0]!.name,
    multi: list.length > 1,
    config: (name) => byName.get(name) ?? unknownRegion(name),
    client: (name) => clients.get(name) ?? unknownRegion(name),
  };
}

/** A name the caller sent, quoted for an error: at most 64 characters of it (a region name is never longer). */
export function quotedName(name: string): string {
  return JSON.stringify(name.length > 64 ? `${name.slice(0, 64)}…` : name);
}

function unknownRegion(name: string): never {
  throw new Error(`no region ${name} is configured`);
}

/** `api` whose cluster and job records carry `region`. */
export function stampRegion(api: EmsApi, region: string): EmsApi {
  const mark = <T extends { region?: string }>(item: Listed<T>): Listed<T> => {
    if (!isUnreadable(item)) (item as T).region = region;
    return item;
  };
  return {
    ...api,
    listClusters: async (...args) => {
      const list: ClusterList = await api.listClusters(...args);
      list.clusters.forEach(mark);
      return list;
    },
    showCluster: async (...args) => mark<ClusterRecord>(await api.showCluster(...args)) as ClusterRecord,
    listJobs: async (...args) => {
      const list: JobList = await api.listJobs(...args);
      list.jobs.forEach(mark);
      return list;
    },
    showJob: async (...args) => mark<JobRecord>(await api.showJob(...args)) as JobRecord,
  };
}

/** What `extensions.regions` says of one region a request consulted. */
export interface RegionOutcome {
  name: string;
  ok: boolean;
  /** The failure's code (UPSTREAM_UNAVAILABLE, UPSTREAM_TIMEOUT, ...); null when it answered. */
  code: string | null;
  /** EMS's `X-Request-Id` of the failed call, when EMS answered at all. */
  requestId: string | null;
}

interface RegionFailure {
  region: string;
  error: unknown;
  path: readonly (string | number)[];
}

/** The regions as one request (or one subscription event) reaches them. */
export interface RequestRegions {
  readonly services: RegionServices;
  /** The region's operations and loaders for this request, created on first use. */
  scope(name: string): UpstreamScope;
  /** The caller's upstream credentials in that region. */
  auth(name: string): EmsAuth;
  /** A `regions` argument: the names, in configured order; null or empty = all. BAD_USER_INPUT for a name not configured. */
  select(argument: string, given: readonly string[] | null | undefined): string[];
  /** A `region` argument: BAD_USER_INPUT unless configured. */
  check(argument: string, name: string): string;
  /** Records a region's answer (for `extensions.regions`). */
  answered(name: string): void;
  /** Records a region's failure; with `path`, an error naming the region is added to the result. */
  failed(name: string, error: unknown, path: readonly (string | number)[] | null): void;
  outcomes(): RegionOutcome[];
  failures(): readonly RegionFailure[];
}

export function createRequestRegions(
  services: RegionServices,
  authOf: (name: string) => EmsAuth,
  scopeOf: (name: string) => UpstreamScope,
): RequestRegions {
  const scopes = new Map<string, UpstreamScope>();
  const outcomes = new Map<string, RegionOutcome>();
  const failures: RegionFailure[] = [];
  const check = (argument: string, name: string) => {
    if (!services.names.includes(name)) {
      throw userInputError(`"${argument}" must name a configured region (${services.names.join(', ')}), got ${quotedName(name)}`, { argument });
    }
    return name;
  };
  return {
    services,
    scope(name) {
      let scope = scopes.get(name);
      if (!scope) {
        services.config(name);
        scope = scopeOf(name);
        scopes.set(name, scope);
      }
      return scope;
    },
    auth: authOf,
    select(argument, given) {
      if (!given?.length) return [...services.names];
      const wanted = new Set(given.map((name) => check(argument, name)));
      return services.names.filter((name) => wanted.has(name));
    },
    check,
    answered(name) {
      if (!outcomes.has(name)) outcomes.set(name, { name, ok: true, code: null, requestId: null });
    },
    failed(name, error, path) {
      const { code, requestId } = failureFacts(error);
      outcomes.set(name, { name, ok: false, code, requestId });
      if (path && !failures.some((f) => f.region === name && samePath(f.path, path))) failures.push({ region: name, error, path });
    },
    outcomes: () => services.names.flatMap((name) => outcomes.get(name) ?? []),
    failures: () => failures,
  };
}

const samePath = (a: readonly (string | number)[], b: readonly (string | number)[]) => a.length === b.length && a.every((x, i) => x === b[i]);

function failureFacts(error: unknown): { code: string; requestId: string | null; upstreamCode: string | null; retryable: boolean; message: string } {
  const original = error instanceof GraphQLError ? (error.originalError ?? error) : error;
  if (isEmsError(original)) {
    return { code: original.code, requestId: original.requestId, upstreamCode: original.upstreamCode, retryable: original.retryable, message: original.message };
  }
  if (error instanceof GraphQLError && typeof error.extensions.code === 'string') {
    return { code: error.extensions.code, requestId: null, upstreamCode: null, retryable: error.extensions.retryable === true, message: error.message };
  }
  return { code: 'INTERNAL_SERVER_ERROR', requestId: null, upstreamCode: null, retryable: false, message: 'Unexpected error' };
}

/** The error a failed region adds to the result: its message and code, and `region`. */
export function regionError(region: string, error: unknown, path: readonly (string | number)[], redact: (text: string) => string = (t) => t): GraphQLError {
  const facts = failureFacts(error);
  const extensions: ErrorExtensions = {
    code: facts.code,
    upstreamCode: facts.upstreamCode,
    requestId: facts.requestId,
    retryable: facts.retryable,
    region,
  };
  // An error that already names its region (a write's share that failed) keeps its own text.
  const named = error instanceof GraphQLError && error.extensions.region === region;
  return new GraphQLError(redact(named ? error.message : `Region ${region} did not answer: ${facts.message}`), { path, extensions });
}

/**
 * Runs `run` in each of `names` at once and keeps what each answered; a region that fails is
 * recorded (with an error on the field's path unless `quiet`) and left out.
 */
export async function fanOut<T>(
  ctx: Pick<Context, 'regions'>,
  names: readonly string[],
  info: GraphQLResolveInfo | null,
  run: (scope: UpstreamScope, name: string) => Promise<T>,
): Promise<Map<string, T>> {
  const settled = await Promise.allSettled(names.map((name) => run(ctx.regions.scope(name), name)));
  const answers = new Map<string, T>();
  const path = info ? responsePathAsArray(info.path) : null;
  settled.forEach((result, i) => {
    const name = names[i]!;
    if (result.status === 'fulfilled') {
      answers.set(name, result.value);
      ctx.regions.answered(name);
    } else {
      ctx.regions.failed(name, result.reason, path);
    }
  });
  return answers;
}

/**
 * The region that holds a resource the caller named by id alone: `find` in every region at once
 * (one ShowCluster or ShowJob each, batched with the request's other reads), the first region in
 * configured order that has it. Null when every region answered without it; when some did not
 * answer, an error naming them, since the resource may be there.
 */
export async function locate<T>(
  ctx: Pick<Context, 'regions'>,
  what: string,
  find: (scope: UpstreamScope, name: string) => Promise<T | null>,
): Promise<{ region: string; value: T } | null> {
  const names = ctx.regions.services.names;
  const answers = await fanOut(ctx, names, null, find);
  for (const name of names) {
    const value = answers.get(name);
    if (value != null) return { region: name, value };
  }
  const silent = names.filter((name) => !answers.has(name));
  if (silent.length === 0) return null;
  const first = ctx.regions.outcomes().find((o) => o.name === silent[0]);
  const retryable = retryableCode(first?.code);
  const why = retryable ? 'did not answer, so it may be there: retry, or name its region' : `could not be asked (${first?.code ?? 'failed'}), so it may be there: name its region (with credentials it accepts)`;
  throw new GraphQLError(`${what} was not found in the regions that answered; ${silent.join(', ')} ${why}`, {
    extensions: { code: first?.code ?? 'UPSTREAM_UNAVAILABLE', upstreamCode: null, requestId: first?.requestId ?? null, retryable, region: silent[0] },
  });
}

/** Whether a region's failure may pass on retry: not a refused token or right, nor a request EMS cannot take. */
export function retryableCode(code: string | null | undefined): boolean {
  return !['UNAUTHENTICATED', 'FORBIDDEN', 'BAD_REQUEST', 'BAD_USER_INPUT', 'UPSTREAM_CALL_BUDGET_EXCEEDED'].includes(code ?? '');
}

/** NOT_FOUND from EMS as null. */
export function orNullWhenNotFound<T>(promise: Promise<T>): Promise<T | null> {
  return promise.catch((error: unknown) => {
    if (isEmsError(error) && error.code === 'NOT_FOUND') return null;
    throw error;
  });
}

/** The loaders of the region a record was read from (the default region's when it carries none). */
export function loadersOf(ctx: Pick<Context, 'regions'>, record: { region?: string | undefined }) {
  return ctx.regions.scope(record.region ?? ctx.regions.services.default).loaders;
}

/**
 * Adds to each result what its fan-outs found: `extensions.regions` (each region consulted, in
 * configured order: `{ name, ok, code, requestId }`) and an error naming each region that failed,
 * on the path of the field it left incomplete, its text redacted by `redact` (as masked errors are).
 */
export function regionReports(redact: (text: string) => string): Plugin<Context> {
  return {
    onExecute({ args }) {
      return {
        onExecuteDone({ result, setResult }) {
          const ctx = args.contextValue as Context;
          // A request that never reached EMS has no regions to report (and asking would make them).
          if (isAsyncIterable(result) || !upstreamStarted(ctx)) return;
          executionOver(ctx);
          const outcomes = ctx.regions.outcomes();
          if (outcomes.length === 0) return;
          const errors = ctx.regions.failures().map((f) => regionError(f.region, f.error, f.path, redact));
          setResult({
            ...result,
            ...(errors.length > 0 || result.errors ? { errors: [...(result.errors ?? []), ...errors] } : {}),
            extensions: { ...result.extensions, regions: outcomes },
          });
        },
      };
    },
  };
}
