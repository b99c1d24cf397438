import { createHash, randomUUID } from 'node:crypto';
import { createSourceEventStream, execute, type ExecutionArgs } from 'graphql';
import { isAsyncIterable, mapAsyncIterator, type Plugin, type YogaInitialContext } from 'graphql-yoga';
import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { withRequestScope, type EmsApi, type EmsAuth, type RequestScope } from './ems/api.js';
import type { EmsClient } from './ems/client.js';
import type { IdempotencyStore } from './idempotency/index.js';
import { newCallBudget, withCallBudget, type CallBudget } from './ems/budget.js';
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
  /** Set on the context of a graphql-ws subscription run for a whole group of subscribers (see SharedRun). */
  sharedRun?: SharedRun;
}

/**
 * A subscription that a graphql-ws subscription group (src/graphql-ws.ts) runs for all its members:
 * set on the context of the group's first member before it subscribes.
 */
export interface SharedRun {
  /** The group's members: the hub counts the group's one stream as that many subscribers. */
  readonly subscribers: { count: number };
  /**
   * Set by subscriptionEventScopes once the stream exists: asks it to execute its latest event again
   * (with a fresh event context, so nested fields are read anew) as its next result, for members
   * that joined after the latest result was made more than SHARED_RESULT_MS ago. Ignored before
   * the first event (every member gets that one).
   */
  replay?: () => void;
  /** One entry per result the stream yields, in order: true for a replay, false for an event. */
  readonly replays: boolean[];
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

function hashedScopeOf(auth: EmsAuth): string {
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
  const bound = services.regions.client(region).forAuth(auth);
  // The client keeps one bound API per credentials: its stamped form is kept with it.
  let stamped = stampedApis.get(bound);
  if (stamped?.region !== region) stampedApis.set(bound, (stamped = { region, api: stampRegion(bound, region) }));
  const api = stamped.api;
  return withCallBudget(withRequestScope(api, scope), services.config.limits.maxUpstreamCalls, budget);
}

/** Bound APIs of the regions' clients, stamped with their region. */
const stampedApis = new WeakMap<EmsApi, { region: string; api: EmsApi }>();

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
export function requestSignal(services: AppServices, clientGone?: AbortSignal, timeoutMs = services.config.requestTimeoutMs): AbortSignal {
  return new Deadline(timeoutMs, clientGone, services.shutdownSignal).signal;
}

/** The reason a deadline aborts with: what AbortSignal.timeout gives (a DOMException named TimeoutError). */
const timeoutReason = () => new DOMException('The operation was aborted due to timeout', 'TimeoutError');

/** Deadlines not yet over, by the shutdown signal that ends them all. */
const runningDeadlines = new WeakMap<AbortSignal, Set<Deadline>>();

/**
 * One request's (or event's) deadline: one controller and one timer, rather than
 * `AbortSignal.any([AbortSignal.timeout(ms), clientGone, shutdown])` and its weak references. Its
 * signal aborts, with the reason of whichever comes first (a TimeoutError for the timer), when
 * `timeoutMs` pass, the client goes away or the shutdown grace period ends. {@link release} stops the
 * timer once the request is over; a deadline never released ends with its timer, as before.
 */
class Deadline {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | null = null;
  private readonly running: Set<Deadline> | null = null;

