import { createHash, randomUUID } from 'node:crypto';
import { createSourceEventStream, execute, type ExecutionArgs } from 'graphql';
import { isAsyncIterable, mapAsyncIterator, type Plugin, type YogaInitialContext } from 'graphql-yoga';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { withRequestScope, type EmsApi, type EmsAuth, type RequestScope } from './ems/api.js';
import type { EmsClient } from './ems/client.js';
import type { IdempotencyStore } from './idempotency/index.js';
import { withCallBudget, type CallBudget } from './ems/budget.js';
import { createRequestRegions, stampRegion, type RegionServices, type RequestRegions } from './regional.js';
import { createLoaders, type Loaders } from './loaders/index.js';
import type { LiveHub } from './subscriptions/index.js';
import type { Caller } from './auth/roles.js';
import type { AuditLog } from './security/audit.js';
import { requestSecurity, type RequestSecurity } from './security/context.js';
import { SpanKind, trace, type OtelContext, type Span, type Telemetry } from './telemetry.js';

/** Long-lived pieces shared by every request of one gateway instance. */
export interface AppServices {
  config: Config;
  /** The default region's EMS client (readiness, token checks). */
  client: EmsClient;
  /** Every region's settings and client; `client` is the default region's. */
  regions: RegionServices;
  logger: Logger;
  /** Idempotency records of mutations (Redis when REDIS_URL is set, else in memory). */
  idempotency: IdempotencyStore;
  /** Shared pollers behind the subscriptions (through Redis when REDIS_URL is set, else in memory). */
  live: LiveHub;
  /** One JSON line per mutation attempt (AUDIT_LOG). */
  audit: AuditLog;
  /** Tracing (a no-op tracer unless OTEL_* turns it on). */
  telemetry: Telemetry;
  /** Aborts when the shutdown grace period is over: reads still running then are cut short. */
  shutdownSignal?: AbortSignal;
}

/**
 * What resolvers may use of the app's services. Not the EMS client: resolvers reach EMS through
 * `ctx.ems` (the caller's operations, within the call budget), and subscription pollers get theirs
 * from the hub.
 */
export type ResolverServices = Omit<AppServices, 'client' | 'regions'>;

/**
 * What one GraphQL request, or one subscription event, may spend on EMS, and the loaders over it,
 * with its own deadline.
 */
export interface UpstreamScope {
  /** The caller's EMS operations, limited to `config.limits.maxUpstreamCalls`, bound to `signal`. */
  ems: EmsApi;
  /** DataLoaders over `ems`, fresh for this request (or event). */
  loaders: Loaders;
  /** Aborts when REQUEST_TIMEOUT_MS has passed since the request (or event) began, or the client went away. */
  signal: AbortSignal;
}

/** Per-request context: the caller's credentials, the EMS operations bound to them, fresh loaders. */
export interface Context extends UpstreamScope {
  config: Config;
  /**
   * The regions this request may reach: `ems` and `loaders` above are the default region's;
   * `regions.scope(name)` gives another's, spending the same call budget.
   */
  regions: RequestRegions;
  services: ResolverServices;
  auth: EmsAuth;
  /**
   * Identifies the caller's credentials without revealing them. Anything cached or shared beyond one
   * request (idempotency records, subscription pollers) is keyed by it, so two callers never share data.
   */
  scope: string;
  /** Id of this GraphQL request: the caller's `X-Request-Id` when usable, else a new UUID; echoed in the response. */
  requestId: string;
  /** Who is calling (authenticated before the request was parsed), error count, cost estimate. */
  security: RequestSecurity;
  /** The request's logger: every line carries `requestId` and `traceId`. */
  log: Logger;
  /** The GraphQL operation's span, and the context EMS call spans are children of. */
  span: Span;
  traceContext: OtelContext;
}

/** What the transports hand to createContext: HTTP/SSE requests, and graphql-ws connection params. */
export type InitialContext = YogaInitialContext & {
  connectionParams?: Record<string, unknown> | null;
  /** graphql-ws: the caller authenticated at `connection_init`, and its address. */
  caller?: Caller;
  address?: string;
};

/**
 * The caller's upstream credentials: AK/SK signing when configured, else the caller's token
 * (`X-Auth-Token` header, or the graphql-ws `connection_init` payload: see tokenOf), else the
 * static fallback.
 */
export function resolveAuth(config: Config, token: string | null): EmsAuth {
  if (config.ems.aksk) return { kind: 'aksk', ...config.ems.aksk };
  const chosen = token?.trim() || config.ems.staticToken;
  return chosen ? { kind: 'token', token: chosen } : { kind: 'none' };
}

