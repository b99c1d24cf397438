import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GraphQLError, getOperationAST, type ExecutionArgs, type ExecutionResult } from 'graphql';
import { createYoga, type Plugin } from 'graphql-yoga';
import type { ServerOptions } from 'graphql-ws';
import type { Extra } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import {
  createContextFactory,
  resolveAuth,
  scopeOf,
  sharingKey,
  subscriptionEventScopes,
  type AppServices,
  type Context,
  type InitialContext,
} from './context.js';
import { createWebUi, graphiqlOptions } from './dashboard.js';
import { serveGraphqlWs, type SharedSubscriptions } from './graphql-ws.js';
import { createEmsClient } from './ems/client.js';
import { createRegionServices, regionReports, stampRegion } from './regional.js';
import { DEFAULT_REGION_NAME, discoverProjectIds, iamEndpointOf, regionOfEndpoint, type RegionConfig } from './regions.js';
import { createDeviationReporter } from './ems/read/index.js';
import { gatewayError, maskError, requestParamErrors } from './errors.js';
import { createIdempotencyStore } from './idempotency/index.js';
import { RequestLifecycle } from './lifecycle.js';
import { operationLimits } from './limits.js';
import { createMetrics, type Metrics } from './metrics.js';
import { schema } from './schema/index.js';
import { jsonByteResponses } from './json-response.js';
import { createSecurity, guardResolvers, writeRequestIds, type Security } from './security/index.js';
import { configuredSecrets, createLogger, redactedMaskError, yogaLogging } from './security/logging.js';
import { redactSecrets } from './security/redact.js';
import { metricsAccess, metricsHandler, warnAboutOpenAccess } from './security/operational.js';
import { createLiveHubFromConfig, type LiveHub } from './subscriptions/index.js';
import { createTelemetry, type Telemetry } from './telemetry.js';

export interface BuildAppOptions {
  /** @default a pino logger at config.logLevel */
  logger?: Logger;
  /** @default tracing as the OTEL_* variables of process.env say (off unless they ask for it) */
  telemetry?: Telemetry;
  /** The dashboard's build, served at `/`. @default web/dist/ (WEB_DIST) */
  webDir?: URL;
}

export interface App {
  yoga: ReturnType<typeof createYoga<Record<string, unknown>, Context>>;
  services: AppServices;
  /** Listens on `port` (0 = ephemeral) and resolves to the GraphQL URL. */
  start(port?: number, host?: string): Promise<string>;
  /**
   * Drains, then stops (see README "Graceful shutdown"): /readyz turns 503 at once and new
   * requests are refused; every subscriber gets a final SHUTTING_DOWN error (reconnect) and
   * `complete`, WebSockets close 1012, poller locks are released; queries and mutations in flight
   * get up to `graceMs` (then reads are aborted; a write sent to EMS is always awaited and
   * recorded); then everything closes. Resolves to what was still in flight when it gave up waiting.
   * @param graceMs @default config.shutdownGraceMs
   */
  stop(graceMs?: number): Promise<{ abandoned: number }>;
}

/**
 * Builds the gateway: EMS client, schema, HTTP (GraphQL over HTTP, SSE, health, metrics) and
 * graphql-ws on the same server, in front of `config.ems.endpoint` (which must be set: `npm start`
 * starts the development simulator and sets it when EMS_ENDPOINT is unset, see src/main.ts).
 */
