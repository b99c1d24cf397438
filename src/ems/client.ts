import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { BrokenCircuitError, CircuitState, SamplingBreaker, circuitBreaker, handleWhen, type CircuitBreakerPolicy } from 'cockatiel';
import type { Logger } from 'pino';
import { Pool, type Dispatcher } from 'undici';
import type { EmsApi, EmsAuth, EmsCallOptions, EmsOperation } from './api.js';
import { authHeaderProblem, authHeaders, firstHeader, retryPolicy, retryReads } from './client-interceptors.js';
import { httpError, isRereadable, parseJson, readBody, retryAfterSeconds, transportError, type CallFacts } from './client-response.js';
import { EmsError, EmsHttpError, EmsInvalidRequestError, EmsNetworkError, EmsTimeoutError } from './errors.js';
import type { EmsNodeNameListRequest } from './models/index.js';
import { ROOT_CONTEXT } from '@opentelemetry/api';
import { failSpan, SpanKind, trace, type Telemetry } from '../telemetry.js';
import { ReadCut } from './read-cut.js';
import {
  WireReader,
  readCancelJobsAccepted,
  readClusterJobAccepted,
  readCredentialAccepted,
  readJobAccepted,
  readListClusters,
  readListFeatures,
  readListJobs,
  readListLabels,
  readListReleases,
  readShowCluster,
  readShowCredentials,
  readShowJob,
  type Deviation,
} from './read/index.js';

/** What `onCall` receives after every operation. */
export interface EmsCallEvent {
  operation: EmsOperation;
  method: string;
  /** Status of the final response, or null when none arrived. */
  status: number | null;
  /** From the operation's start to its result, retries and body parsing included. */
  durationMs: number;
  /** `X-Request-Id` of the final response, or null. */
  requestId: string | null;
  /** Set when the operation failed. */
  error?: EmsError;
  /** The logger of the request the call served, when it gave one (a function makes it when called). */
  logger?: Logger | (() => Logger);
  /**
   * Set when the operation failed because its caller aborted it (a subscriber gone, a client that
   * went away, shutdown), not by a deadline: it says nothing about EMS.
   */
  abandoned?: boolean;
}

export interface EmsClientOptions {
  /** Base URL of EMS, http or https, may include a path prefix (`https://host/prefix`). */
  endpoint: string;
  /** Sent as `X-Project-Id` on every request (and signed, with AK/SK). @default null */
  projectId?: string | null;
  /**
   * Per attempt: the most time to wait for response headers, and for each further chunk of the body.
   * @default 10_000
   */
  requestTimeoutMs?: number;
  /** Per attempt: the most time to wait for a TCP (and TLS) connection. @default 5_000 */
  connectTimeoutMs?: number;
  /**
   * Retries of idempotent reads (GET) only, on network errors, timeouts, 429/502/503/504, honouring
   * `Retry-After` (capped at `retryMaxDelayMs`). POST and DELETE are never retried.
   * @default 2
   */
  maxRetries?: number;
  /** Delay before the first retry; it doubles with each further one, plus up to 50% jitter. @default 200 */
  retryMinDelayMs?: number;
  /** Cap on any retry delay, `Retry-After` included. @default 5_000 */
  retryMaxDelayMs?: number;
  /** Keep-alive connections per origin. @default 32 */
  connections?: number;
  /** Largest response body read; a bigger one is an `EmsBadResponseError`. @default 33_554_432 (32 MiB) */
  maxResponseBytes?: number;
  /** Clock that dates AK/SK signatures (`X-Sdk-Date`). @default () => new Date() */
  now?: () => Date;
  /**
   * Called after every operation (success or failure), for metrics and logs. Not called for
   * `ping`. Whatever it throws is ignored.
   */
  onCall?: (e: EmsCallEvent) => void;
  /**
   * Stops sending to an EMS that is down (cockatiel's SamplingBreaker): when, over the last
   * `windowMs`, at least `minCalls` calls ended and `threshold` of them failed by outage (no
   * response, timeout, 502/503/504, or still no answer after `slowCallMs`: a stall counts before
   * the call times out), the circuit opens. Reads in flight are then cut short, and every call fails
   * at once with an `EmsNetworkError` (not sent, `retryAfter` set). Every `halfOpenAfterMs` the next
   * call probes EMS (the others are still refused while it runs), and the first probe that succeeds
   * closes the circuit. A slow call counted as a failure still returns its answer to its caller.
   * null = no breaker.
   * @default null
   */
  circuitBreaker?: CircuitBreakerOptions | null;
  /** Told when the circuit opens (EMS considered down) and closes again. */
  onCircuitChange?: (state: 'open' | 'closed') => void;
  /**
   * Called for every kind of tolerated deviation found in a 2xx body (see src/ems/read), once per
   * response and (field, kind), with its count there. Whatever it throws is ignored.
   */
  onDeviation?: (deviation: Deviation) => void;
  /** Spans per call and `traceparent` upstream. @default none (no spans, no traceparent unless given a trace context) */
  telemetry?: Telemetry;
}

