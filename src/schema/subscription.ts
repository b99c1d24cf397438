import { GraphQLError } from 'graphql';
import { builder } from '../builder.js';
import { requestApi, requestSignal, type Context } from '../context.js';
import type { ErrorExtensions } from '../errors.js';
import { createLoaders, type Loaders } from '../loaders/index.js';
import { LiveError } from '../subscriptions/index.js';
import { Cluster } from './cluster.js';
import { Job } from './job.js';

/**
 * Turns a hub stream into a source stream for graphql-js: each value is one event; an error the hub
 * ends with becomes the last event, whose `resolve` throws it. So a failure reaches the client as a
 * result with `errors[0].extensions.code` (NOT_FOUND, UNAUTHENTICATED, ...) followed by `complete`,
 * the same over graphql-ws and SSE, instead of a transport-level error that drops the extensions.
 *
 * Deliberately not an async generator: a generator queues `return()` behind its pending `next()`,
 * which waits for the resource's next change. A client that leaves while nothing changes (a
 * settled cluster) would then keep its subscriber, and the upstream poller, alive indefinitely.
 * Here `return()` reaches the hub stream at once, and the hub settles the pending `next()`.
 */
function untilError<T>(stream: AsyncIterableIterator<T>): AsyncIterableIterator<T | LiveError> {
  let ended = false;
  const done = (): IteratorResult<T | LiveError> => ({ done: true, value: undefined });
  const iterator: AsyncIterableIterator<T | LiveError> = {
    [Symbol.asyncIterator]: () => iterator,
    async next() {
      if (ended) return done();
      try {
        const result = await stream.next();
        if (result.done) ended = true;
        return result;
      } catch (error) {
        if (ended) return done();
        ended = true;
        const last =
          error instanceof LiveError
            ? error
            : new LiveError({ code: 'INTERNAL_SERVER_ERROR', message: 'Unexpected error', upstreamCode: null, requestId: null, retryable: false });
        return { done: false, value: last };
      }
    },
    async return() {
      ended = true;
      await stream.return?.();
      return done();
    },
  };
  return iterator;
}

/** Per subscription context: drops the loaders of the previous event. */
const loaderResets = new WeakMap<Context, () => void>();

/**
 * Gives the subscription's context fresh loaders for the next event, created on first use: each
 * event is resolved like a new query, so nested fields (a job's cluster) are read anew instead of
 * coming from the first event's cache, and events that select no nested field create none.
 */
function freshLoaders(ctx: Context) {
  let reset = loaderResets.get(ctx);
  if (!reset) {
    let current: Loaders | null = null;
    Object.defineProperty(ctx, 'loaders', {
      configurable: true,
      enumerable: true,
      // Each event's nested fields get their own deadline, from when they are first read.
      get: () =>
        (current ??= createLoaders(
          requestApi(ctx.services, ctx.auth, { signal: requestSignal(ctx.services), logger: ctx.log, traceContext: () => ctx.traceContext }),
        )),
      set: (loaders: Loaders) => {
        current = loaders;
      },
    });
    reset = () => {
      current = null;
    };
    loaderResets.set(ctx, reset);
  }
  reset();
}

/**
 * The EMS operations a poller uses for as long as the subscription lives: the caller's, without the
 * per-request call budget (each event's nested fields get a budget of their own).
 */
function pollingApi(ctx: Context) {
  return ctx.services.client.forAuth(ctx.auth);
}

/** The payload of one event, or the error the stream ends with. */
function payload<T extends object>(event: T | LiveError, ctx: Context): T {
  if (!(event instanceof LiveError)) {
    freshLoaders(ctx);
    return event;
  }
  const extensions: ErrorExtensions = {
    code: event.code,
    upstreamCode: event.upstreamCode,
    requestId: event.requestId,
    retryable: event.retryable,
  };
  throw new GraphQLError(event.message, { extensions });
}

builder.subscriptionField('jobProgress', (t) =>
  t.field({
    type: Job,
    nullable: false,
    description:
      'The job now, then on every change (status, progress, tasks); completes after a terminal status ' +
      '(COMPLETED, FAILED, STOPPED). An unknown id ends the stream with extensions.code NOT_FOUND, a ' +
      'malformed one with BAD_USER_INPUT.',
    args: { id: t.arg.id({ required: true, description: 'EMS job id, e.g. short-…' }) },
    subscribe: (_root, { id }, ctx) => untilError(ctx.services.live.watchJob(ctx.scope, pollingApi(ctx), String(id))),
    resolve: (event, _args, ctx) => payload(event, ctx),
  }),
);

builder.subscriptionField('clusterStatus', (t) =>
  t.field({
    type: Cluster,
    nullable: false,
    description:
      'The cluster now, then on every change (status, reason, nodes); completes after DELETED. An ' +
      'unknown id ends the stream with extensions.code NOT_FOUND, a malformed one with BAD_USER_INPUT.',
    args: { id: t.arg.id({ required: true, description: 'EMS cluster UUID.' }) },
    subscribe: (_root, { id }, ctx) => untilError(ctx.services.live.watchCluster(ctx.scope, pollingApi(ctx), String(id))),
    resolve: (event, _args, ctx) => payload(event, ctx),
  }),
);
