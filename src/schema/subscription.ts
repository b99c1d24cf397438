import { GraphQLError } from 'graphql';
import { brokenRule, EmsJobId, EmsUuid } from '../ems/models/index.js';

/** A malformed id is refused by the hub (BAD_USER_INPUT) before any lookup. */
const EmsJobIdOk = (id: string) => brokenRule(EmsJobId, id) === null;
const EmsUuidOk = (id: string) => brokenRule(EmsUuid, id) === null;
import { builder } from '../builder.js';
import type { ErrorExtensions } from '../errors.js';
import { LiveError, UNEXPECTED_ERROR } from '../subscriptions/index.js';
import { Cluster } from './cluster.js';
import { Job } from './job.js';
import type { Context } from '../context.js';
import { scopeOf } from '../context.js';
import { locate, orNullWhenNotFound } from '../regional.js';
import type { LiveCaller } from '../subscriptions/index.js';
import { regionArg } from './region.js';

/**
 * Who watches, and where: with one region, the subscription's credentials as they are; with
 * several, the region named, else the one that holds the resource (each region asked once; one
 * that no region knows is watched in the default region, whose poll ends it with NOT_FOUND), with
 * the caller's credentials there. The region is part of the poller's key.
 */
async function liveCaller(ctx: Context, region: string | null | undefined, find: (loaders: Context['loaders']) => Promise<unknown>, what: string): Promise<LiveCaller> {
  const { services } = ctx.regions;
  if (region != null) ctx.regions.check('region', region);
  if (!services.multi && (region == null || region === services.default)) return ctx;
  const chosen = region ?? (await locate(ctx, what, ({ loaders }) => orNullWhenNotFound(find(loaders))))?.region ?? services.default;
  const auth = ctx.regions.auth(chosen);
  return { scope: scopeOf(auth), auth, region: chosen };
}

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
  return new UntilError(stream);
}

/** untilError's iterator: a class, so thousands of subscribers share its methods. */
class UntilError<T> implements AsyncIterableIterator<T | LiveError> {
  private ended = false;

  constructor(private readonly stream: AsyncIterableIterator<T>) {}

  [Symbol.asyncIterator]() {
    return this;
  }

  async next(): Promise<IteratorResult<T | LiveError>> {
    if (this.ended) return DONE;
    try {
      const result = await this.stream.next();
      if (result.done) this.ended = true;
      return result;
    } catch (error) {
      if (this.ended) return DONE;
      this.ended = true;
      return { done: false, value: error instanceof LiveError ? error : new LiveError(UNEXPECTED_ERROR) };
    }
  }

  async return(): Promise<IteratorResult<T | LiveError>> {
    this.ended = true;
    await this.stream.return?.();
    return DONE;
  }
}

const DONE: IteratorResult<never> = { done: true, value: undefined };

/**
 * The payload of one event, or the error the stream ends with. Each event is resolved in a request
 * scope of its own (fresh loaders, a call budget): see subscriptionEventScopes in src/context.ts.
 */
function payload<T extends object>(event: T | LiveError): T {
  if (!(event instanceof LiveError)) return event;
  const { message, ...extensions } = event.toData();
  throw new GraphQLError(message, { extensions: extensions satisfies ErrorExtensions });
}

builder.subscriptionField('jobProgress', (t) =>
  t.field({
    type: Job,
    nullable: false,
    description:
      'The job now, then on every change (status, progress, tasks); completes after a terminal status ' +
      '(COMPLETED, FAILED, STOPPED). An unknown id ends the stream with extensions.code NOT_FOUND, a ' +
      'malformed one with BAD_USER_INPUT.',
    args: { id: t.arg.id({ required: true, description: 'EMS job id, e.g. short-…' }), ...regionArg },
    subscribe: async (_root, { id, region }, ctx) => {
      const caller = EmsJobIdOk(String(id)) ? await liveCaller(ctx, region, (loaders) => loaders.jobById.load(String(id)), `Job ${String(id)}`) : ctx;
      return untilError(ctx.services.live.watchJob(caller, String(id), ctx.sharedRun));
    },
    resolve: (event) => payload(event),
  }),
);

builder.subscriptionField('clusterStatus', (t) =>
  t.field({
    type: Cluster,
    nullable: false,
    description:
      'The cluster now, then on every change (status, reason, nodes); completes after DELETED. An ' +
      'unknown id ends the stream with extensions.code NOT_FOUND, a malformed one with BAD_USER_INPUT.',
    args: { id: t.arg.id({ required: true, description: 'EMS cluster UUID.' }), ...regionArg },
    subscribe: async (_root, { id, region }, ctx) => {
      const caller = EmsUuidOk(String(id)) ? await liveCaller(ctx, region, (loaders) => loaders.clusterById.load(String(id)), `Cluster ${String(id)}`) : ctx;
      return untilError(ctx.services.live.watchCluster(caller, String(id), ctx.sharedRun));
    },
    resolve: (event) => payload(event),
  }),
);