export interface CircuitBreakerOptions {
  /** Failure rate, in (0, 1), over the window that opens the circuit. */
  threshold: number;
  windowMs: number;
  /** Calls that must have ended in the window before its rate counts. */
  minCalls: number;
  halfOpenAfterMs: number;
  slowCallMs: number;
}

export interface EmsClient {
  /** The operations bound to one caller's credentials; cheap, shares the pool. */
  forAuth(auth: EmsAuth): EmsApi;
  /**
   * Probes EMS for /readyz with one unretried `GET /v1/releases?limit=1`: true if EMS answered at
   * all (any status < 500), false otherwise. Never rejects.
   */
  ping(auth: EmsAuth, opts?: { signal?: AbortSignal }): Promise<boolean>;
  /** Stops accepting calls (they fail with `EmsNetworkError`), lets in-flight ones finish, closes the sockets. */
  close(): Promise<void>;
}

type Method = 'GET' | 'POST' | 'DELETE';
type Query = Record<string, string | number | null | undefined>;

/** One EMS call, as the operations below describe it. */
interface EmsRequest<T> {
  operation: EmsOperation;
  method: Method;
  /** Path below the endpoint, already encoded (see {@link path}). */
  path: string;
  query?: Query | undefined;
  body?: unknown;
  /**
   * Reads a 2xx body (see src/ems/read); null when the body is ignored (204). A read rejects a
   * body it cannot read before this is called; a write is accepted once EMS answered 2xx, so its
   * reader also gets the body's `problem` (not JSON, cut off) and must still return.
   */
  read: ((json: unknown, wire: WireReader, problem: string | null) => T) | null;
}

/** How many credentials' bound APIs are kept for reuse. */
const BOUND_API_CACHE_SIZE = 1024;

const DEFAULTS = {
  requestTimeoutMs: 10_000,
  connectTimeoutMs: 5_000,
  maxRetries: 2,
  retryMinDelayMs: 200,
  retryMaxDelayMs: 5_000,
  connections: 32,
  maxResponseBytes: 32 * 1024 * 1024,
};

/** Operations whose bodies carry secrets (cdKeys): no excerpt or value is quoted in their errors. */
const SENSITIVE: ReadonlySet<EmsOperation> = new Set(['CreateCredentialInfo', 'ShowCredentialInfo']);

/**
 * Creates the EMS client: one keep-alive undici `Pool` for the endpoint's origin, composed per
 * caller with the auth interceptor (innermost, so every attempt is signed afresh) and the retry
 * interceptor (GET only).
 *
 * @throws TypeError when an option is invalid (the message names the option and the bad value).
 */
