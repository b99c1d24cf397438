import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import { createPubSub, type PubSubEventTarget } from 'graphql-yoga';
import type { Redis } from 'ioredis';
import type { LiveEvent } from './events.js';

type Topics = Record<string, [LiveEvent]>;

/** Watch events by topic. A thin face over graphql-yoga's pubsub, so the hub can wait for a subscription to be live. */
export interface LivePubSub {
  publish(topic: string, event: LiveEvent): void;
  /**
   * Starts listening on `topic` at once. `ready` resolves when events published from now on (by any
   * replica) will be received.
   */
  subscribe(topic: string): { events: AsyncIterator<LiveEvent>; ready: Promise<void> };
}

/** In one process: graphql-yoga's pubsub over an in-memory EventTarget. */
export function createMemoryPubSub(): LivePubSub {
  const pubsub = createPubSub<Topics>();
  return {
    publish: (topic, event) => pubsub.publish(topic, event),
    subscribe(topic) {
      const events = pubsub.subscribe(topic);
      // A Repeater starts its executor (and so adds its listener) on the first next() call.
      const first = events.next();
      return { events: prepend(first, events), ready: Promise.resolve() };
    },
  };
}

export interface RedisPubSubOptions {
  publishClient: Redis;
  /** Put in subscriber mode: use it for nothing else. */
  subscribeClient: Redis;
  /** Failed PUBLISH/SUBSCRIBE/UNSUBSCRIBE (Redis down, connection closing). @default ignored */
  onError?: (error: unknown) => void;
}

/**
 * Across replicas: graphql-yoga's pubsub over @graphql-yoga/redis-event-target, with one
 * publishing and one subscribing ioredis connection. Topics are Redis channel names.
 */
export function createRedisPubSub({ publishClient, subscribeClient, onError = () => {} }: RedisPubSubOptions): LivePubSub {
  // The event target fires its Redis commands and forgets them; these adapters (the only methods it
  // calls) route their failures to onError instead of unhandled rejections.
  const publisher = {
    publish: (channel: string, message: string) => publishClient.publish(channel, message).catch(onError),
  };
  const subscriber = {
    on: (event: 'message', listener: (channel: string, message: string) => void) => subscribeClient.on(event, listener),
    subscribe: (channel: string) => subscribeClient.subscribe(channel).catch(onError),
    unsubscribe: (channel: string) => subscribeClient.unsubscribe(channel).catch(onError),
  };
  const eventTarget = createRedisEventTarget<CustomEvent<LiveEvent>>({
    publishClient: publisher as unknown as Redis,
    subscribeClient: subscriber as unknown as Redis,
  });
  const pubsub = createPubSub<Topics>({ eventTarget: eventTarget as PubSubEventTarget<Topics> });
  return {
    publish: (topic, event) => pubsub.publish(topic, event),
    subscribe(topic) {
      const events = pubsub.subscribe(topic);
      const first = events.next();
      // The event target sent SUBSCRIBE on this connection; a second SUBSCRIBE of the same channel is
      // a no-op for Redis and its reply comes after the first one, so it tells when we are live.
      const ready = subscribeClient.subscribe(topic).then(() => undefined);
      return { events: prepend(first, events), ready };
    },
  };
}

/** The iterator `events`, whose first next() call has already been made and returned `first`. */
function prepend(first: Promise<IteratorResult<LiveEvent>>, events: AsyncIterator<LiveEvent>): AsyncIterator<LiveEvent> {
  let pending: Promise<IteratorResult<LiveEvent>> | null = first;
  return {
    next() {
      if (pending) {
        const p = pending;
        pending = null;
        return p;
      }
      return events.next();
    },
    return: (value?: unknown) => events.return?.(value) ?? Promise.resolve({ done: true, value: undefined }),
  };
}