/** Token of an HTTP request or graphql-ws connection, or null. */
export function tokenOf(initial: Partial<InitialContext>): string | null {
  const param = connectionParamsToken(initial.connectionParams);
  if (param) return param;
  return initial.request?.headers.get('x-auth-token') ?? null;
}

/**
 * The token in a graphql-ws `connection_init` payload: `authToken`, else an `X-Auth-Token` header
 * (any case) in a `headers` object, as GraphiQL-style clients send what their Headers pane holds,
 * else such a header at the top level (where @graphiql/toolkit's fetcher puts the headers).
 */
function connectionParamsToken(params: Record<string, unknown> | null | undefined): string | null {
  if (!params) return null;
  if (typeof params.authToken === 'string' && params.authToken.length > 0) return params.authToken;
  const headers = params.headers;
  const nested = headers !== null && typeof headers === 'object' && !Array.isArray(headers) ? authTokenHeader(headers as Record<string, unknown>) : null;
  return nested ?? authTokenHeader(params);
}

/** The value of an `X-Auth-Token` entry, whatever its case, in a plain object of headers. */
function authTokenHeader(headers: Record<string, unknown>): string | null {
  for (const [name, value] of Object.entries(headers)) {
    if (name.toLowerCase() === 'x-auth-token' && typeof value === 'string' && value.length > 0) return value;
  }
  return null;
}

/**
 * Per-region tokens of an HTTP request or graphql-ws connection: `X-Auth-Token-<region>` headers
 * (e.g. `X-Auth-Token-cn-east-3`), or over graphql-ws an `authTokens` object of the
 * `connection_init` payload (`{ "cn-east-3": "…" }`), or such headers in its `headers` object.
 * A region without one uses the request's `X-Auth-Token`.
 */
export function regionTokensOf(initial: Partial<InitialContext>, regions: readonly string[]): Map<string, string> {
  const tokens = new Map<string, string>();
  const params = initial.connectionParams;
  const map = params?.authTokens;
  const headers = params?.headers;
  for (const region of regions) {
    const header = `x-auth-token-${region}`;
    let token: unknown = map !== null && typeof map === 'object' && !Array.isArray(map) ? (map as Record<string, unknown>)[region] : undefined;
    if (typeof token !== 'string' && headers !== null && typeof headers === 'object' && !Array.isArray(headers)) {
      token = Object.entries(headers as Record<string, unknown>).find(([name]) => name.toLowerCase() === header)?.[1];
    }
    if (typeof token !== 'string') token = initial.request?.headers.get(header) ?? undefined;
    if (typeof token === 'string' && token.trim().length > 0) tokens.set(region, token.trim());
  }
  return tokens;
}

/** A stable, non-reversible name for a set of credentials. */
export function scopeOf(auth: EmsAuth): string {
  const material = auth.kind === 'token' ? `token:${auth.token}` : auth.kind === 'aksk' ? `aksk:${auth.ak}` : 'none';
  return createHash('sha256').update(material).digest('base64url').slice(0, 22);
}

/**
 * The EMS operations one request (or one subscription event) may use: the caller's, limited to
 * `limits.maxUpstreamCalls` calls, each given the request's deadline, trace context and logger.
 */
export function requestApi(
  services: AppServices,
  auth: EmsAuth,
  scope: RequestScope = {},
  region: string = services.regions.default,
  budget?: CallBudget,
): EmsApi {
  const api = stampRegion(services.regions.client(region).forAuth(auth), region);
  return withCallBudget(withRequestScope(api, scope), services.config.limits.maxUpstreamCalls, budget);
}

/** Longest caller-chosen `X-Request-Id` kept; anything longer or unprintable is replaced. */
const REQUEST_ID = /^[\x21-\x7e]{1,128}$/;

/** Request ids, one per HTTP request (the WebSocket upgrade request for graphql-ws operations). */
const requestIds = new WeakMap<Request | object, string>();

/** The request's id: the caller's `X-Request-Id` when it is 1–128 visible ASCII characters, else a new UUID (the same for every call). */
export function requestIdOf(request: { headers: { get(name: string): string | null } } | undefined): string {
  if (!request) return randomUUID();
  let id = requestIds.get(request);
  if (!id) {
    const given = request.headers.get('x-request-id')?.trim();
    id = given && REQUEST_ID.test(given) ? given : randomUUID();
    requestIds.set(request, id);
  }
  return id;
}