export function createEmsClient(options: EmsClientOptions): EmsClient {
  const cfg = resolveOptions(options);
  const pool = new Pool(cfg.origin, {
    connections: cfg.connections,
    connect: { timeout: cfg.connectTimeoutMs },
  });
  const retry = retryReads();
  const originHost = new URL(cfg.origin).hostname;
  let closed = false;
  let closing: Promise<void> | null = null;
  const breaker = createBreaker(cfg.circuitBreaker, options.onCircuitChange, () => closed);

  function dispatcherFor(auth: EmsAuth): Dispatcher {
    return pool.compose(authHeaders(auth, { origin: cfg.origin, projectId: cfg.projectId, now: cfg.now }), retry);
  }

  function report(event: EmsCallEvent): void {
    try {
      options.onCall?.(event);
    } catch {
      // A metrics or logging hook must not change the outcome of a call.
    }
  }

  /** Reads in flight, cut short when the circuit opens. */
  const inflightReads = new Set<ReadCut>();
  if (breaker) {
    breaker.onBreak(() => {
      for (const cut of inflightReads) cut.stop(CIRCUIT_OPENED);
    });
  }

  /** Runs one operation end to end; resolves to the parsed body or rejects with an EmsError. */
  async function execute<T>(dispatcher: Dispatcher, auth: EmsAuth, req: EmsRequest<T>, opts: EmsCallOptions | undefined): Promise<T> {
    const started = performance.now();
    const read = req.method === 'GET';
    const callerSignal = opts?.signal;
    // Aborted by the circuit opening or by the caller's signal, whichever comes first.
    const cut = read && breaker ? new ReadCut(callerSignal) : null;
    const signal = cut ? (cut as unknown as AbortSignal) : callerSignal;
    const facts: CallFacts = {
      operation: req.operation,
      status: null,
      requestId: null,
      attempts: 1,
      requestTimeoutMs: cfg.requestTimeoutMs,
      connectTimeoutMs: cfg.connectTimeoutMs,
      signal,
      sensitive: SENSITIVE.has(req.operation),
    };
    const telemetry = options.telemetry;
    const span = telemetry && (telemetry.tracer || opts?.traceContext)
      ? telemetry.startSpan(
          `EMS ${req.operation}`,
          // With tracing off the span only carries ids (traceparent upstream): no attributes to make.
          telemetry.tracer ? { kind: SpanKind.CLIENT, attributes: { 'http.request.method': req.method, 'ems.operation': req.operation, 'server.address': originHost } } : CLIENT_SPAN,
          opts?.traceContext ?? ROOT_TRACE_CONTEXT,
        )
      : null;
    const headers: Record<string, string> = {};
    if (span) options.telemetry!.inject(trace.setSpan(opts?.traceContext ?? ROOT_TRACE_CONTEXT, span), headers);
    const event = (): EmsCallEvent => ({
      operation: req.operation,
      method: req.method,
      status: facts.status,
      durationMs: performance.now() - started,
      requestId: facts.requestId,
      ...(opts?.logger ? { logger: opts.logger } : {}),
    });
    const attempt = async () => {
      try {
        return await exchangeRereading(dispatcher, req, facts, headers);
      } catch (e) {
        if (cut?.cutShort && !callerSignal?.aborted) throw circuitOpenError(req.operation, cfg.circuitBreaker!, true);
        const error = redact(transportError(e, facts), auth);
        if (facts.signal?.aborted) callerAborted.add(error);
        throw error;
      }
    };
    if (cut) inflightReads.add(cut);
    try {
      const value = breaker ? await guarded(breaker, attempt, cfg.circuitBreaker!.slowCallMs) : await attempt();
      report(event());
      if (span?.isRecording()) span.setAttributes({ 'http.response.status_code': facts.status ?? 0, 'ems.request_id': facts.requestId ?? '', 'ems.attempts': facts.attempts });
      return value;
    } catch (e) {
      const error = e instanceof BrokenCircuitError ? circuitOpenError(req.operation, cfg.circuitBreaker!, false) : (e as EmsError);
      report({ ...event(), error, ...(callerAborted.has(error) && !(error instanceof EmsTimeoutError) ? { abandoned: true } : {}) });
      if (span) {
        span.setAttributes({ 'ems.request_id': facts.requestId ?? '', 'ems.attempts': facts.attempts });
        if (facts.status !== null) span.setAttribute('http.response.status_code', facts.status);
        failSpan(span, error, error.code);
      }
      throw error;
    } finally {
      if (cut) inflightReads.delete(cut);
      span?.end();
    }
  }

  /**
   * `exchange`, and for a GET whose body came back truncated or unparsable, the same GET again
   * (like a reset, up to `maxRetries` times, with the same back-off): the answer was lost on the way.
   */
  async function exchangeRereading<T>(dispatcher: Dispatcher, req: EmsRequest<T>, facts: CallFacts, extraHeaders: Record<string, string>): Promise<T> {
    for (let retry = 0; ; retry++) {
      try {
        return await exchange(dispatcher, req, facts, extraHeaders);
      } catch (error) {
        if (req.method !== 'GET' || retry >= cfg.maxRetries || !isRereadable(error) || facts.signal?.aborted || closed) throw error;
        const delayMs = Math.min(cfg.retryMaxDelayMs, cfg.retryMinDelayMs * 2 ** retry * (1 + Math.random() / 2));
        await sleep(delayMs, undefined, facts.signal ? { signal: facts.signal } : undefined).catch(() => {
          throw error;
        });
        facts.attempts += 1;
      }
    }
  }

  async function exchange<T>(dispatcher: Dispatcher, req: EmsRequest<T>, facts: CallFacts, extraHeaders: Record<string, string>): Promise<T> {
    if (closed) throw new EmsNetworkError(`EMS ${req.operation} was not sent: the EMS client is closed`, { operation: req.operation, sent: false });
    let settled = false;
    const headers: Record<string, string> = {
      accept: 'application/json',
      'content-type': 'application/json;charset=utf-8',
      ...extraHeaders,
    };
    const body = req.body === undefined ? null : JSON.stringify(req.body);
    const request: Dispatcher.RequestOptions & { retryOptions?: { retry: ReturnType<typeof retryPolicy> } } = {
      method: req.method,
      path: cfg.basePath + req.path + queryString(req.query),
      headers,
      body,
      signal: facts.signal ?? null,
      headersTimeout: cfg.requestTimeoutMs,
      bodyTimeout: cfg.requestTimeoutMs,
    };
    if (req.method === 'GET') {
      request.retryOptions = {
        retry: retryPolicy({
          maxRetries: cfg.maxRetries,
          minDelayMs: cfg.retryMinDelayMs,
          maxDelayMs: cfg.retryMaxDelayMs,
          signal: facts.signal,
          settled: () => settled || closed,
          onRetry: (attempt) => {
            facts.attempts = attempt;
          },
        }),
      };
    }

    const res = await dispatcher.request(request);
    // From here the body is ours: a failure while reading it is reported, never retried.
    settled = true;
    facts.status = res.statusCode;
    facts.requestId = firstHeader(res.headers['x-request-id']) ?? null;
    const ok = res.statusCode >= 200 && res.statusCode < 300;
    const read = () => readBody(res.body as Readable, cfg.maxResponseBytes, firstHeader(res.headers['content-length']), facts);
    if (!ok) throw httpError(await read(), { ...facts, status: res.statusCode }, retryAfterSeconds(firstHeader(res.headers['retry-after'])));
    if (req.read === null) {
      await res.body.dump().catch(() => undefined);
      return undefined as T;
    }
    const wire = new WireReader(req.operation, facts.requestId, facts.sensitive, facts.status);
    let json: unknown;
    let problem: string | null = null;
    try {
      json = parseJson(await read(), facts);
    } catch (e) {
      // EMS accepted the write: a body we cannot read does not undo it.
      if (req.method === 'GET' || !(e instanceof EmsError)) throw e;
      problem = e.message;
    }
    const value = req.read(json, wire, problem);
    for (const deviation of wire.deviations()) {
      try {
        options.onDeviation?.(deviation);
      } catch {
        // A metrics or logging hook must not change the outcome of a call.
      }
    }
    return value;
  }

  /**
   * Bound APIs by credentials, most recently used last. Subscriptions hold one for their whole life
   * and every request asks for one, so callers with the same credentials share it.
   */
  const bound = new Map<string, EmsApi>();

  function forAuth(auth: EmsAuth): EmsApi {
    const key =
      auth.kind === 'token' ? `t\0${auth.token}` : auth.kind === 'aksk' ? `s\0${auth.ak}\0${auth.sk}\0${auth.securityToken ?? ''}` : 'n';
    let api = bound.get(key);
    if (api) {
      bound.delete(key);
    } else {
      api = bind(auth);
      if (bound.size >= BOUND_API_CACHE_SIZE) bound.delete(bound.keys().next().value!);
    }
    bound.set(key, api);
    return api;
  }

  function bind(auth: EmsAuth): EmsApi {
    const dispatcher = dispatcherFor(auth);
    /** Refuses the call before sending when it cannot form a valid request (bad path id or credentials). */
    const refuse = (operation: EmsOperation, method: Method, error: EmsInvalidRequestError): Promise<never> => {
      report({ operation, method, status: null, durationMs: 0, requestId: null, error });
      return Promise.reject(error);
    };
    // Checked once per credentials: refused here, such a call never counts as an EMS outage.
    const authProblem = authHeaderProblem(auth);
    const run = <T>(req: EmsRequest<T>, opts?: EmsCallOptions): Promise<T> =>
      authProblem === null
        ? execute(dispatcher, auth, req, opts)
        : refuse(req.operation, req.method, new EmsInvalidRequestError(`EMS ${req.operation} was not sent: ${authProblem}`, { operation: req.operation }));
    /** A call whose path carries an id: refused before sending when the id is empty (it would address another resource). */
    const withId = <T>(name: string, id: string, build: (segment: string) => EmsRequest<T>, opts?: EmsCallOptions): Promise<T> => {
      if (typeof id !== 'string' || id === '') {
        const { operation, method } = build('');
        const error = new EmsInvalidRequestError(`EMS ${operation} was not sent: ${name} must be a non-empty string, got ${JSON.stringify(id) ?? String(id)}`, {
          operation,
        });
        return refuse(operation, method, error);
      }
      return run(build(segment(id)), opts);
    };

    /** ExpandCluster and ShrinkCluster: the same request to `/v1/clusters/{id}/<action>`. */
    const nodeChange = (
      operation: 'ExpandCluster' | 'ShrinkCluster',
      action: 'expand' | 'shrink',
      clusterId: string,
      body: EmsNodeNameListRequest,
      opts?: EmsCallOptions,
    ) => withId('clusterId', clusterId, (id) => ({ operation, method: 'POST', path: `/v1/clusters/${id}/${action}`, body, read: readJobAccepted }), opts);

    return {
      listReleases: (page, opts) =>
        run(
          { operation: 'ListReleases', method: 'GET', path: '/v1/releases', query: { limit: page?.limit, offset: page?.offset }, read: readListReleases },
          opts,
        ),
      listFeatures: (page, opts) =>
        run(
          { operation: 'ListFeatures', method: 'GET', path: '/v1/features', query: { limit: page?.limit, offset: page?.offset }, read: readListFeatures },
          opts,
        ),
      listClusterLabels: (query, opts) =>
        run(
          {
            operation: 'ListClustersLabels',
            method: 'GET',
            path: '/v1/clusters/labels',
            query: { k8s_cluster_id: query.k8sClusterId, limit: query.limit, offset: query.offset },
            read: readListLabels,
          },
          opts,
        ),
      createCluster: (body, opts) =>
        run({ operation: 'CreateCluster', method: 'POST', path: '/v1/clusters', body, read: readClusterJobAccepted }, opts),
      listClusters: (page, opts) =>
        run(
          { operation: 'ListClusters', method: 'GET', path: '/v1/clusters', query: { limit: page?.limit, offset: page?.offset }, read: readListClusters },
          opts,
        ),
      showCluster: (clusterId, opts) =>
        withId('clusterId', clusterId, (id) => ({ operation: 'ShowCluster', method: 'GET', path: `/v1/clusters/${id}`, read: readShowCluster }), opts),
      deleteCluster: (clusterId, opts) =>
        withId('clusterId', clusterId, (id) => ({ operation: 'DeleteClusterById', method: 'DELETE', path: `/v1/clusters/${id}`, read: readJobAccepted }), opts),
      authorizeCluster: (clusterId, opts) =>
        withId('clusterId', clusterId, (id): EmsRequest<void> => ({ operation: 'AuthorizeCluster', method: 'POST', path: `/v1/clusters/${id}/authorization`, read: null }), opts),
      enrollCluster: (body, opts) =>
        run({ operation: 'EnrollCluster', method: 'POST', path: '/v1/clusters/enroll', body, read: readClusterJobAccepted }, opts),
      expandCluster: (clusterId, body, opts) => nodeChange('ExpandCluster', 'expand', clusterId, body, opts),
      shrinkCluster: (clusterId, body, opts) => nodeChange('ShrinkCluster', 'shrink', clusterId, body, opts),
      createCredential: (projectId, opts) =>
        withId('projectId', projectId, (id) => ({ operation: 'CreateCredentialInfo', method: 'POST', path: `/v1/ems/${id}/credentials`, read: readCredentialAccepted }), opts),
      showCredentials: (projectId, opts) =>
        withId('projectId', projectId, (id) => ({ operation: 'ShowCredentialInfo', method: 'GET', path: `/v1/ems/${id}/credentials`, read: readShowCredentials }), opts),
      listJobs: (query, opts) =>
        run(
          {
            operation: 'ListJobs',
            method: 'GET',
            path: '/v1/jobs',
            query: { limit: query?.limit, offset: query?.offset, job_type: query?.jobType },
            read: readListJobs(query?.jobType ?? 'short'),
          },
          opts,
        ),
      showJob: (jobId, opts) =>
        withId('jobId', jobId, (id) => ({ operation: 'ShowJob', method: 'GET', path: `/v1/jobs/${id}`, read: readShowJob }), opts),
      cancelJobs: (body, opts) =>
        run({ operation: 'CancelJobs', method: 'POST', path: '/v1/jobs/cancel', body, read: readCancelJobsAccepted }, opts),
    };
  }

  return {
    forAuth,

    async ping(auth, opts) {
      if (closed) return false;
      try {
        const res = await dispatcherFor(auth).request({
          method: 'GET',
          path: `${cfg.basePath}/v1/releases?limit=1`,
          headers: { accept: 'application/json', 'content-type': 'application/json;charset=utf-8' },
          signal: opts?.signal ?? null,
          headersTimeout: cfg.requestTimeoutMs,
          bodyTimeout: cfg.requestTimeoutMs,
          retryOptions: { retry: (err: Error, _ctx: unknown, cb: (e: Error | null) => void) => cb(err) },
        } as Dispatcher.RequestOptions);
        await res.body.dump().catch(() => undefined);
        return res.statusCode < 500;
      } catch {
        return false;
      }
    },

    close() {
      closed = true;
      closing ??= pool.close().catch(() => undefined);
      return closing;
    },
  };
}