  constructor(
    timeoutMs: number,
    private readonly clientGone: AbortSignal | undefined,
    shutdown: AbortSignal | undefined,
  ) {
    // As AbortSignal.any: a source already aborted gives its reason at once.
    if (clientGone?.aborted) {
      this.controller.abort(clientGone.reason);
      return;
    }
    if (shutdown?.aborted) {
      this.controller.abort(shutdown.reason);
      return;
    }
    this.timer = setTimeout(() => this.abort(timeoutReason()), timeoutMs);
    this.timer.unref();
    clientGone?.addEventListener('abort', this.onClientGone, { once: true });
    if (shutdown) {
      let running = runningDeadlines.get(shutdown);
      if (!running) {
        const all = (running = new Set());
        runningDeadlines.set(shutdown, all);
        shutdown.addEventListener('abort', () => {
          for (const deadline of [...all]) deadline.abort(shutdown.reason);
        }, { once: true });
      }
      running.add(this);
      this.running = running;
    }
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  private readonly onClientGone = () => this.abort(this.clientGone!.reason);

  private abort(reason: unknown): void {
    this.release();
    if (!this.controller.signal.aborted) this.controller.abort(reason);
  }

  /** Stops the timer and the listeners; the signal stays as it is (aborted or not). */
  release(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.running?.delete(this);
    this.clientGone?.removeEventListener('abort', this.onClientGone);
  }
}

export interface ContextFactory {
  /** The context of an HTTP request, an SSE stream or a graphql-ws operation: `initial`, completed. */
  create(initial: InitialContext): Context;
  /** The context one subscription event is resolved in: the subscription's, with an upstream scope (and deadline) of its own. */
  forEvent(subscription: Context): Context;
}

/** Names of credentials, so a request does not hash its token again (bounded: least recently used go first). */
const scopes = new LRUCache<string, string>({ max: 1_000 });

/**
 * A stable, non-reversible name for a set of credentials, remembered per token (or AK) for the
 * requests and connections that follow.
 */
export function scopeOf(auth: EmsAuth): string {
  const key = auth.kind === 'token' ? `t\0${auth.token}` : auth.kind === 'aksk' ? `s\0${auth.ak}` : 'n';
  let scope = scopes.get(key);
  if (scope === undefined) {
    scope = hashedScopeOf(auth);
    scopes.set(key, scope);
  }
  return scope;
}

/** What a request's context makes when first used, and what it needs to make it. */
interface LazyParts {
  app: AppServices;
  startedAt: number;
  clientGone: AbortSignal | undefined;
  /** The caller's upstream credentials in a region (its X-Auth-Token-<region>, else its token). */
  authOf: (region: string) => EmsAuth;
  /** Names the caller's per-region tokens (X-Auth-Token-<region>), '' when it sent none: results shared between callers must agree on these too. */
  regionTokensScope: string;
  regions: RequestRegions | null;
  /** Whether a region's upstream scope (EMS operations, loaders, deadline) was made: only then can EMS calls have been made. */
  scoped: boolean;
  /** The request's deadline, made with its first region's operations. */
  deadline: Deadline | null;
  /** The EMS calls of every region of the request. */
  budget: CallBudget;
  logger: Logger | null;
}

const LAZY = Symbol('lazy context parts');
type LazyContext = Context & { [LAZY]: LazyParts };

function ownRegions(ctx: LazyContext): RequestRegions {
  const parts = ctx[LAZY];
  if (parts.regions) return parts.regions;
  // The deadline (timers, listeners) only once a region's operations are needed, counted from when
  // the request began: a subscription reads its regions' settings and credentials, never EMS.
  return (parts.regions = regionsOf(parts.app, ctx, parts.authOf, () => {
    parts.scoped = true;
    if (!parts.deadline) {
      const left = Math.max(0, Math.ceil(parts.app.config.requestTimeoutMs - (performance.now() - parts.startedAt)));
      parts.deadline = new Deadline(left, parts.clientGone, parts.app.shutdownSignal);
    }
    return parts.deadline.signal;
  }, parts.budget));
}

/**
 * Ends a request's deadline once its execution is over (its timer and listeners go, rather than
 * live out REQUEST_TIMEOUT_MS), unless EMS calls it made are still running (an execution stopped
 * early, by the error cap, leaves them): those keep the deadline that bounds them.
 */
export function executionOver(ctx: Context): void {
  const parts = (ctx as Partial<LazyContext>)[LAZY];
  if (parts?.deadline && parts.budget.running === 0) parts.deadline.release();
}

/** The default region's budgeted operations, loaders and deadline. */
function ownScope(ctx: LazyContext): UpstreamScope {
  return ownRegions(ctx).scope(ctx[LAZY].app.regions.default);
}

/**
 * The parts of a request's (or subscription's) context that cost memory or time to set up, made
 * when first used: the budgeted EMS operations, the loaders and the deadline (a subscription uses
 * none of them: its events get their own), and the request's child logger. The deadline still counts
 * from the moment the context was created. Accessors, defined on the context object itself (Yoga
 * assigns the factory's result onto its initial context), and not enumerable, so that assigning or
 * spreading a context never makes them.
 */
const LAZY_ACCESSORS: PropertyDescriptorMap = {
  regions: { enumerable: false, configurable: true, get(this: LazyContext) { return ownRegions(this); } },
  ems: { enumerable: false, configurable: true, get(this: LazyContext) { return ownScope(this).ems; } },
  loaders: { enumerable: false, configurable: true, get(this: LazyContext) { return ownScope(this).loaders; } },
  signal: { enumerable: false, configurable: true, get(this: LazyContext) { return ownScope(this).signal; } },
  log: {
    enumerable: false,
    configurable: true,
    get(this: LazyContext) {
      const parts = this[LAZY];
      return (parts.logger ??= parts.app.logger.child({ requestId: this.requestId, traceId: this.span.spanContext().traceId }));
    },
  },
};

/**
 * One subscription event's context: the subscription's caller, logger and trace, with an upstream
 * scope of its own, made when a nested field first needs it (most events select none, and
 * thousands of subscribers may share one).
 */
class EventContext implements Context {
  private upstream: RequestRegions | null = null;
  private scoped = false;

