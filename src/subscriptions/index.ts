import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Config } from '../config.js';
import { createMemoryCoordinator, createRedisCoordinator } from './coordinator.js';
import { createLiveHub, type HubLogger, type LiveHub, type LiveHubOptions } from './hub.js';
import { createMemoryPubSub, createRedisPubSub } from './pubsub.js';

export { createLiveHub, type HubLogger, type HubStats, type LiveCaller, type LiveHub, type LiveHubOptions, type PollReport, type WatchOptions } from './hub.js';
export { LiveError, UNEXPECTED_ERROR, type LiveErrorData, type LiveEvent } from './events.js';
export { createMemoryCoordinator, createRedisCoordinator, type Coordinator, type StoredState } from './coordinator.js';
export { createMemoryPubSub, createRedisPubSub, type LivePubSub } from './pubsub.js';
export { clusterResource, jobResource, type LiveResource } from './resources.js';
export { nextPollDelay, type PollIntervals } from './schedule.js';

export interface LiveHubFromConfigOptions
  extends Pick<LiveHubOptions, 'upstream'>,
    Partial<Omit<LiveHubOptions, 'upstream' | 'pubsub' | 'coordinator' | 'intervals' | 'onClose'>> {
  logger: HubLogger;
}

/**
 * The hub the gateway runs: in memory without `config.redis`; with it, events through Redis
 * (graphql-yoga's Redis event target, one publishing and one subscribing ioredis connection) and
 * one poller per resource across replicas, elected by a Redis lock. Connects before resolving, so a
 * wrong REDIS_URL stops start-up.
 */
export async function createLiveHubFromConfig(config: Config, options: LiveHubFromConfigOptions): Promise<LiveHub> {
  const base = { ...options, intervals: config.subscriptions, maxPollFailures: config.subscriptions.maxPollFailures };
  if (!config.redis) {
    return createLiveHub({ ...base, pubsub: createMemoryPubSub(), coordinator: createMemoryCoordinator() });
  }
  const { url, keyPrefix } = config.redis;
  // Reconnect quickly (at most a second apart), so a replica rejoins soon after Redis returns. The
  // publishing connection (also the coordinator's) fails commands at once while disconnected and
  // after a second without an answer, so an outage is noticed within one lock interval; the
  // subscribing one queues its SUBSCRIBEs until Redis is back.
  const retryStrategy = (times: number) => Math.min(times * 100, 1_000);
  const publishClient = new Redis(url, {
    lazyConnect: true,
    connectionName: 'ems-gateway-live-pub',
    retryStrategy,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: 1_000,
  });
  const subscribeClient = new Redis(url, { lazyConnect: true, connectionName: 'ems-gateway-live-sub', retryStrategy });
  for (const client of [publishClient, subscribeClient]) {
    client.on('error', (err: Error) => options.logger.warn({ err: { message: err.message } }, 'Redis connection error'));
  }
  // Redis unreachable at start is the outage of docs/resilience.md from the first moment: the
  // replica starts in local mode (each replica polls for its own subscribers; /readyz says so), and
  // both connections keep reconnecting, so it shares its pollers once Redis answers.
  const connected = await Promise.allSettled([publishClient.connect(), subscribeClient.connect()]);
  const failed = connected.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    const reason = failed.reason instanceof Error ? failed.reason.message : String(failed.reason);
    options.logger.warn({ redis: redactUrl(url), err: { message: reason } }, 'Redis unreachable at start: serving alone (local mode) until it answers');
  }
  const replicaId = randomUUID();
  options.logger.debug({ replicaId }, 'live hub shares pollers through Redis');
  return createLiveHub({
    ...base,
    topicPrefix: `${keyPrefix}live:`,
    pubsub: createRedisPubSub({
      publishClient,
      subscribeClient,
      onError: (err) => options.logger.warn({ err: { message: err instanceof Error ? err.message : String(err) } }, 'Redis pub/sub command failed'),
    }),
    coordinator: createRedisCoordinator({ redis: publishClient, keyPrefix, replicaId, alsoNeeds: [subscribeClient] }),
    async onClose() {
      await Promise.allSettled([publishClient.quit(), subscribeClient.quit()]);
    },
  });
}

function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'REDIS_URL';
  }
}