const ROOT_TRACE_CONTEXT = ROOT_CONTEXT;
const CLIENT_SPAN = { kind: SpanKind.CLIENT };

/** Failures the caller caused by aborting: they say nothing of EMS's health. */
const callerAborted = new WeakSet<EmsError>();

/** Errors that say EMS is down or unreachable, as opposed to EMS refusing one request. */
function isOutage(error: unknown, closed: () => boolean): boolean {
  if (error instanceof EmsError && callerAborted.has(error)) return false;
  if (error instanceof EmsTimeoutError) return true;
  if (error instanceof EmsNetworkError) return !closed();
  return error instanceof EmsHttpError && error.status !== null && error.status >= 502 && error.status <= 504;
}

/** The abort reason of reads cut short because the circuit opened. */
const CIRCUIT_OPENED = new Error('the EMS circuit opened');

/** Counts a call still unanswered after `slowCallMs` as a failure of the breaker. */
class SlowCallError extends Error {}

/**
 * Runs `attempt` through the breaker. A call unanswered after `slowMs` is recorded as a failure at
 * that moment (a stall opens the circuit long before calls time out), while its caller still gets
 * the call's real outcome.
 */
async function guarded<T>(breaker: CircuitBreakerPolicy, attempt: () => Promise<T>, slowMs: number): Promise<T> {
  // While a probe is out, other calls are refused at once (cockatiel would hold them until it ends).
  if (breaker.state === CircuitState.HalfOpen) throw new BrokenCircuitError();
  let call: Promise<T> | null = null;
  try {
    return await breaker.execute(
      () =>
        new Promise<T>((resolve, reject) => {
          const running = attempt();
          call = running;
          const timer = setTimeout(() => reject(new SlowCallError()), slowMs);
          running.then(
            (value) => {
              clearTimeout(timer);
              resolve(value);
            },
            (error: unknown) => {
              clearTimeout(timer);
              reject(error);
            },
          );
        }),
    );
  } catch (error) {
    if (error instanceof SlowCallError && call) return await call;
    throw error;
  }
}