export async function buildApp(config: Config, options: BuildAppOptions = {}): Promise<App> {
  const endpoint = config.ems.endpoint;
  if (endpoint === null && !config.ems.regions?.length) throw new TypeError('buildApp needs config.ems.endpoint (EMS_ENDPOINT) or config.ems.regions (EMS_REGIONS)');
  // Project ids left to discovery are asked of IAM first: a region that cannot tell stops start-up.
  let regionList = config.ems.regions?.length ? config.ems.regions : [singleRegion(config, endpoint!)];
  if (config.ems.aksk) regionList = await discoverProjectIds(regionList, config.ems.aksk, { timeoutMs: config.ems.timeoutMs });
  // The default region's project id is the gateway's project id (credentials, createCredential).
  if (config.ems.regions?.length) config = { ...config, ems: { ...config.ems, projectId: regionList[0]!.projectId } };
  const logger = options.logger ?? createLogger(config);
  const security = createSecurity(config, logger, '/graphql');
  warnAboutOpenAccess(config, logger);

  const metrics = createMetrics();
  const telemetry = options.telemetry ?? createTelemetry(process.env);
  /** Aborts the reads still running when the shutdown grace period is over. */
  const shutdownReads = new AbortController();
  const createClient = (region: RegionConfig) => security.verdicts.gate(createEmsClient({
    telemetry,
    endpoint: region.endpoint,
    projectId: region.projectId,
    requestTimeoutMs: config.ems.timeoutMs,
    maxRetries: config.ems.maxRetries,
    circuitBreaker: config.ems.circuitBreaker,
    onCircuitChange: (state) =>
      state === 'open'
        ? logger.error({ circuit: state, region: region.name }, 'EMS looks down: failing calls fast until a probe succeeds')
        : logger.info({ circuit: state, region: region.name }, 'EMS answers again'),
    onDeviation: createDeviationReporter({
      logger: logger.child({ component: 'ems-read' }),
      count: (deviation) => metrics.observeDeviation(deviation),
    }),
    onCall: (call) => {
      // With several regions, the metrics and the call log name the call's region (docs/regions.md).
      const named = regionList.length > 1 ? region.name : undefined;
      metrics.observeUpstream(call, named);
      if (call.method !== 'GET' && call.requestId) writeRequestIds.getStore()?.push(call.requestId);
      // Most calls succeed and log at debug: nothing is built for a line the level drops.
      if (!call.error && !logger.isLevelEnabled('debug')) return;
      const where = named === undefined ? {} : { region: named };
      const log = (typeof call.logger === 'function' ? call.logger() : call.logger) ?? logger;
      if (call.error && call.abandoned) {
        log.debug({ operation: call.operation, ...where, durationMs: Math.round(call.durationMs) }, 'EMS call abandoned: its caller went away or the gateway is stopping');
      } else if (call.error?.code === 'NOT_FOUND' && call.method === 'GET' && regionList.length > 1) {
        // A lookup by id asks every region: the regions that do not hold it answer 404 as a matter of course.
        log.debug({ operation: call.operation, ...where, status: call.status, emsRequestId: call.requestId, durationMs: Math.round(call.durationMs) }, 'EMS call: not found in this region');
      } else if (call.error) {
        log.warn(
          { operation: call.operation, ...where, status: call.status, emsRequestId: call.requestId, code: call.error.code, durationMs: Math.round(call.durationMs) },
          'EMS call failed',
        );
      } else {
        log.debug({ operation: call.operation, ...where, status: call.status, emsRequestId: call.requestId, durationMs: Math.round(call.durationMs) }, 'EMS call');
      }
    },
  }), scopeOf);
  // The default region's client is gated last: token checks (security.verdicts.check) ask it.
  const clients = new Map(regionList.slice(1).map((region) => [region.name, createClient(region)] as const));
  const client = createClient(regionList[0]!);
  clients.set(regionList[0]!.name, client);
  const regions = createRegionServices(regionList, clients);
  const closeClients = () => Promise.all([...clients.values()].map((c) => c.close())).then(() => undefined);
  let live: LiveHub;
  try {
    live = await createLiveHubFromConfig(config, {
      upstream: (auth, region) => stampRegion(regions.client(region ?? regions.default).forAuth(auth), region ?? regions.default),
      logger: logger.child({ component: 'live' }),
      onPoll: (report) => metrics.observePoll(report),
    });
  } catch (error) {
    // Nothing may outlive a failed build: the caller never gets a handle to stop it.
    await closeClients();
    await security.close();
    await telemetry.shutdown();
    throw error;
  }
  metrics.observeLive(() => live.stats());
  let idempotency;
  try {
    idempotency = createIdempotencyStore(config, {
      onError: (err) => logger.warn({ err }, 'idempotency store (Redis) error'),
      onLeaseLost: (key, err) => logger.warn({ key, err }, 'idempotency claim lease not renewed'),
    });
  } catch (error) {
    await live.close();
    await closeClients();
    await security.close();
    await telemetry.shutdown();
    throw error;
  }
  const services: AppServices = {
    config,
    client,
    regions,
    logger,
    idempotency,
    live,
    audit: security.audit,
    telemetry,
    shutdownSignal: shutdownReads.signal,
  };
  const contexts = createContextFactory(services);
  const lifecycle = new RequestLifecycle();
  const web = createWebUi(options.webDir, { graphiql: config.security.graphiql });

  const yoga = createYoga<Record<string, unknown>, Context>({
    schema: guardResolvers(schema),
    graphqlEndpoint: '/graphql',
    context: (initial) => contexts.create(initial as InitialContext),
    maskedErrors: { maskError: redactedMaskError(maskError, config) },
    landingPage: false,
    graphiql: config.security.graphiql && graphiqlOptions(config.security.introspection ? schema : null),
    renderGraphiQL: web.renderGraphiQL,
    ...security.yogaOptions,
    logging: yogaLogging(logger),
    plugins: [
      operationalEndpoints(services, metrics, lifecycle),
      lifecycle.plugin((pathname) => pathname === GRAPHQL_PATH),
      web.plugin,
      metrics.yogaPlugin,
      requestParamErrors(),
      // Before security.execution, which wraps the subscribe step it sets.
      subscriptionEventScopes(contexts.forEvent),
      regionReports((text) => redactSecrets(text, configuredSecrets(config))),
      ...security.plugins,
      security.execution,
      operationLimits(config.limits),
      // An HTTP or SSE client that goes away ends its subscription: its stream is returned, so its
      // subscriber leaves the shared poller (which stops with the last one).
      subscriptionCancellation(),
      jsonByteResponses(),
    ],
  });

  const server: Server = createServer(security.serverOptions, yoga);
  security.applyServerLimits(server);
  const metricsServer = config.security.metrics.port === null ? null : createServer(metricsHandler(config, metrics));
  // The WebSocket server takes upgrades by hand rather than listening on the HTTP server, so an
  // HTTP server error (a port in use) is reported once, by start(), not also by graphql-ws.
  const wsServer = new WebSocketServer({ noServer: true, maxPayload: WS_MAX_MESSAGE_BYTES });
  server.on('upgrade', (request, socket, head) => {
    if (new URL(request.url ?? '/', 'http://gateway').pathname !== yoga.graphqlEndpoint) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    wsServer.handleUpgrade(request, socket, head, (ws) => wsServer.emit('connection', ws, request));
  });
  const ws = graphqlWsOptions(yoga, security, logger);
  const wsHandle = serveGraphqlWs(ws.options, wsServer, logger, ws.shared);
  const keepAlive = dropSilentSockets(wsServer, config.subscriptions.keepAliveMs);

  let closed: Promise<{ abandoned: number }> | null = null;
  return {
    yoga,
    services,
    async start(port = config.port, host = config.host) {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      if (metricsServer) {
        await new Promise<void>((resolve, reject) => {
          metricsServer.once('error', reject);
          metricsServer.listen(config.security.metrics.port!, host, () => resolve());
        });
      }
      const address = server.address() as AddressInfo;
      const shownHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
      return `http://${shownHost}:${address.port}${yoga.graphqlEndpoint}`;
    },
    stop(graceMs = config.shutdownGraceMs) {
      closed ??= (async () => {
        lifecycle.draining = true;
        const started = performance.now();
        // No new connections; idle keep-alive ones close now, busy ones when their response is done.
        const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        // Every subscriber's last message: a SHUTTING_DOWN error telling it to reconnect, then
        // `complete`. Poller locks are released, so another replica polls at its next lock check.
        await live.close({
          code: 'SHUTTING_DOWN',
          message: 'This gateway instance is shutting down; reconnect and subscribe again (another instance will serve you)',
          upstreamCode: null,
          requestId: null,
          retryable: true,
        });
        // Subscription groups hand that error and `complete` to their members a slice at a time: all of
        // it goes out before the sockets close.
        await wsHandle.groupsEnded(Math.max(1_000, graceMs - (performance.now() - started)));
        const drained = await lifecycle.drained(Math.max(0, graceMs - (performance.now() - started)));
        let abandoned = 0;
        if (!drained) {
          abandoned = lifecycle.inFlight;
          logger.warn({ inFlight: abandoned, graceMs }, 'shutdown grace period over: aborting the reads still in flight');
          shutdownReads.abort(new Error('the gateway is shutting down'));
          // Writes already sent are never cut off: they get their EMS answer (bounded by EMS_TIMEOUT_MS) and are recorded.
          await lifecycle.drained(config.ems.timeoutMs + 1_000);
        }
        clearInterval(keepAlive);
        for (const socket of wsServer.clients) socket.close(WS_CLOSE_SERVICE_RESTART, 'gateway restarting: reconnect');
        await wsHandle.dispose();
        wsServer.close();
        server.closeAllConnections();
        await serverClosed;
        await closeClients();
        await idempotency.close();
        if (metricsServer?.listening) await new Promise<void>((resolve) => metricsServer.close(() => resolve()));
        await security.close();
        await telemetry.shutdown();
        return { abandoned };
      })();
      return closed;
    },
  };
}

