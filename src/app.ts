import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GraphQLError, getOperationAST } from 'graphql';
import { createYoga, useExecutionCancellation, type Plugin } from 'graphql-yoga';
import type { ServerOptions } from 'graphql-ws';
import { useServer, type Extra } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';
import { pino, type Logger } from 'pino';
import type { Config } from './config.js';
import { createContextFactory, resolveAuth, scopeOf, tokenOf, type AppServices, type Context, type InitialContext } from './context.js';
import type { EmsAuth } from './ems/api.js';
import { createEmsClient, type EmsClient } from './ems/client.js';
import { isEmsError } from './ems/errors.js';
import { maskError, requestParamErrors } from './errors.js';
import { createIdempotencyStore } from './idempotency/index.js';
import { RequestLifecycle } from './lifecycle.js';
import { operationLimits } from './limits.js';
import { createMetrics, type Metrics } from './metrics.js';
import { schema } from './schema/index.js';
import { createSimulator, type EmsSimulator } from './simulator/index.js';
import { createLiveHubFromConfig, type LiveHub } from './subscriptions/index.js';
import { createTelemetry, type Telemetry } from './telemetry.js';

export interface BuildAppOptions {
  /** @default a pino logger at config.logLevel */
  logger?: Logger;
  /** @default tracing as the OTEL_* variables of process.env say (off unless they ask for it) */
  telemetry?: Telemetry;
}

export interface App {
  yoga: ReturnType<typeof createYoga<Record<string, unknown>, Context>>;
  services: AppServices;
  /** The embedded simulator, when EMS_ENDPOINT was unset. */
  simulator: EmsSimulator | null;
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
 * graphql-ws on the same server. With no EMS endpoint configured it starts the embedded simulator
 * first and points the client at it.
 */
export async function buildApp(config: Config, options: BuildAppOptions = {}): Promise<App> {
  const logger = options.logger ?? pino({ level: config.logLevel, base: { service: 'ems-gateway' } });
  let simulator: EmsSimulator | null = null;
  let endpoint = config.ems.endpoint;
  if (endpoint === null) {
    simulator = createSimulator({ port: config.simulator.port, clockSpeed: config.simulator.clockSpeed });
    endpoint = await simulator.start();
  }

  const metrics = createMetrics();
  const telemetry = options.telemetry ?? createTelemetry(process.env);
  /** Aborts the reads still running when the shutdown grace period is over. */
  const shutdownReads = new AbortController();
  const client = createEmsClient({
    telemetry,
    endpoint,
    projectId: config.ems.projectId,
    requestTimeoutMs: config.ems.timeoutMs,
    maxRetries: config.ems.maxRetries,
    circuitBreaker: config.ems.circuitBreaker,
    onCircuitChange: (state) =>
      state === 'open'
        ? logger.error({ circuit: state }, 'EMS looks down: failing calls fast until a probe succeeds')
        : logger.info({ circuit: state }, 'EMS answers again'),
    onCall: (call) => {
      metrics.observeUpstream(call);
      const log = call.logger ?? logger;
      if (call.error) {
        log.warn(
          { operation: call.operation, status: call.status, emsRequestId: call.requestId, code: call.error.code, durationMs: Math.round(call.durationMs) },
          'EMS call failed',
        );
      } else {
        log.debug({ operation: call.operation, status: call.status, emsRequestId: call.requestId, durationMs: Math.round(call.durationMs) }, 'EMS call');
      }
    },
  });
  let live: LiveHub;
  try {
    live = await createLiveHubFromConfig(config, {
      logger: logger.child({ component: 'live' }),
      onPoll: (report) => metrics.observePoll(report),
    });
  } catch (error) {
    // Nothing may outlive a failed build: the caller never gets a handle to stop it.
    await client.close();
    await simulator?.stop();
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
    await client.close();
    await simulator?.stop();
    await telemetry.shutdown();
    throw error;
  }
  const services: AppServices = { config, client, logger, idempotency, live, telemetry, shutdownSignal: shutdownReads.signal };
  const createContext = createContextFactory(services);
  const lifecycle = new RequestLifecycle();

  const yoga = createYoga<Record<string, unknown>, Context>({
    schema,
    graphqlEndpoint: '/graphql',
    context: (initial) => createContext(initial as InitialContext),
    maskedErrors: { maskError },
    landingPage: false,
    graphiql: { subscriptionsProtocol: 'WS', title: 'ems-gateway' },
    logging: {
      debug: (...args) => logger.debug(args.map(String).join(' ')),
      info: (...args) => logger.info(args.map(String).join(' ')),
      warn: (...args) => logger.warn(args.map(String).join(' ')),
      error: (...args) => logger.error(args.map(String).join(' ')),
    },
    plugins: [
      operationalEndpoints(services, metrics, lifecycle),
      lifecycle.plugin((pathname) => OPERATIONAL_PATHS.has(pathname)),
      metrics.yogaPlugin,
      requestParamErrors(),
      operationLimits(config.limits),
      // An HTTP or SSE client that goes away ends its operation: a subscription's stream is returned,
      // so its subscriber leaves the shared poller (which stops with the last one).
      useExecutionCancellation(),
    ],
  });

  const server: Server = createServer(yoga);
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
  const wsHandle = useServer(graphqlWsOptions(yoga, services), wsServer);
  // graphql-ws prints every socket error (an oversized or malformed frame, a reset) to stderr with a
  // stack trace, so any client, signed in or not, could flood it. They are the client's doing: log
  // them quietly instead (registered after graphql-ws's listener, which this replaces). `ws` closes
  // such a socket itself, with 1009 for an oversized message.
  wsServer.on('connection', (socket) => {
    socket.removeAllListeners('error');
    socket.on('error', (err) => logger.debug({ err: { message: err.message } }, 'WebSocket client error'));
  });
  const keepAlive = dropSilentSockets(wsServer, config.subscriptions.keepAliveMs);

  let closed: Promise<{ abandoned: number }> | null = null;
  return {
    yoga,
    services,
    simulator,
    async start(port = config.port, host = config.host) {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve();
        });
      });
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
        await client.close();
        await idempotency.close();
        await telemetry.shutdown();
        await simulator?.stop();
        return { abandoned };
      })();
      return closed;
    },
  };
}

