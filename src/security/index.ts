import type { IncomingMessage, Server, ServerOptions, ServerResponse } from 'node:http';
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { useDisableIntrospection } from '@graphql-yoga/plugin-disable-introspection';
import { GraphQLError, Kind, getOperationAST, type DocumentNode, type ExecutionResult, type FragmentDefinitionNode } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import type { Logger } from 'pino';
import {
  createAuthenticator,
  credentialsOfConnectionParams,
  credentialsOfHeaders,
  type Authenticator,
  type AuthOutcome,
} from '../auth/authenticate.js';
import type { Caller } from '../auth/roles.js';
import { createTokenVerdicts, type TokenVerdicts } from '../auth/token-verdicts.js';
import type { Config } from '../config.js';
import { regionTokensOf, resolveAuth, scopeOf, tokenOf, upstreamStarted, type Context } from '../context.js';
import { callsMade } from '../ems/budget.js';
import { gatewayError } from '../errors.js';
import { createAuditLog, type AuditLog } from './audit.js';
import { limitRequestBody } from './body-limit.js';
import { costError, estimateCost } from './cost.js';
import { operationMemo } from '../operation-memo.js';
import { checkVariables, documentLimits, limitExceeded, parseCaches } from './document-limits.js';
import { createRateLimits, type RateLimits } from './rate-limit.js';
import { rememberCaller } from './context.js';

export { guardResolvers, writeRequestIds } from './resolvers.js';
export { requestSecurity, type RequestSecurity } from './context.js';
export type { AuditLog } from './audit.js';

/** Request headers that a cross-site form or a simple GET cannot set: one of them proves a preflight-able client. */
export const CSRF_HEADERS = ['x-auth-token', 'authorization', 'x-api-key', 'x-graphql-csrf', 'apollo-require-preflight', 'graphql-require-preflight'];

/** Media types a GraphQL POST may have; anything else (forms, multipart, text/plain) is refused. */
const POST_MEDIA_TYPES = ['application/json', 'application/graphql'];

/** A request refused before execution, with the HTTP status (and Retry-After) it is answered with. */
export function requestRefused(message: string, code: string, status: number, extra: Record<string, unknown> = {}): GraphQLError {
  const headers = typeof extra.retryAfter === 'number' ? { headers: { 'Retry-After': String(extra.retryAfter) } } : {};
  return gatewayError(message, code, { retryable: code === 'RATE_LIMITED', ...extra, http: { status, ...headers } });
}

export function rateLimited(what: string, retryAfter: number): GraphQLError {
  return requestRefused(`Too many ${what}; retry in ${retryAfter} s`, 'RATE_LIMITED', 429, { retryAfter });
}

/** A GraphQL error response sent before any GraphQL processing (authentication, media type). */
function errorResponse(fetchAPI: { Response: typeof Response }, error: GraphQLError): Response {
  const http = error.extensions.http as { status: number; headers?: Record<string, string> };
  const { http: _omit, ...extensions } = error.extensions;
  return new fetchAPI.Response(JSON.stringify({ errors: [{ message: error.message, extensions }] }), {
    status: http.status,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      ...(http.status === 401 ? { 'www-authenticate': 'Bearer' } : {}),
      ...http.headers,
    },
  });
}

/** The caller's address: the socket's, or the X-Forwarded-For entry `hops` proxies back. */
export function clientAddress(socketAddress: string | undefined, forwardedFor: string | null, hops: number): string {
  if (hops > 0 && forwardedFor) {
    const chain = forwardedFor.split(',').map((s) => s.trim()).filter(Boolean);
    const entry = chain[chain.length - hops];
    if (entry) return entry;
  }
  return socketAddress ?? 'unknown';
}