function createBreaker(
  settings: ResolvedOptions['circuitBreaker'],
  onChange: EmsClientOptions['onCircuitChange'],
  closed: () => boolean,
): CircuitBreakerPolicy | null {
  if (!settings) return null;
  const policy = circuitBreaker(
    handleWhen((error) => error instanceof SlowCallError || isOutage(error, closed)),
    {
      halfOpenAfter: settings.halfOpenAfterMs,
      breaker: new SamplingBreaker({
        threshold: settings.threshold,
        duration: settings.windowMs,
        minimumRps: settings.minCalls / (settings.windowMs / 1000),
      }),
    },
  );
  policy.onBreak(() => onChange?.('open'));
  policy.onReset(() => onChange?.('closed'));
  return policy;
}

function circuitOpenError(operation: EmsOperation, settings: NonNullable<ResolvedOptions['circuitBreaker']>, inFlight: boolean): EmsNetworkError {
  const why = `EMS looks down (over ${Math.round(settings.threshold * 100)}% of calls in the last ${settings.windowMs} ms failed or stalled)`;
  return new EmsNetworkError(
    inFlight
      ? `EMS ${operation} was cut short: ${why}; calls are refused until a probe succeeds`
      : `EMS ${operation} was not sent: ${why}; calls are refused until a probe succeeds (the first after ${settings.halfOpenAfterMs} ms)`,
    { operation, sent: inFlight, retryAfter: Math.ceil(settings.halfOpenAfterMs / 1000) },
  );
}