/** The one region of EMS_ENDPOINT: named by EMS_REGION, else by the endpoint's host, else `default`; never discovered. */
function singleRegion(config: Config, endpoint: string): RegionConfig {
  const name = config.ems.region ?? regionOfEndpoint(endpoint) ?? DEFAULT_REGION_NAME;
  return { name, endpoint, projectId: config.ems.projectId, iamEndpoint: iamEndpointOf(name), discover: false };
}

/** The GraphQL endpoint: what a draining gateway refuses and waits for (health, metrics and the dashboard are still served). */
const GRAPHQL_PATH = '/graphql';

/** Close code of WebSockets at shutdown (RFC 6455 "Service Restart"): clients reconnect. */
const WS_CLOSE_SERVICE_RESTART = 1012;

/**
 * Pings every WebSocket each `intervalMs` and terminates one that has not answered the previous
 * ping: a peer gone without a close (a dead network path, a frozen tab) would otherwise hold its
 * subscriptions, and their upstream pollers, until TCP gives up hours later.
 */
function dropSilentSockets(wsServer: WebSocketServer, intervalMs: number): NodeJS.Timeout {
  const answered = new WeakSet<WebSocket>();
  wsServer.on('connection', (socket) => {
    answered.add(socket);
    socket.on('pong', () => answered.add(socket));
  });
  const timer = setInterval(() => {
    for (const socket of wsServer.clients) {
      if (!answered.delete(socket)) {
        socket.terminate();
        continue;
      }
      socket.ping();
    }
  }, intervalMs);
  timer.unref();
  return timer;
}