/** Paths answered whatever the state (health, metrics): never refused while draining. */
const OPERATIONAL_PATHS: ReadonlySet<string> = new Set(['/healthz', '/readyz', '/metrics']);

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

/** How long one upstream readiness check answers /readyz. */
const READINESS_CACHE_MS = 1_000;

/** `/healthz` (process up), `/readyz` (EMS reachable) and `/metrics` (Prometheus text). */
function operationalEndpoints(services: AppServices, metrics: Metrics, lifecycle: RequestLifecycle): Plugin {
  // Probes of many replicas and load balancers share one upstream check a second.
  let probe: { at: number; ready: Promise<boolean> } | null = null;
  const readiness = () => {
    if (!probe || performance.now() - probe.at > READINESS_CACHE_MS) {
      const ready = services.client.ping(resolveAuth(services.config, null), { signal: AbortSignal.timeout(3_000) }).catch(() => false);
      probe = { at: performance.now(), ready };
    }
    return probe.ready;
  };
  return {
    async onRequest({ request, url, endResponse, fetchAPI }) {
      if (request.method !== 'GET') return;
      if (url.pathname === '/healthz') {
        endResponse(Response.json({ status: 'ok' }));
      } else if (url.pathname === '/readyz') {
        if (lifecycle.draining) {
          endResponse(Response.json({ status: 'draining' }, { status: 503 }));
          return;
        }
        const ready = await readiness();
        // Redis being down does not make a replica unready: it serves alone meanwhile (details say so).
        const mode = services.live.stats().mode;
        const checks = {
          ems: ready ? 'up' : 'down',
          redis: mode === 'single' ? 'not configured' : mode === 'shared' ? 'up' : 'down',
          subscriptions: mode,
        };
        endResponse(Response.json({ status: ready ? 'ready' : 'unavailable', checks }, { status: ready ? 200 : 503 }));
      } else if (url.pathname === '/metrics') {
        endResponse(
          new fetchAPI.Response(await metrics.registry.metrics(), {
            headers: { 'content-type': metrics.registry.contentType },
          }),
        );
      }
    },
  };
}

