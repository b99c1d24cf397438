import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GraphQLError, getOperationAST } from 'graphql';
import { createYoga, useExecutionCancellation, type Plugin } from 'graphql-yoga';
import type { ServerOptions } from 'graphql-ws';
import { useServer, type Extra } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import {
  createContextFactory,
  resolveAuth,
  scopeOf,
  subscriptionEventScopes,
  type AppServices,
  type Context,
  type InitialContext,
} from './context.js';
import { createWebUi, graphiqlOptions } from './dashboard.js';
import { createEmsClient } from './ems/client.js';
import { createDeviationReporter } from './ems/read/index.js';
import { gatewayError, maskError, requestParamErrors } from './errors.js';
import { createIdempotencyStore } from './idempotency/index.js';
import { operationLimits } from './limits.js';
import { createMetrics, type Metrics } from './metrics.js';
import { schema } from './schema/index.js';
import { createSecurity, guardResolvers, writeRequestIds, type Security } from './security/index.js';
import { createLogger, redactedMaskError, yogaLogging } from './security/logging.js';
import { metricsAccess, metricsHandler, warnAboutOpenAccess } from './security/operational.js';
import { createLiveHubFromConfig, type LiveHub } from './subscriptions/index.js';

export interface BuildAppOptions {
  /** @default a pino logger at config.logLevel */
  logger?: Logger;
  /** The dashboard's build, served at `/`. @default web/dist/ (WEB_DIST) */
  webDir?: URL;
}

export interface App {
  yoga: ReturnType<typeof createYoga<Record<string, unknown>, Context>>;
  services: AppServices;
  /** Listens on `port` (0 = ephemeral) and resolves to the GraphQL URL. */
  start(port?: number, host?: string): Promise<string>;
  stop(): Promise<void>;
}

/**
 * Builds the gateway: EMS client, schema, HTTP (GraphQL over HTTP, SSE, health, metrics) and
 * graphql-ws on the same server, in front of `config.ems.endpoint` (which must be set: `npm start`
 * starts the development simulator and sets it when EMS_ENDPOINT is unset, see src/main.ts).
 */
export async function buildApp(config: Config, options: BuildAppOptions = {}): Promise<App> {
  const endpoint = config.ems.endpoint;
  if (endpoint === null) throw new TypeError('buildApp needs config.ems.endpoint (EMS_ENDPOINT)');
  const logger = options.logger ?? createLogger(config);
  const security = createSecurity(config, logger, '/graphql');
  warnAboutOpenAccess(config, logger);

  const metrics = createMetrics();
  const client = security.verdicts.gate(createEmsClient({
    endpoint,
    projectId: config.ems.projectId,
    requestTimeoutMs: config.ems.timeoutMs,
    maxRetries: config.ems.maxRetries,
    circuitBreaker: config.ems.circuitBreaker,
    onCircuitChange: (state) =>
      state === 'open'
        ? logger.error({ circuit: state }, 'EMS looks down: failing calls fast until a probe succeeds')
        : logger.info({ circuit: state }, 'EMS answers again'),
    onDeviation: createDeviationReporter({
      logger: logger.child({ component: 'ems-read' }),
      count: (deviation) => metrics.observeDeviation(deviation),
    }),
    onCall: (call) => {
      metrics.observeUpstream(call);
      if (call.method !== 'GET' && call.requestId) writeRequestIds.getStore()?.push(call.requestId);
      if (call.error) {
        logger.warn(
          { operation: call.operation, status: call.status, requestId: call.requestId, code: call.error.code },
          'EMS call failed',
        );
      }
    },
  }), scopeOf);
  let live: LiveHub;
  try {
    live = await createLiveHubFromConfig(config, {
      upstream: (auth) => client.forAuth(auth),
      logger: logger.child({ component: 'live' }),
      onPoll: (report) => metrics.observePoll(report),
    });
  } catch (error) {
    // Nothing may outlive a failed build: the caller never gets a handle to stop it.
    await client.close();
    await security.close();
    throw error;
  }
  metrics.observeLive(() => live.stats());
  const idempotency = createIdempotencyStore(config, (err) => logger.warn({ err }, 'idempotency store (Redis) error'));
  const services: AppServices = { config, client, logger, idempotency, live, audit: security.audit };
  const contexts = createContextFactory(services);
  const web = createWebUi(options.webDir);

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
      operationalEndpoints(services, metrics),
      web.plugin,
      metrics.yogaPlugin,
      requestParamErrors(),
      // Before security.execution, which wraps the subscribe step it sets.
      subscriptionEventScopes(contexts.forEvent),
      ...security.plugins,
      security.execution,
      operationLimits(config.limits),
      // An HTTP or SSE client that goes away ends its operation: a subscription's stream is returned,
      // so its subscriber leaves the shared poller (which stops with the last one).
      useExecutionCancellation(),
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
  const wsHandle = useServer(graphqlWsOptions(yoga, security), wsServer);
  // graphql-ws prints every socket error (an oversized or malformed frame, a reset) to stderr with a
  // stack trace, so any client, signed in or not, could flood it. They are the client's doing: log
  // them quietly instead (registered after graphql-ws's listener, which this replaces). `ws` closes
  // such a socket itself, with 1009 for an oversized message.
  wsServer.on('connection', (socket) => {
    socket.removeAllListeners('error');
    socket.on('error', (err) => logger.debug({ err: { message: err.message } }, 'WebSocket client error'));
  });
  const keepAlive = dropSilentSockets(wsServer, config.subscriptions.keepAliveMs);

  let closed = false;
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
    async stop() {
      if (closed) return;
      closed = true;
      clearInterval(keepAlive);
      await wsHandle.dispose();
      wsServer.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await live.close();
      await client.close();
      await idempotency.close();
      if (metricsServer?.listening) await new Promise<void>((resolve) => metricsServer.close(() => resolve()));
      await security.close();
    },
  };
}

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
function operationalEndpoints(services: AppServices, metrics: Metrics): Plugin {
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
        const ready = await readiness();
        endResponse(Response.json({ status: ready ? 'ready' : 'unavailable' }, { status: ready ? 200 : 503 }));
      } else if (url.pathname === '/metrics') {
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
    },
  };
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
function graphqlWsOptions(yoga: App['yoga'], security: Security): ServerOptions<Record<string, unknown> | undefined, Extra> {
  return {
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
}

/** An error as graphql-ws sends it: the HTTP status hint of `extensions.http` means nothing there. */
function withoutHttp(error: GraphQLError): GraphQLError {
  if (!error.extensions?.http) return error;
  const { http: _http, ...extensions } = error.extensions;
  return new GraphQLError(error.message, { nodes: error.nodes, source: error.source, positions: error.positions, path: error.path, extensions });
}