  constructor(
    private readonly app: AppServices,
    private readonly subscription: Context,
  ) {}

  get config() { return this.subscription.config; }
  get services() { return this.subscription.services; }
  get auth() { return this.subscription.auth; }
  get scope() { return this.subscription.scope; }
  get requestId() { return this.subscription.requestId; }
  get security() { return this.subscription.security; }
  get log() { return this.subscription.log; }
  get span() { return this.subscription.span; }
  get traceContext() { return this.subscription.traceContext; }

  get regions(): RequestRegions {
    let signal: AbortSignal | null = null;
    return (this.upstream ??= regionsOf(this.app, this.subscription, (region) => authIn(this.subscription, region), () => {
      this.scoped = true;
      return (signal ??= requestSignal(this.app));
    }));
  }

  get ems(): EmsApi {
    return this.own().ems;
  }

  get loaders(): Loaders {
    return this.own().loaders;
  }

  get signal(): AbortSignal {
    return this.own().signal;
  }

  get upstreamStarted(): boolean {
    return this.scoped;
  }

  private own(): UpstreamScope {
    return this.regions.scope(this.app.regions.default);
  }
}

/** A context's caller credentials in `region`, without making its upstream scope (and deadline) when it has none yet. */
function authIn(ctx: Context, region: string): EmsAuth {
  const parts = (ctx as Partial<LazyContext>)[LAZY];
  return parts ? parts.authOf(region) : ctx.regions.auth(region);
}

/**
 * The regions of one request (or event): each region's budgeted EMS operations, bound to the
 * request's deadline (`signalOf()`, asked when the first region's operations are made) and its
 * logger and trace, and fresh loaders, created on first use; every region spends one call budget.
 */
function regionsOf(
  services: AppServices,
  caller: Pick<Context, 'log' | 'traceContext'>,
  authOf: (region: string) => EmsAuth,
  signalOf: () => AbortSignal,
  budget: CallBudget = newCallBudget(),
): RequestRegions {
  return createRequestRegions(services.regions, authOf, (region) => {
    const signal = signalOf();
    const ems = requestApi(services, authOf(region), { signal, logger: () => caller.log, traceContext: () => caller.traceContext }, region, budget);
    return { ems, loaders: createLoaders(ems), signal };
  });
}

/** Whether a context's EMS operations were ever made: when not, it made no EMS call (and asking would make them). */
export function upstreamStarted(ctx: Context): boolean {
  if (ctx instanceof EventContext) return ctx.upstreamStarted;
  const parts = (ctx as Partial<LazyContext>)[LAZY];
  return parts ? parts.scoped : true;
}

/**
 * What resolvers see of the services: every one but the EMS clients, read through to `services`
 * at each use, so a service swapped on a running gateway (tests replace a store) is seen at once.
 * One view per gateway rather than a copy per request.
 */
function resolverServices(services: AppServices): ResolverServices {
  const view = {} as ResolverServices;
  for (const key of Object.keys(services) as (keyof AppServices)[]) {
    if (key === 'client' || key === 'regions') continue;
    Object.defineProperty(view, key, { enumerable: true, get: () => services[key] });
  }
  return view;
}

export function createContextFactory(services: AppServices): ContextFactory {
  const shared = resolverServices(services);
  return {
    create(initial) {
      const token = tokenOf(initial);
      const regionTokens = regionTokensOf(initial, services.regions.names);
      const auth = resolveAuth(services.config, regionTokens.get(services.regions.default) ?? token);
      const authOf = regionTokens.size === 0 ? () => auth : (region: string) => resolveAuth(services.config, regionTokens.get(region) ?? token);
      const requestId = requestIdOf(initial.request);
      const { telemetry } = services;
      const headers = initial.request?.headers;
      const incoming = telemetry.extract(headers);
      const span = telemetry.startSpan('graphql.operation', { kind: SpanKind.SERVER }, incoming);
      const traceContext = trace.setSpan(incoming, span);
      const regionTokensScope = regionTokens.size === 0 ? '' : [...regionTokens].map(([region, t]) => `${region}=${scopeOf({ kind: 'token', token: t })}`).join(',');
      const parts: LazyParts = { app: services, startedAt: performance.now(), clientGone: initial.request?.signal, authOf, regionTokensScope, regions: null, scoped: false, logger: null, deadline: null, budget: newCallBudget() };
      Object.defineProperty(initial, LAZY, { value: parts, configurable: true });
      Object.defineProperties(initial, LAZY_ACCESSORS);
      return Object.assign(initial, {
        config: services.config,
        services: shared,
        auth,
        scope: scopeOf(auth),
        requestId,
        security: requestSecurity(initial),
        span,
        traceContext,
      }) as unknown as Context;
    },
    forEvent: (subscription) => new EventContext(services, subscription),
  };
}

/**
 * How long the result of one event for one (document, variables, credentials, roles) is handed to
 * further subscribers instead of executed again: long enough to cover one fan-out to thousands of
 * subscribers, short enough that one subscribing later (and getting the watch's latest state at
 * once) has its nested fields read anew.
 */
export const SHARED_RESULT_MS = 1_000;

/** Per event value: its results by sharing key, with when each was made. */
const sharedResults = new WeakMap<object, Map<string, { at: number; result: unknown }>>();
const documentIds = new WeakMap<object, number>();
let nextDocumentId = 0;

/**
 * What decides an event's result besides the event: the document (the parsed one, which Yoga's
 * parse cache hands to every operation of the same text), the operation and its variables, the
 * credentials, per region where the caller sent tokens per region (EMS answers nested fields per
 * credentials) and the caller's roles (fields are
 * authorized by role). Null when the operation cannot be shared (variables that do not serialize).
 */
export function sharingKey(args: ExecutionArgs): string | null {
  const ctx = args.contextValue as Partial<Context> | undefined;
  if (!ctx?.scope || !ctx.security) return null;
  let doc = documentIds.get(args.document);
  if (doc === undefined) documentIds.set(args.document, (doc = nextDocumentId++));
  let variables: string;
  try {
    variables = JSON.stringify(args.variableValues ?? null);
  } catch {
    return null;
  }
  const roles = [...ctx.security.caller.roles].sort().join(',');
  const regionTokens = (ctx as Partial<LazyContext>)[LAZY]?.regionTokensScope ?? '';
  return `${doc}\0${args.operationName ?? ''}\0${variables}\0${ctx.scope}\0${regionTokens}\0${roles}`;
}

/**
 * Resolves each subscription event in a context of its own ({@link ContextFactory.forEvent}), as a
 * new query would be: fresh loaders, so nested fields (a job's cluster) are read anew instead of
 * coming from an earlier event's cache, a call budget and a deadline per event. graphql-js (and
 * yoga's executor) would resolve every event with the one context the subscription began with, so
 * this replaces the subscribe step: the source stream as graphql-js creates it, then one `execute`
 * per event. The stream is returned when the operation's signal aborts (the client went away).
 *
 * An event reaches every subscriber of a watch as one value, so it is executed once per sharing key
 * (see sharingKey), not once per subscriber: the others get the same result (within
 * SHARED_RESULT_MS), which the WebSocket transport then also serializes once.
 */
export function subscriptionEventScopes(forEvent: ContextFactory['forEvent']): Plugin<Context> {
  return {
    onSubscribe({ setSubscribeFn }) {
      setSubscribeFn(async (args: ExecutionArgs & { signal?: AbortSignal }) => {
        const stream = await createSourceEventStream(args);
        if (!isAsyncIterable(stream)) return stream;
        const events = stream[Symbol.asyncIterator]();
        args.signal?.addEventListener('abort', () => void events.return?.(), { once: true });
        const key = sharingKey(args);
        const run = (event: unknown) => execute({ ...args, rootValue: event, contextValue: forEvent(args.contextValue as Context) });
        const resultOf = (event: unknown) => {
          if (key === null || typeof event !== 'object' || event === null) return run(event);
          let results = sharedResults.get(event);
          if (!results) sharedResults.set(event, (results = new Map()));
          const now = performance.now();
          const shared = results.get(key);
          if (shared && now - shared.at < SHARED_RESULT_MS) return shared.result as ReturnType<typeof run>;
          const result = run(event);
          results.set(key, { at: now, result });
          return result;
        };
        const group = (args.contextValue as Context | undefined)?.sharedRun;
        if (group) return new ReplayableResults(events, resultOf, run, group);
        return mapAsyncIterator(events, resultOf);
      });
    },
  };
}

/**
 * The results of a subscription run for a graphql-ws group (SharedRun): one per event, as
 * mapAsyncIterator gives them, and, when the group asks (`replay()`), the latest event executed
 * again, yielded before the next event. `replays` records which result is which, in order.
 */
class ReplayableResults<R> implements AsyncIterableIterator<R> {
  private latest: { event: unknown } | null = null;
  private pending: Promise<IteratorResult<unknown>> | null = null;
  private replayWanted = false;
  private wake: (() => void) | null = null;