/**
 * Yoga's useExecutionCancellation for subscriptions only: their streams must end with their client.
 * A query or mutation needs no per-field abort check: its EMS reads are aborted through the
 * context's signal (REQUEST_TIMEOUT_MS, or the client gone), which fails the fields waiting on them,
 * and the error cap stops its execution (src/security).
 */
function subscriptionCancellation(): Plugin {
  return {
    onSubscribe({ args }) {
      const request = (args.contextValue as { request?: Request } | undefined)?.request;
      (args as { signal?: AbortSignal }).signal = request?.signal ?? undefined;
    },
  };
}

/** How long one upstream readiness check answers /readyz. */
const READINESS_CACHE_MS = 1_000;

/** `/healthz` (process up), `/readyz` (EMS reachable) and `/metrics` (Prometheus text). */
function operationalEndpoints(services: AppServices, metrics: Metrics, lifecycle: RequestLifecycle): Plugin {
  // Probes of many replicas and load balancers share one upstream check a second (one per region,
  // all at once: with several regions the replica is ready while any region answers).
  let probe: { at: number; ready: Promise<boolean[]> } | null = null;
  const readiness = () => {
    if (!probe || performance.now() - probe.at > READINESS_CACHE_MS) {
      const auth = resolveAuth(services.config, null);
      const ready = Promise.all(
        services.regions.names.map((name) => services.regions.client(name).ping(auth, { signal: AbortSignal.timeout(3_000) }).catch(() => false)),
      );
      probe = { at: performance.now(), ready };
    }
    return probe.ready;
  };
  return {
    // Not async: a GraphQL request passes through without a promise to wait for.
    onRequest({ request, url, endResponse, fetchAPI }) {
      if (request.method !== 'GET') return;
      const path = url.pathname;
      if (path === '/healthz' || path === '/readyz' || path === '/metrics') return answer(path, request, endResponse, fetchAPI);
    },
  };

  async function answer(path: string, request: Request, endResponse: (response: Response) => void, fetchAPI: { Response: typeof Response }): Promise<void> {
    if (path === '/healthz') {
      endResponse(Response.json({ status: 'ok' }));
    } else if (path === '/readyz') {
      if (lifecycle.draining) {
        endResponse(Response.json({ status: 'draining' }, { status: 503 }));
        return;
      }
      const answered = await readiness();
      // One region down is a partial answer, not an unready replica (docs/regions.md): ready while any answers.
      const ready = answered.some(Boolean);
      // Redis being down does not make a replica unready: it serves alone meanwhile (details say so).
      const mode = services.live.stats().mode;
      const checks = {
        ems: answered.every(Boolean) ? 'up' : ready ? 'partial' : 'down',
        ...(services.regions.multi ? { regions: Object.fromEntries(services.regions.names.map((name, i) => [name, answered[i] ? 'up' : 'down'])) } : {}),
        redis: mode === 'single' ? 'not configured' : mode === 'shared' ? 'up' : 'down',
        subscriptions: mode,
      };
      endResponse(Response.json({ status: ready ? 'ready' : 'unavailable', checks }, { status: ready ? 200 : 503 }));
    } else if (path === '/metrics') {
      const access = metricsAccess(services.config, request.headers.get('authorization'), 'main');
      endResponse(
        access === 'ok'
          ? new fetchAPI.Response(await metrics.registry.metrics(), { headers: { 'content-type': metrics.registry.contentType } })
          : new fetchAPI.Response(access === 'unauthorized' ? 'Unauthorized\n' : 'Not Found\n', {
              status: access === 'unauthorized' ? 401 : 404,
              headers: access === 'unauthorized' ? { 'www-authenticate': 'Bearer' } : {},
            }),
      );
    }
  }
}