export interface Security {
  verdicts: TokenVerdicts;
  authenticator: Authenticator;
  rateLimits: RateLimits;
  audit: AuditLog;
  /** yoga options owned by the security layer. */
  yogaOptions: {
    cors: (request: Request) => Record<string, unknown> | false;
    parserAndValidationCache: ReturnType<typeof parseCaches>;
    /** Off: limitRequestBody (in `plugins`) enforces the same limit more cheaply. */
    maxRequestBodySize: false;
    multipart: false;
  };
  /** yoga plugins that run before execution: HTTP admission (before parsing), CSRF, document limits, introspection. */
  plugins: Plugin[];
  /** The execution guard: cost estimate and limit, EMS-call rate limit, error cap, `extensions.cost`. */
  execution: Plugin;
  /** graphql-ws hooks (see app.ts). */
  ws: WsSecurity;
  /** Options of the HTTP server: its timeouts, checked every second. */
  serverOptions: ServerOptions;
  /** The connection cap and header count. */
  applyServerLimits(server: Server): void;
  close(): Promise<void>;
}

export interface WsSecurity {
  /** Authenticates a `connection_init`; returns the caller, or a close code and reason. */
  connect(request: IncomingMessage, connectionParams: Record<string, unknown> | undefined): Promise<{ caller: Caller; address: string } | { close: number; reason: string }>;
  /**
   * Admits one operation of a connection (`active`: its operations running, this one included);
   * returns the errors to answer it with instead, or null.
   */
  admit(socket: object, active: number, params: { query?: unknown; variables?: unknown }): Promise<GraphQLError[] | null>;
  /** The caller and address of an authenticated connection. */
  callerOf(socket: object): { caller: Caller; address: string } | undefined;
  /**
   * What a graphql-ws subscriber that joins a running subscription group (src/graphql-ws.ts) goes
   * through instead of the execution guard, which the group's first subscriber went through: the
   * cost limit and its caller's EMS-call reservation. Returns the result to answer it with when
   * refused (as the guard would), else what to call when it leaves: a member makes no EMS call, so
   * its reservation is settled at 0 then, as the guard settles a subscription that made none.
   */
  joinShared(args: { schema: unknown; document: DocumentNode; operationName?: string | null; variableValues?: Record<string, unknown> | null; contextValue?: unknown }): Promise<{ refused: ExecutionResult } | { leave(): void }>;
}

/** What an HTTP header value may hold: visible ASCII, spaces and tabs. */
const HEADER_VALUE = /^[\t\x20-\x7e]*$/;