interface ResolvedOptions {
  origin: string;
  /** Endpoint path without its trailing `/` ("" for none), prefixed to every request path. */
  basePath: string;
  projectId: string | null;
  requestTimeoutMs: number;
  connectTimeoutMs: number;
  maxRetries: number;
  retryMinDelayMs: number;
  retryMaxDelayMs: number;
  connections: number;
  maxResponseBytes: number;
  now: () => Date;
  circuitBreaker: CircuitBreakerOptions | null;
}

function resolveOptions(options: EmsClientOptions): ResolvedOptions {
  let url: URL;
  try {
    url = new URL(options.endpoint);
  } catch {
    throw new TypeError(`EMS endpoint must be an absolute http(s) URL, got ${JSON.stringify(options.endpoint)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`EMS endpoint must use http or https, got ${JSON.stringify(url.protocol)} in ${JSON.stringify(options.endpoint)}`);
  }
  if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    throw new TypeError(`EMS endpoint must not carry a query, fragment or credentials, got ${JSON.stringify(url.origin + url.pathname + '…')}`);
  }
  const count = (name: keyof typeof DEFAULTS, min: number): number => {
    const value = options[name] ?? DEFAULTS[name];
    if (!Number.isInteger(value) || value < min) {
      throw new TypeError(`EMS client option ${name} must be an integer >= ${min}, got ${String(value)}`);
    }
    return value;
  };
  const resolved: ResolvedOptions = {
    origin: url.origin,
    basePath: url.pathname.replace(/\/+$/, ''),
    projectId: options.projectId || null,
    requestTimeoutMs: count('requestTimeoutMs', 1),
    connectTimeoutMs: count('connectTimeoutMs', 1),
    maxRetries: count('maxRetries', 0),
    retryMinDelayMs: count('retryMinDelayMs', 0),
    retryMaxDelayMs: count('retryMaxDelayMs', 0),
    connections: count('connections', 1),
    maxResponseBytes: count('maxResponseBytes', 0),
    now: options.now ?? (() => new Date()),
    circuitBreaker: options.circuitBreaker ?? null,
  };
  const cb = resolved.circuitBreaker;
  if (
    cb &&
    (!(cb.threshold > 0 && cb.threshold < 1) ||
      ![cb.windowMs, cb.minCalls, cb.halfOpenAfterMs, cb.slowCallMs].every((n) => Number.isInteger(n) && n >= 1))
  ) {
    throw new TypeError(
      `EMS client option circuitBreaker needs threshold in (0, 1) and integers windowMs, minCalls, halfOpenAfterMs, slowCallMs >= 1, got ${JSON.stringify(cb)}`,
    );
  }
  if (resolved.retryMaxDelayMs < resolved.retryMinDelayMs) {
    throw new TypeError(
      `EMS client option retryMaxDelayMs must be >= retryMinDelayMs (${resolved.retryMinDelayMs}), got ${resolved.retryMaxDelayMs}`,
    );
  }
  return resolved;
}

/**
 * One path segment, percent-encoded; `.` is encoded too so that an id of `.` or `..` cannot become
 * a dot-segment that a server would resolve to another resource.
 */
function segment(id: string): string {
  return id === '.' || id === '..' ? id.replace(/\./g, '%2E') : encodeURIComponent(id);
}

/** `?a=1&b=x` from the defined (not null or undefined) values of `query`, in the given order. */
function queryString(query: Query | undefined): string {
  if (!query) return '';
  const pairs: string[] = [];
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue;
    pairs.push(`${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`);
  }
  return pairs.length === 0 ? '' : `?${pairs.join('&')}`;
}

/** Removes the caller's secrets from an error message, should EMS ever echo them. */
function redact(error: EmsError, auth: EmsAuth): EmsError {
  const secrets =
    auth.kind === 'token' ? [auth.token] : auth.kind === 'aksk' ? [auth.sk, auth.securityToken ?? ''] : [];
  for (const secret of secrets) {
    if (secret.length >= 4 && error.message.includes(secret)) error.message = error.message.split(secret).join('[redacted]');
  }
  return error;
}