/** REQUEST_TIMEOUT_MS from now, the client going away (`clientGone`), or the end of the shutdown grace period. */
export function requestSignal(services: AppServices, clientGone?: AbortSignal): AbortSignal {
  const signals = [AbortSignal.timeout(services.config.requestTimeoutMs), clientGone, services.shutdownSignal].filter(
    (s): s is AbortSignal => s !== undefined,
  );
  return signals.length === 1 ? signals[0]! : AbortSignal.any(signals);
}

export interface ContextFactory {
  /** The context of an HTTP request, an SSE stream or a graphql-ws operation. */
  create(initial: InitialContext): Context;
  /** The context one subscription event is resolved in: the subscription's, with an upstream scope (and deadline) of its own. */
  forEvent(subscription: Context): Context;
}

export function createContextFactory(services: AppServices): ContextFactory {
  type Caller = Pick<Context, 'log' | 'traceContext'> & { authOf(region: string): EmsAuth };
  /**
   * The regions of one request (or event): each region's budgeted EMS operations, bound to
   * `signal` and the request's logger and trace, and fresh loaders, created on first use; every
   * region spends one call budget.
   */
  const regionsOf = (caller: Caller, signal: AbortSignal): RequestRegions => {
    const budget: CallBudget = { admitted: 0, unsent: 0 };
    return createRequestRegions(services.regions, caller.authOf, (region) => {
      const ems = requestApi(services, caller.authOf(region), { signal, logger: caller.log, traceContext: () => caller.traceContext }, region, budget);
      return { ems, loaders: createLoaders(ems), signal };
    });
  };
  return {
    create(initial) {
      const token = tokenOf(initial);
      const regionTokens = regionTokensOf(initial, services.regions.names);
      const authOf = (region: string) => resolveAuth(services.config, regionTokens.get(region) ?? token);
      const auth = authOf(services.regions.default);
      const requestId = requestIdOf(initial.request);
      const { telemetry } = services;
      const span = telemetry.startSpan('graphql.operation', { kind: SpanKind.SERVER }, telemetry.extract(initial.request?.headers));
      const traceContext = trace.setSpan(telemetry.extract(initial.request?.headers), span);
      const log = services.logger.child({ requestId, traceId: span.spanContext().traceId });
      const { client: _client, regions: _regions, ...shared } = services;
      const regions = regionsOf({ log, traceContext, authOf }, requestSignal(services, initial.request?.signal));
      const own = regions.scope(services.regions.default);
      return {
        config: services.config,
        services: shared,
        auth,
        log,
        traceContext,
        scope: scopeOf(auth),
        regions,
        ems: own.ems,
        loaders: own.loaders,
        signal: own.signal,
        requestId,
        security: requestSecurity(initial),
        span,
      };
    },
    // Each event's nested fields get their own deadline, from when they are first read. Created on
    // first use: most events select no nested field, and thousands of subscribers may share one.
    forEvent(subscription) {
      let regions: RequestRegions | null = null;
      // The subscription's credentials per region (its X-Auth-Token-<region> headers or authTokens).
      const authOf = (region: string) => subscription.regions.auth(region);
      const own = () => (regions ??= regionsOf({ log: subscription.log, traceContext: subscription.traceContext, authOf }, requestSignal(services)));
      return {
        ...subscription,
        get regions() {
          return own();
        },
        get ems() {
          return own().scope(services.regions.default).ems;
        },
        get loaders() {
          return own().scope(services.regions.default).loaders;
        },
        get signal() {
          return own().scope(services.regions.default).signal;
        },
      };
    },
  };
}

/**
 * Resolves each subscription event in a context of its own ({@link ContextFactory.forEvent}), as a
 * new query would be: fresh loaders, so nested fields (a job's cluster) are read anew instead of
 * coming from an earlier event's cache, a call budget and a deadline per event. graphql-js (and
 * yoga's executor) would resolve every event with the one context the subscription began with, so
 * this replaces the subscribe step: the source stream as graphql-js creates it, then one `execute`
 * per event. The stream is returned when the operation's signal aborts (the client went away).
 */
export function subscriptionEventScopes(forEvent: ContextFactory['forEvent']): Plugin<Context> {
  return {
    onSubscribe({ setSubscribeFn }) {
      setSubscribeFn(async (args: ExecutionArgs & { signal?: AbortSignal }) => {
        const stream = await createSourceEventStream(args);
        if (!isAsyncIterable(stream)) return stream;
        const events = stream[Symbol.asyncIterator]();
        args.signal?.addEventListener('abort', () => void events.return?.(), { once: true });
        return mapAsyncIterator(events, (event) =>
          execute({ ...args, rootValue: event, contextValue: forEvent(args.contextValue as Context) }),
        );
      });
    },
  };
}