/**
 * Largest graphql-ws message accepted; a bigger one closes the socket with 1009. `ws` would buffer
 * and parse up to 100 MiB per frame, even before `connection_init`, so a few unauthenticated
 * sockets could exhaust the heap. An operation and its variables fit in far less.
 */
export const WS_MAX_MESSAGE_BYTES = 1024 * 1024;

/**
 * graphql-ws (`graphql-transport-ws`) on the HTTP pipeline: every operation runs through
 * `yoga.getEnveloped`, so it gets the same context factory, plugins and error masking as HTTP and SSE.
 * Authentication happens once, at `connection_init` (src/security: the gateway's own caller
 * authentication, and in token pass-through one check with EMS of the token in the payload: its
 * `authToken`, or an `X-Auth-Token` header, see tokenOf):
 * close 4403 when refused, 4429 when the address or caller is over a limit, 1013 when EMS cannot be
 * asked; no `connection_init` within 3 s closes 4408. Each operation is admitted against the
 * per-connection and per-caller limits first.
 */
function graphqlWsOptions(yoga: App['yoga'], security: Security, logger: Logger): { options: ServerOptions<Record<string, unknown> | undefined, Extra>; shared: SharedSubscriptions } {
  const options: ServerOptions<Record<string, unknown> | undefined, Extra> = {
    connectionInitWaitTimeout: 3_000,
    onConnect: async (ctx) => {
      const result = await security.ws.connect(ctx.extra.request, ctx.connectionParams);
      if ('caller' in result) return true;
      if (result.close !== 4403) ctx.extra.socket.close(result.close, result.reason);
      return false;
    },
    execute: (args: any) => args.rootValue.execute(args),
    subscribe: (args: any) => args.rootValue.subscribe(args),
    onSubscribe: async (ctx, _id, params) => {
      // graphql-ws lists the connection's running operations, this one included.
      const refused = await security.ws.admit(ctx.extra.request.socket, Object.keys(ctx.subscriptions).length, params);
      if (refused) return refused.map(withoutHttp);
      const known = security.ws.callerOf(ctx.extra.request.socket);
      const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
        ...ctx,
        req: ctx.extra.request,
        socket: ctx.extra.socket,
        params,
        connectionParams: ctx.connectionParams,
        caller: known?.caller,
        address: known?.address,
      });
      let document;
      try {
        document = parse(params.query);
      } catch (error) {
        // A syntax error (or a document over a limit) ends this operation, not the connection.
        if (error instanceof GraphQLError) return [withoutHttp(error)];
        throw error;
      }
      const args = {
        schema,
        operationName: params.operationName,
        document,
        variableValues: params.variables,
        contextValue: await contextFactory(),
        rootValue: { execute, subscribe },
      };
      const errors = validate(args.schema, args.document);
      if (errors.length) return errors.map(withoutHttp);
      // As over HTTP: an unknown operationName (or several operations and none named) gets a coded error.
      if (!getOperationAST(document, params.operationName)) {
        return [gatewayError('Could not determine what operation to execute.', 'OPERATION_RESOLUTION_FAILURE')];
      }
      return args;
    },
  };
  // graphql-ws closes the whole connection (4500, with the error's message as the reason) when
  // onSubscribe throws: an unexpected failure ends this operation alone, with a coded error.
  const admit = options.onSubscribe!;
  options.onSubscribe = async (ctx, id, params) => {
    try {
      return await admit(ctx, id, params);
    } catch (error) {
      const err = error instanceof Error ? error : new Error(String(error));
      logger.error({ err: { name: err.name, message: err.message, stack: err.stack } }, 'unexpected error admitting a WebSocket operation');
      return [gatewayError('Unexpected error.', 'INTERNAL_SERVER_ERROR')];
    }
  };
  // The direct path of graphql-ws subscriptions (src/graphql-ws.ts, SubscriptionGroup): every
  // operation is admitted as above; a subscription whose result can be shared joins the group of
  // its sharing key, whose first member subscribes as any operation does.
  const shared: SharedSubscriptions = {
    admit: (ctx, id, payload) => options.onSubscribe!(ctx, id, payload) as Promise<readonly GraphQLError[] | ExecutionArgs>,
    keyOf: (args) => (getOperationAST(args.document, args.operationName)?.operation === 'subscription' ? sharingKey(args) : null),
    start: (args, run) => {
      (args.contextValue as Context).sharedRun = run;
      return (args.rootValue as { subscribe(args: ExecutionArgs): Promise<AsyncIterable<ExecutionResult> | ExecutionResult> }).subscribe(args);
    },
    async join(args) {
      // What the request lifecycle does for a subscription (src/lifecycle.ts): its span covers setting it up.
      const ctx = args.contextValue as Context;
      const name = getOperationAST(args.document, args.operationName)?.name?.value ?? null;
      ctx.span.updateName(name ? `subscription ${name}` : 'subscription');
      ctx.span.setAttributes({ 'graphql.operation.type': 'subscription', ...(name ? { 'graphql.operation.name': name } : {}) });
      try {
        return await security.ws.joinShared(args);
      } finally {
        ctx.span.end();
      }
    },
  };
  return { options, shared };
}

/** An error as graphql-ws sends it: the HTTP status hint of `extensions.http` means nothing there. */
function withoutHttp(error: GraphQLError): GraphQLError {
  if (!error.extensions?.http) return error;
  const { http: _http, ...extensions } = error.extensions;
  return new GraphQLError(error.message, { nodes: error.nodes, source: error.source, positions: error.positions, path: error.path, extensions });
}