  constructor(
    private readonly events: AsyncIterator<unknown>,
    private readonly resultOf: (event: unknown) => R | Promise<R>,
    private readonly rerun: (event: unknown) => R | Promise<R>,
    private readonly group: SharedRun,
  ) {
    group.replay = () => {
      if (!this.latest) return;
      this.replayWanted = true;
      const wake = this.wake;
      this.wake = null;
      wake?.();
    };
  }

  [Symbol.asyncIterator]() {
    return this;
  }

  async next(): Promise<IteratorResult<R>> {
    for (;;) {
      if (this.replayWanted && this.latest) {
        this.replayWanted = false;
        this.group.replays.push(true);
        return { value: await this.rerun(this.latest.event), done: false };
      }
      const pending = (this.pending ??= this.events.next());
      const woken = new Promise<null>((resolve) => (this.wake = () => resolve(null)));
      const outcome = await Promise.race([pending, woken]);
      this.wake = null;
      if (outcome === null) continue;
      this.pending = null;
      if (outcome.done) return { value: undefined, done: true };
      this.latest = { event: outcome.value };
      // Every member gets this event, those waiting for a replay too.
      this.replayWanted = false;
      this.group.replays.push(false);
      return { value: await this.resultOf(outcome.value), done: false };
    }
  }

  async return(): Promise<IteratorResult<R>> {
    this.latest = null;
    await this.events.return?.();
    return { value: undefined, done: true };
  }
}