export function createSecurity(config: Config, logger: Logger, graphqlEndpoint: string): Security {
  const sec = config.security;
  // First: an AUDIT_LOG that cannot be opened stops start-up before anything else is opened.
  const audit = createAuditLog(sec.auditLog);
  const verdicts = createTokenVerdicts();
  const rateLimits = createRateLimits(config, (err) => logger.warn({ err: { message: err.message } }, 'rate limiter store error'));
  const authenticator = createAuthenticator(config, {
    authBlocked: (address) => rateLimits.authBlocked(address),
    authFailed: (address) => rateLimits.authFailed(address),
    verdicts,
    onFailure: ({ address, reason, mode }) => logger.warn({ address, reason, mode }, 'authentication failed'),
  });

  /** Open WebSocket connections and SSE streams per caller, on this replica. */
  const connections = new Map<string, number>();
  const openConnection = (callerId: string): boolean => {
    const n = connections.get(callerId) ?? 0;
    if (n >= sec.rateLimits.connectionsPerCaller) return false;
    connections.set(callerId, n + 1);
    return true;
  };
  const closeConnection = (callerId: string) => {
    const n = (connections.get(callerId) ?? 1) - 1;
    if (n <= 0) connections.delete(callerId);
    else connections.set(callerId, n);
  };

  const authenticate = (presented: Parameters<Authenticator['authenticate']>[0]) => authenticator.authenticate(presented);
  const refusal = (outcome: Exclude<AuthOutcome, { ok: true }>) =>
    outcome.code === 'RATE_LIMITED'
      ? rateLimited('failed authentications from this address', outcome.retryAfter)
      : requestRefused(`Not authenticated: ${outcome.reason}`, 'UNAUTHENTICATED', 401);

  /** Checks request parameters before parsing: document size, variables size and nesting (without recursion). */
  const paramsError = (query: unknown, variables: unknown): GraphQLError | null => {
    if (typeof query === 'string' && Buffer.byteLength(query) > sec.limits.maxDocumentBytes) {
      return limitExceeded(`The GraphQL document is ${Buffer.byteLength(query)} bytes; the limit is ${sec.limits.maxDocumentBytes}`, 'MAX_DOCUMENT_BYTES', 'DOCUMENT_TOO_LARGE', 413);
    }
    return variables == null ? null : checkVariables(variables, { maxVariablesBytes: sec.limits.maxVariablesBytes, maxDepth: config.limits.maxDepth });
  };

  /** Pass-through tokens whose verdict was unknown when their request was admitted. */
  const unverified = new WeakMap<Request, { scope: string; address: string }>();

  const admission: Plugin = {
    async onRequest({ request, url, serverContext, endResponse, fetchAPI }) {
      if (url.pathname !== graphqlEndpoint || request.method === 'OPTIONS') return;
      if (request.method === 'POST') {
        const type = (request.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
        if (!POST_MEDIA_TYPES.includes(type)) {
          endResponse(
            errorResponse(
              fetchAPI,
              requestRefused(`A GraphQL POST must have Content-Type ${POST_MEDIA_TYPES.join(' or ')} (got ${JSON.stringify(type || 'none')})`, 'UNSUPPORTED_MEDIA_TYPE', 415),
            ),
          );
          return;
        }
      }
      const req = (serverContext as { req?: IncomingMessage }).req;
      const address = clientAddress(req?.socket.remoteAddress, request.headers.get('x-forwarded-for'), sec.trustProxyHops);
      const emsToken = tokenOf({ request });
      const emsScope = scopeOf(resolveAuth(config, emsToken));
      const { bearer, apiKey } = credentialsOfHeaders(request.headers);
      const outcome = await authenticate({ bearer, apiKey, emsToken: emsToken?.trim() || null, emsScope, address });
      if (!outcome.ok) {
        endResponse(errorResponse(fetchAPI, refusal(outcome)));
        return;
      }
      const wait = await rateLimits.request(outcome.caller.id);
      if (wait !== null) {
        endResponse(errorResponse(fetchAPI, rateLimited('requests', wait)));
        return;
      }
      if ((request.headers.get('accept') ?? '').includes('text/event-stream')) {
        if (!openConnection(outcome.caller.id)) {
          endResponse(errorResponse(fetchAPI, rateLimited(`open connections (MAX_CONNECTIONS_PER_CALLER ${sec.rateLimits.connectionsPerCaller})`, 1)));
          return;
        }
        // The response closes when the stream ends or the client goes away.
        const res = (serverContext as { res?: ServerResponse }).res;
        if (res) res.once('close', () => closeConnection(outcome.caller.id));
        else closeConnection(outcome.caller.id);
      }
      if (outcome.caller.kind === 'token' && verdicts.get(emsScope) === 'unknown') unverified.set(request, { scope: emsScope, address });
      rememberCaller(request, outcome.caller, address);
    },
    onParams({ params }) {
      const error = paramsError(params.query, params.variables);
      if (error) throw error;
    },
    onResponse({ request }) {
      const pending = unverified.get(request);
      if (pending && verdicts.get(pending.scope) === 'refused') void authenticator.recordFailure(pending.address, 'EMS refused the token');
    },
  };

  /** Cost estimate and its limit, EMS-call rate limit, error cap, `extensions.cost` on every result. */
  const execution: Plugin = {
    onExecute: (payload) => {
      const { executeFn, setExecuteFn } = payload;
      setExecuteFn((args: any) => executeFn({ ...args, signal: withErrorCap(args) }));
      return guardExecution(payload);
    },
    onSubscribe: (payload) => {
      const { subscribeFn, setSubscribeFn } = payload;
      setSubscribeFn((args: any) => subscribeFn({ ...args, signal: withErrorCap(args) }));
      return guardExecution(payload);
    },
  };

  /** The execution's signal, also aborted when the request's field errors pass MAX_ERRORS. */
  function withErrorCap(args: { signal?: AbortSignal; contextValue?: unknown }): AbortSignal | undefined {
    const cap = (args.contextValue as Context | undefined)?.security?.cap;
    if (!cap) return args.signal;
    // The executor uses only what ErrorCap has of a signal (see src/security/error-cap.ts).
    return args.signal ? cap.joined(args.signal) : (cap as unknown as AbortSignal);
  }

  /** Cost estimates by operation: one schema and config per gateway, so the document and variables decide. */
  const estimates = operationMemo<number>();

  function estimateOf(args: any, operation: NonNullable<ReturnType<typeof getOperationAST>>): number {
    return estimates(args.document, args.operationName, args.variableValues, () => {
      const fragments = new Map<string, FragmentDefinitionNode>();
      for (const d of args.document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
      return estimateCost(args.schema, operation, fragments, args.variableValues, config);
    });
  }

  async function guardExecution({ args, setResultAndStopExecution }: { args: any; setResultAndStopExecution: (r: ExecutionResult) => void }): Promise<any> {
    const ctx = args.contextValue as Context;
    if (!ctx?.security) return undefined;
    const operation = getOperationAST(args.document, args.operationName);
    if (!operation) return undefined;
    const estimated = estimateOf(args, operation);
    ctx.security.estimatedCost = estimated;
    const made = () => (upstreamStarted(ctx) ? callsMade(ctx.ems) : 0);
    const cost = () => ({ estimated, actual: made() });
    if (estimated > sec.limits.maxOperationCost) {
      setResultAndStopExecution({ errors: [costError(estimated, sec.limits.maxOperationCost)], extensions: { cost: cost() } });
      return undefined;
    }
    const callerId = ctx.security.caller.id;
    const wait = await rateLimits.reserveEmsCalls(callerId, estimated);
    if (wait !== null) {
      setResultAndStopExecution({ errors: [rateLimited('EMS calls', wait)], extensions: { cost: cost() } });
      return undefined;
    }
    let settled = false;
    const settle = () => {
      if (settled) return;
      settled = true;
      void rateLimits.settleEmsCalls(callerId, estimated, made());
    };
    const finish = (result: ExecutionResult): ExecutionResult => {
      let errors = result.errors;
      const max = sec.limits.maxErrors;
      if (errors && errors.length > max) {
        errors = [...errors.slice(0, max), limitExceeded(`${errors.length - max} more errors were left out (MAX_ERRORS ${max})`, 'MAX_ERRORS', 'TOO_MANY_ERRORS')];
      }
      return { ...result, ...(errors ? { errors } : {}), extensions: { ...result.extensions, cost: cost() } };
    };
    const done = (result: any, setResult: (r: any) => void): any => {
      if (isAsyncIterable(result)) {
        return {
          onNext: ({ result: next, setResult: setNext }: any) => setNext(finish(next)),
          onEnd: settle,
        };
      }
      settle();
      setResult(finish(result));
      return undefined;
    };
    return {
      onExecuteDone: ({ result, setResult }: any) => done(result, setResult),
      onSubscribeResult: ({ result, setResult }: any) => done(result, setResult),
    };
  }

  const wsCallers = new WeakMap<object, { caller: Caller; address: string }>();
  const ws: WsSecurity = {
    async connect(request, connectionParams) {
      const address = clientAddress(request.socket.remoteAddress, request.headers['x-forwarded-for']?.toString() ?? null, sec.trustProxyHops);
      const emsToken = tokenOf({ connectionParams: connectionParams ?? null })?.trim() || null;
      const auth = resolveAuth(config, emsToken);
      const emsScope = scopeOf(auth);
      const outcome = await authenticate({ ...credentialsOfConnectionParams(connectionParams), emsToken, emsScope, address });
      if (!outcome.ok) return outcome.code === 'RATE_LIMITED' ? { close: 4429, reason: 'Too many failed authentications' } : { close: 4403, reason: 'Forbidden' };
      // A per-region token (authTokens) that no HTTP header can carry is refused here, as the main token is,
      // rather than failing its region on every operation.
      const regionNames = config.ems.regions?.map((r) => r.name) ?? [];
      if ([...regionTokensOf({ connectionParams: connectionParams ?? null }, regionNames).values()].some((token) => !HEADER_VALUE.test(token))) {
        await authenticator.recordFailure(address, 'a per-region token holds characters no HTTP header can carry');
        return { close: 4403, reason: 'Forbidden' };
      }
      // A pass-through token is checked with EMS once per connection (cached for a minute).
      if (auth.kind === 'token' && emsToken) {
        const verdict = await verdicts.check(auth, emsScope);
        if (verdict === 'unavailable') return { close: 1013, reason: 'EMS unreachable, cannot check the token; try again later' };
        if (verdict === 'refused') {
          await authenticator.recordFailure(address, 'EMS refused the token');
          return { close: 4403, reason: 'Forbidden' };
        }
      }
      if (!openConnection(outcome.caller.id)) return { close: 4429, reason: 'Too many connections for this caller' };
      return { caller: outcome.caller, address };
    },
    async admit(socket, active, params) {
      const entry = wsCallers.get(socket);
      if (!entry) return [requestRefused('Not authenticated', 'UNAUTHENTICATED', 401)];
      if (active > sec.rateLimits.subscriptionsPerConnection) {
        return [rateLimited(`operations on this connection (MAX_SUBSCRIPTIONS_PER_CONNECTION ${sec.rateLimits.subscriptionsPerConnection})`, 1)];
      }
      const error = paramsError(params.query, params.variables);
      if (error) return [error];
      const wait = await rateLimits.request(entry.caller.id);
      if (wait !== null) return [rateLimited('requests', wait)];
      return null;
    },
    callerOf(socket) {
      return wsCallers.get(socket);
    },
    async joinShared(args) {
      const ctx = args.contextValue as Context;
      const operation = getOperationAST(args.document, args.operationName);
      if (!ctx?.security || !operation) return { leave() {} };
      const estimated = estimateOf(args, operation);
      ctx.security.estimatedCost = estimated;
      const cost = { estimated, actual: 0 };
      if (estimated > sec.limits.maxOperationCost) return { refused: { errors: [costError(estimated, sec.limits.maxOperationCost)], extensions: { cost } } };
      const callerId = ctx.security.caller.id;
      const wait = await rateLimits.reserveEmsCalls(callerId, estimated);
      if (wait !== null) return { refused: { errors: [rateLimited('EMS calls', wait)], extensions: { cost } } };
      return { leave: () => void rateLimits.settleEmsCalls(callerId, estimated, 0) };
    },
  };
  const connect = ws.connect;
  ws.connect = async (request, params) => {
    const result = await connect(request, params);
    if ('caller' in result) {
      const socket = request.socket;
      wsCallers.set(socket, result);
      socket.once('close', () => closeConnection(result.caller.id));
    }
    return result;
  };

  const caches = parseCaches(sec.limits.parseCacheBytes);
  const plugins: Plugin[] = [
    admission,
    // The document, the variables and the JSON around them.
    limitRequestBody(sec.limits.maxDocumentBytes + sec.limits.maxVariablesBytes + 16 * 1024, sec.http.bodyTimeoutMs),
    useCSRFPrevention({ requestHeaders: CSRF_HEADERS }),
    ...documentLimits(config, caches ? caches.documentCache : null),
    ...(sec.introspection ? [] : [useDisableIntrospection() as Plugin]),
  ];

  return {
    verdicts,
    authenticator,
    rateLimits,
    audit,
    yogaOptions: {
      // Always a function, so that yoga answers every preflight (OPTIONS) with 204; an origin not in
      // CORS_ORIGINS (every origin when it is empty) gets no CORS header, so the browser refuses the
      // cross-site request itself (Fetch standard, "CORS check").
      cors: (request) => {
        const origin = request.headers.get('origin');
        if (!origin || !sec.corsOrigins.includes(origin)) return false;
        return {
          origin: [origin],
          credentials: true,
          methods: ['GET', 'POST'],
          allowedHeaders: ['content-type', 'accept', ...CSRF_HEADERS],
          maxAge: 600,
        };
      },
      parserAndValidationCache: caches,
      maxRequestBodySize: false,
      multipart: false,
    },
    plugins,
    execution,
    ws,
    serverOptions: {
      headersTimeout: sec.http.headersTimeoutMs,
      requestTimeout: sec.http.bodyTimeoutMs,
      keepAliveTimeout: sec.http.keepAliveTimeoutMs,
      // Node checks the two timeouts above on this interval (default 30 s).
      connectionsCheckingInterval: Math.min(1_000, sec.http.headersTimeoutMs),
    },
    applyServerLimits(server) {
      server.maxConnections = sec.http.maxConnections;
      server.maxHeadersCount = 100;
    },
    async close() {
      await rateLimits.close();
      await audit.close();
    },
  };
}