/**
 * Largest graphql-ws message accepted; a bigger one closes the socket with 1009. `ws` would buffer
 * and parse up to 100 MiB per frame, even before `connection_init`, so a few unauthenticated
 * sockets could exhaust the heap. An operation and its variables fit in far less.
 */
export const WS_MAX_MESSAGE_BYTES = 1024 * 1024;

/** Close code when the caller's token cannot be checked because EMS is unreachable (RFC 6455 "Try Again Later"). */
const WS_CLOSE_TRY_AGAIN_LATER = 1013;

/**
 * graphql-ws (`graphql-transport-ws`) on the HTTP pipeline: every operation runs through
 * `yoga.getEnveloped`, so it gets the same context factory, plugins and error masking as HTTP and SSE.
 * Auth happens once, at `connection_init`: `connectionParams.authToken` is checked upstream (close
 * 4403 when missing or refused); no `connection_init` within 3 s closes 4408.
 */
function graphqlWsOptions(yoga: App['yoga'], services: AppServices): ServerOptions<Record<string, unknown> | undefined, Extra> {
  const checkToken = createTokenCheck(services.client);
  return {
    connectionInitWaitTimeout: 3_000,
    onConnect: async (ctx) => {
      const token = tokenOf({ connectionParams: ctx.connectionParams ?? null });
      const auth = resolveAuth(services.config, token);
      if (auth.kind === 'none') return false;
      // AK/SK or the static fallback are the gateway's own credentials: nothing of the caller's to check.
      if (auth.kind !== 'token' || !token) return true;
      const verdict = await checkToken(auth);
      if (verdict === 'unavailable') {
        ctx.extra.socket.close(WS_CLOSE_TRY_AGAIN_LATER, 'EMS unreachable, cannot check the token; try again later');
        return false;
      }
      return verdict === 'valid';
    },
    execute: (args: any) => args.rootValue.execute(args),
    subscribe: (args: any) => args.rootValue.subscribe(args),
    onSubscribe: async (ctx, _id, params) => {
      const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
        ...ctx,
        req: ctx.extra.request,
        socket: ctx.extra.socket,
        params,
        connectionParams: ctx.connectionParams,
      });
      let document;
      try {
        document = parse(params.query);
      } catch (error) {
        // A syntax error ends this operation, not the connection.
        if (error instanceof GraphQLError) return [error];
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
      if (errors.length) return errors;
      // As over HTTP: an unknown operationName (or several operations and none named) gets a coded error.
      if (!getOperationAST(document, params.operationName)) {
        return [
          new GraphQLError('Could not determine what operation to execute.', {
            extensions: { code: 'OPERATION_RESOLUTION_FAILURE', upstreamCode: null, requestId: null, retryable: false },
          }),
        ];
      }
      return args;
    },
  };
}

type TokenVerdict = 'valid' | 'refused' | 'unavailable';

/**
 * Checks a caller's token with one cheap upstream call (ListReleases, limit 1). Concurrent checks of
 * one token share a call, and a valid token is trusted for `ttlMs` (a reconnect storm costs one call).
 */
function createTokenCheck(client: EmsClient, ttlMs = 60_000): (auth: EmsAuth & { kind: 'token' }) => Promise<TokenVerdict> {
  const valid = new Map<string, number>();
  const inflight = new Map<string, Promise<TokenVerdict>>();
  return (auth) => {
    const scope = scopeOf(auth);
    const until = valid.get(scope);
    if (until !== undefined && until > Date.now()) return Promise.resolve('valid');
    let check = inflight.get(scope);
    if (!check) {
      check = client
        .forAuth(auth)
        .listReleases({ limit: 1 }, { signal: AbortSignal.timeout(5_000) })
        .then(
          (): TokenVerdict => {
            valid.set(scope, Date.now() + ttlMs);
            if (valid.size > 10_000) valid.delete(valid.keys().next().value!);
            return 'valid';
          },
          (error: unknown): TokenVerdict =>
            isEmsError(error) && (error.code === 'UNAUTHENTICATED' || error.code === 'FORBIDDEN' || error.code === 'BAD_REQUEST')
              ? 'refused'
              : 'unavailable',
        )
        .finally(() => inflight.delete(scope));
      inflight.set(scope, check);
    }
    return check;
  };
}
