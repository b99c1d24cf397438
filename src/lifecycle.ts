import { setTimeout as sleep } from 'node:timers/promises';
import { GraphQLError, getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Context } from './context.js';
import { requestIdOf } from './context.js';
import type { ErrorExtensions } from './errors.js';
import { failSpan } from './telemetry.js';

/**
 * What a request goes through besides GraphQL: its id (`X-Request-Id`, echoed), its span (one per
 * GraphQL operation, named after it), a log line when it ends, and the gateway's drain: once
 * shutdown begins, new requests are refused (503 SHUTTING_DOWN, retryable, `Connection: close`)
 * while those already in flight run to their end.
 */
export class RequestLifecycle {
  /** True from the start of shutdown: /readyz answers 503, new operations are refused. */
  draining = false;
  private readonly inflight = new Set<object>();
  private idle: (() => void) | null = null;

  /** Operations (HTTP requests, and queries or mutations over WebSocket) not finished yet. */
  get inFlight(): number {
    return this.inflight.size;
  }

  /** Resolves once nothing is in flight, or after `ms` (to true when drained). */
  async drained(ms: number): Promise<boolean> {
    if (this.inflight.size === 0) return true;
    const done = new Promise<true>((resolve) => (this.idle = () => resolve(true)));
    const timeout = new AbortController();
    return Promise.race([done, sleep(ms, false, { signal: timeout.signal }).catch(() => false)]).finally(() => timeout.abort());
  }

  private begin(token: object): void {
    this.inflight.add(token);
  }

  private end(token: object): void {
    if (!this.inflight.delete(token)) return;
    if (this.inflight.size === 0 && this.idle) {
      const idle = this.idle;
      this.idle = null;
      idle();
    }
  }

  /** The yoga plugin doing all of the above. `drains` tells the paths refused while draining and waited for (the GraphQL endpoint). */
  plugin(drains: (pathname: string) => boolean): Plugin<Context> {
    const requests = new WeakSet<Request>();
    return {
      onRequest: ({ request, url, endResponse }) => {
        if (!drains(url.pathname)) return;
        if (this.draining) {
          const extensions: ErrorExtensions = { code: 'SHUTTING_DOWN', upstreamCode: null, requestId: null, retryable: true };
          endResponse(
            Response.json(
              { errors: [{ message: 'This gateway instance is shutting down; retry the request (another instance will serve it)', extensions }] },
              { status: 503, headers: { connection: 'close', 'retry-after': '1', 'x-request-id': requestIdOf(request) } },
            ),
          );
          return;
        }
        requests.add(request);
        this.begin(request);
      },
      onResponse: ({ request, response }) => {
        response.headers.set('x-request-id', requestIdOf(request));
        if (this.draining) response.headers.set('connection', 'close');
        if (requests.has(request)) this.end(request);
      },
      onExecute: ({ args }) => {
        const ctx = args.contextValue;
        const started = performance.now();
        const operation = getOperationAST(args.document, args.operationName);
        const type = operation?.operation ?? 'query';
        const name = operation?.name?.value ?? null;
        ctx.span.updateName(name ? `${type} ${name}` : type);
        ctx.span.setAttributes({ 'graphql.operation.type': type, ...(name ? { 'graphql.operation.name': name } : {}) });
        // Over HTTP the request is already counted; over WebSocket the operation is.
        const request = (ctx as Context & { request?: Request }).request;
        const token = request && requests.has(request) ? null : {};
        if (token) this.begin(token);
        return {
          onExecuteDone: ({ result }) => {
            if (token) this.end(token);
            const errors = 'errors' in result && Array.isArray(result.errors) ? (result.errors as readonly GraphQLError[]) : [];
            const codes = [...new Set(errors.map((e) => String(e.extensions?.code ?? 'INTERNAL_SERVER_ERROR')))];
            if (codes.length > 0) failSpan(ctx.span, new Error(`GraphQL errors: ${codes.join(', ')}`), codes[0]);
            ctx.span.end();
            // Asked of the service logger first: the request's child logger is made only when used.
            if (ctx.services.logger.isLevelEnabled('debug')) {
              ctx.log.debug({ operation: name, type, durationMs: Math.round(performance.now() - started), errors: codes }, 'GraphQL operation finished');
            }
          },
        };
      },
      onSubscribe: ({ args }) => {
        const ctx = args.contextValue;
        const operation = getOperationAST(args.document, args.operationName);
        const name = operation?.name?.value ?? null;
        // The span covers setting the subscription up; its events are not part of it.
        ctx.span.updateName(name ? `subscription ${name}` : 'subscription');
        ctx.span.setAttributes({ 'graphql.operation.type': 'subscription', ...(name ? { 'graphql.operation.name': name } : {}) });
        return {
          onSubscribeResult: () => {
            ctx.span.end();
          },
        };
      },
    };
  }
}
