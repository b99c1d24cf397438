import type { EmsApi, EmsAuth } from '../ems/api.js';
import { isEmsError } from '../ems/errors.js';
import type { ClusterRecord, JobRecord } from '../ems/read/index.js';
import type { Coordinator, StoredState } from './coordinator.js';
import { fatalErrorData, gatewayErrorData, giveUpErrorData, isFatal, LiveError, type LiveErrorData, type LiveErrorEvent, type LiveEvent, type LiveStateEvent } from './events.js';
import type { LivePubSub } from './pubsub.js';
import { clusterResource, jobResource, type LiveResource } from './resources.js';
import { nextPollDelay, type PollIntervals } from './schedule.js';
import { LiveStream } from './stream.js';

type LogFn = (obj: object, msg: string) => void;
/** The part of a pino logger the hub uses. */
export interface HubLogger {
  debug: LogFn;
  warn: LogFn;
}

/** What one upstream poll produced, for metrics and benchmarks. */
export interface PollReport {
  kind: LiveResource<unknown>['kind'];
  /** `<scope>:<kind>:<id>` */
  key: string;
  ok: boolean;
  /** Gateway error code of a failed poll. */
  code?: string;
  /** Milliseconds until the next poll; null when the watch ended. */
  delayMs: number | null;
}

/** Who watches: the caller's credentials, and the name that keeps them apart (context.scopeOf). */
export interface LiveCaller {
  /** Subscribers share a poller, and its events, only within one scope. */
  scope: string;
  auth: EmsAuth;
  /**
   * The EMS region the resource is in; undefined = the default region. Part of the poller's key,
   * so the same id in two regions is two resources.
   */
  region?: string;
}

/** How one hub stream is counted (LiveHub.watchJob's `options`). */
export interface WatchOptions {
  /**
   * How many subscribers this stream stands for, read whenever the hub counts its subscribers
   * (HubStats.subscribers): a graphql-ws subscription group (src/graphql-ws.ts) reads one stream for
   * all of its members. @default one
   */
  subscribers?: { readonly count: number };
}

export interface LiveHubOptions {
  /**
   * The EMS operations a poller uses for a subscriber's credentials. Not a request's budgeted API:
   * a poller lives as long as its subscribers and makes one call per poll, paced by the hub.
   */
  upstream(auth: EmsAuth, region?: string): EmsApi;
  pubsub: LivePubSub;
  coordinator: Coordinator;
  intervals: PollIntervals;
  /**
   * After this many failed polls in a row (EMS unreachable, throttling, an answer that cannot be
   * read), the watch ends for every subscriber with the last failure's code, so no stream goes
   * silent for long while EMS fails. @default 5
   */
  maxPollFailures?: number;
  /** Prepended to every topic (with Redis, topics are channel names). @default '' */
  topicPrefix?: string;
  /**
   * TTL of a poller's lock. A replica that dies stops renewing it, and another one takes over at
   * most lockTtlMs + lockRefreshMs later, two active intervals with the defaults.
   * @default 1.5 × intervals.activeIntervalMs
   */
  lockTtlMs?: number;
  /** How often the poller renews its lock and the other replicas try to take it. @default intervals.activeIntervalMs / 2 */
  lockRefreshMs?: number;
  logger?: HubLogger;
  /** Called after each upstream poll. */
  onPoll?: (report: PollReport) => void;
  /** Called when this replica publishes an event. */
  onPublish?: (topic: string, event: LiveEvent) => void;
  /** Releases what the hub's backend holds (Redis connections); called last by close(). */
  onClose?: () => Promise<void>;
}

/**
 * Live EMS resources, shared: however many subscribe to a resource with the same credentials, one
 * poller (per process, or per cluster of replicas with Redis) polls it. Knows nothing of GraphQL,
 * WebSocket or SSE.
 */
export interface LiveHub {
  /**
   * The job's current state at once, then each change; completes after a terminal status (COMPLETED,
   * FAILED, STOPPED). Ends with a LiveError when the id is malformed (BAD_USER_INPUT), EMS refuses
   * the watch (NOT_FOUND, UNAUTHENTICATED, FORBIDDEN, BAD_REQUEST), or `maxPollFailures` polls in a
   * row failed (UPSTREAM_UNAVAILABLE, UPSTREAM_TIMEOUT, RATE_LIMITED, UPSTREAM_BAD_RESPONSE, ...).
   * The poller polls with the credentials of one of the resource's subscribers in `caller.scope`.
   */
  watchJob(caller: LiveCaller, id: string, options?: WatchOptions): AsyncIterableIterator<JobRecord>;
  /** Like watchJob for a cluster; completes after DELETED. */
  watchCluster(caller: LiveCaller, id: string, options?: WatchOptions): AsyncIterableIterator<ClusterRecord>;
  stats(): HubStats;
  /**
   * Ends every stream, stops every poller and frees its lock (another replica takes over at its
   * next lock check). Streams complete, or, with `reason`, end with that error (e.g. SHUTTING_DOWN:
   * reconnect elsewhere).
   */
  close(reason?: LiveErrorData): Promise<void>;
}

export interface HubStats {
  /** Resources watched by this replica (one that is closing counts until it has freed its poller lock). */
  watches: number;
  subscribers: number;
  /** Watches this replica polls (holds the lock of, or polls alone while Redis is unreachable). */
  polling: number;
  /**
   * `single`: one process, no Redis. `shared`: one poller per resource across replicas, through
   * Redis. `local`: Redis is configured but unreachable, so this replica polls for its own subscribers.
   */
  mode: 'single' | 'shared' | 'local';
}

interface Subscriber {
  auth: EmsAuth;
  /** How many subscribers it stands for (WatchOptions.subscribers), else one. */
  weight: { readonly count: number };
  region: string | undefined;
  deliver(event: LiveEvent): void;
  end(error?: LiveError): void;
}

const ONE = { count: 1 } as const;

/** Subscribers handed an event per turn of the event loop (see Watch.fanOut). */
const FANOUT_SLICE = 1_000;

/** Failed polls in a row after which a watch ends (LiveHubOptions.maxPollFailures). */
export const DEFAULT_MAX_POLL_FAILURES = 5;

export function createLiveHub(options: LiveHubOptions): LiveHub {
  return new Hub(options);
}

class Hub implements LiveHub {
  readonly watches = new Map<string, Watch<any>>();
  readonly lockTtlMs: number;
  readonly lockRefreshMs: number;
  /** How long a stored state outlives its poll: a taker-over must still find it after the longest wait. */
  readonly stateTtlMs: number;
  private closed = false;
  private checkedAt = Number.NEGATIVE_INFINITY;
  private wasDegraded = false;

  constructor(readonly options: LiveHubOptions) {
    const { activeIntervalMs, idleIntervalMs, maxBackoffMs } = options.intervals;
    this.lockTtlMs = options.lockTtlMs ?? Math.ceil(activeIntervalMs * 1.5);
    this.lockRefreshMs = options.lockRefreshMs ?? Math.max(10, Math.floor(activeIntervalMs / 2));
    this.stateTtlMs = 2 * Math.max(idleIntervalMs, maxBackoffMs) + this.lockTtlMs;
  }

  watchJob(caller: LiveCaller, id: string, options?: WatchOptions) {
    return this.watch(jobResource, caller, id, options?.subscribers);
  }

  watchCluster(caller: LiveCaller, id: string, options?: WatchOptions) {
    return this.watch(clusterResource, caller, id, options?.subscribers);
  }

  stats(): HubStats {
    let subscribers = 0;
    let polling = 0;
    for (const watch of this.watches.values()) {
      for (const subscriber of watch.subscribers) subscribers += subscriber.weight.count;
      if (watch.isLeader) polling++;
    }
    const { coordinator } = this.options;
    return { watches: this.watches.size, subscribers, polling, mode: !coordinator.shared ? 'single' : this.degraded ? 'local' : 'shared' };
  }

  /**
   * Whether the shared backend is unreachable, checked at most once per lock interval: every watch
   * asks at its lock check, and the mode changes for all of them at once.
   */
  get degraded(): boolean {
    const now = performance.now();
    if (now - this.checkedAt >= this.lockRefreshMs / 2) {
      this.checkedAt = now;
      const degraded = !this.options.coordinator.available();
      if (degraded !== this.wasDegraded) {
        this.wasDegraded = degraded;
        this.log(
          'warn',
          { mode: degraded ? 'local' : 'shared' },
          degraded ? 'Redis unreachable: each replica polls for its own subscribers until it returns' : 'Redis reachable again: pollers are shared again',
        );
      }
    }
    return this.wasDegraded;
  }

  async close(reason?: LiveErrorData) {
    if (this.closed) return;
    this.closed = true;
    const watches = [...this.watches.values()];
    for (const watch of watches) for (const sub of [...watch.subscribers]) sub.end(reason && new LiveError(reason));
    await Promise.all(watches.map((w) => w.close()));
    await this.options.onClose?.();
  }

  private watch<T>(resource: LiveResource<T>, caller: LiveCaller, id: string, weight: { readonly count: number } = ONE): AsyncIterableIterator<T> {
    // Registered on the first next(); a small sliding buffer: a slow consumer skips intermediate
    // states, never the latest one.
    let watch: Watch<T> | null = null;
    let subscriber: Subscriber | null = null;
    return new LiveStream<T>(
      (stream) => {
        const problem = resource.checkId(id);
        if (problem) {
          stream.stop(new LiveError(gatewayErrorData('BAD_USER_INPUT', problem)));
          return;
        }
        if (this.closed) {
          stream.stop();
          return;
        }
        let lastSig: string | null = null;
        subscriber = {
          auth: caller.auth,
          weight,
          region: caller.region,
          deliver(event) {
            if (event.type === 'error') {
              stream.stop(new LiveError(event.error));
              return;
            }
            if (event.sig !== lastSig) {
              lastSig = event.sig;
              stream.push(event.value as T);
            }
            if (event.final) stream.stop();
          },
          end: (error) => stream.stop(error),
        };
        watch = this.watchFor(resource, caller.region === undefined ? caller.scope : `${caller.scope}:${caller.region}`, id);
        watch.add(subscriber);
      },
      () => {
        if (watch && subscriber) watch.remove(subscriber);
      },
    );
  }

  private watchFor<T>(resource: LiveResource<T>, scope: string, id: string): Watch<T> {
    const key = `${scope}:${resource.kind}:${id}`;
    let watch = this.watches.get(key) as Watch<T> | undefined;
    // A watch that is closing (freeing its lock) takes no new subscriber: a fresh one starts.
    if (!watch || watch.isClosed) {
      watch = new Watch(this, resource, id, key, `${this.options.topicPrefix ?? ''}${key}`);
      this.watches.set(key, watch);
      void watch.start();
    }
    return watch;
  }

  log(level: keyof HubLogger, obj: object, msg: string) {
    this.options.logger?.[level](obj, msg);
  }
}

/**
 * One watched resource in this replica: its local subscribers, the topic listener that feeds them,
 * and (while this replica holds the resource's lock) the poller.
 */
class Watch<T> {
  readonly subscribers = new Set<Subscriber>();
  /** Latest event seen here; handed at once to each new subscriber. */
  private last: LiveEvent<T> | null = null;
  /** A final state or an error was delivered: no more events. */
  private ended = false;
  private closed = false;
  private leader = false;
  /** This replica's poller saw the end: no more polling nor contending. */
  private finished = false;
  /** Polling for local subscribers only, without a lock, because Redis is unreachable. */
  private local = false;
  /**
   * Set on rejoining shared mode: the answer time of the last state seen alone. Until an event at
   * least that recent arrives, older ones (a state stored before the outage) are dropped; event
   * numbers of replicas that polled alone are not comparable, so time decides meanwhile.
   */
  private rejoinFloorAt: number | null = null;
  private failures = 0;
  private seq = 0;
  /** A fan-out is being handed out slice by slice (see fanOut); the events waiting for it. */
  private fanning = false;
  private readonly fanQueue: LiveEvent<T>[] = [];
  private lastPublished: LiveEvent<T> | null = null;
  private pollTimer: NodeJS.Timeout | null = null;
  private leaseTimer: NodeJS.Timeout | null = null;
  private inflight: AbortController | null = null;
  private events: AsyncIterator<LiveEvent> | null = null;
  /** The lock check under way (see contend), which close() waits for. */
  private contention: Promise<void> | null = null;
  /** Freeing the poller lock, once started: close() waits for it. */
  private releasing: Promise<void> | null = null;

  constructor(
    private readonly hub: Hub,
    private readonly resource: LiveResource<T>,
    private readonly id: string,
    readonly key: string,
    private readonly topic: string,
  ) {}

  get isLeader() {
    return this.leader;
  }

  get isClosed() {
    return this.closed;
  }

  add(subscriber: Subscriber) {
    this.subscribers.add(subscriber);
    if (this.last) subscriber.deliver(this.last);
  }

  remove(subscriber: Subscriber) {
    this.subscribers.delete(subscriber);
    if (this.subscribers.size === 0) void this.close();
  }

  async start() {
    const { coordinator } = this.hub.options;
    const { events, ready } = this.hub.options.pubsub.subscribe(this.topic);
    this.events = events;
    void this.listen(events);
    if (!coordinator.shared) {
      await ready;
      if (this.closed) return;
      this.leader = true;
      this.schedule(0);
      return;
    }
    // Lock checks run from the start: while Redis is unreachable the subscription to the topic
    // cannot complete, and the watch must poll for itself meanwhile.
    this.leaseTimer = setInterval(() => void this.tick(), this.hub.lockRefreshMs);
    this.leaseTimer.unref();
    if (this.hub.degraded) {
      this.goLocal();
      return;
    }
    try {
      await ready;
      if (this.closed || this.local) return;
      // Subscribed first, then read: a state stored before we listened is in the key, any later one
      // reaches us as an event.
      const state = await coordinator.readState(this.key);
      if (this.closed || this.local) return;
      if (state?.event) this.deliver(state.event as LiveEvent<T>);
      await this.contend(state);
    } catch (error) {
      this.hub.log('warn', { err: error, key: this.key }, 'live watch could not start; retrying to take the poller lock');
    }
  }

  /** Each lock interval: follow the hub's mode, then (shared) renew or try to take the lock. */
  private async tick() {
    if (this.closed || this.ended || this.finished) return;
    if (this.hub.degraded) {
      if (!this.local) this.goLocal();
      return;
    }
    if (this.local) this.leaveLocal();
    await this.contend(undefined);
  }

  /** Redis is unreachable: poll for this replica's subscribers, deliver to them directly. */
  private goLocal() {
    this.local = true;
    this.leader = true;
    if (!this.pollTimer && !this.inflight) this.schedule(0);
  }

  /**
   * Redis is back: stop polling alone and contend for the lock again. Events of the replica that
   * polls from now on are numbered on from what Redis stored, which may be below what this replica
   * numbered alone: see rejoinFloorAt (unchanged states are still not sent twice).
   */
  private leaveLocal() {
    this.local = false;
    this.stepDown();
    this.rejoinFloorAt = this.last?.at ?? null;
  }

  /**
   * Stops listening and polling, and frees the poller lock. The watch stays in the hub's list (and
   * its stats) until the lock is free, so a watch that is gone from there holds no lock.
   */
  async close() {
    if (this.closed) return;
    this.closed = true;
    this.clearTimers();
    this.inflight?.abort();
    void this.events?.return?.();
    await this.contention;
    await this.releaseLock();
    if (this.hub.watches.get(this.key) === this) this.hub.watches.delete(this.key);
  }

  /** Frees the poller lock if this replica holds it; the same promise for every caller. */
  private releaseLock(): Promise<void> {
    // Polling alone while Redis was unreachable holds no lock.
    if (this.leader && this.local) this.leader = false;
    if (this.leader) {
      this.leader = false;
      this.releasing = this.hub.options.coordinator.release(this.key).catch((error: unknown) => {
        this.hub.log('warn', { err: error, key: this.key }, 'live watch could not release its poller lock');
      });
    }
    return this.releasing ?? Promise.resolve();
  }

  private async listen(events: AsyncIterator<LiveEvent>) {
    try {
      for (;;) {
        const result = await events.next();
        if (result.done) return;
        this.deliver(result.value as LiveEvent<T>);
      }
    } catch (error) {
      this.hub.log('warn', { err: error, key: this.key }, 'live watch stopped listening');
    }
  }

  /** Hands an event to every local subscriber, once, in order. */
  private deliver(event: LiveEvent<T>) {
    if (this.ended) return;
    const last = this.last;
    if (this.rejoinFloorAt !== null) {
      if (event.at < this.rejoinFloorAt) return;
      this.rejoinFloorAt = null;
    } else if (last && event.seq < last.seq) {
      return;
    }
    this.last = event;
    this.seq = Math.max(this.seq, event.seq);
    if (last?.type === 'state' && event.type === 'state' && last.sig === event.sig) return;
    if (event.type === 'error' || event.final) {
      this.ended = true;
      this.finish();
    }
    this.fanOut(event);
  }

  /**
   * Hands `event` to the subscribers there are now, FANOUT_SLICE at a time: each slice's work (the
   * subscribers' results and messages, run as microtasks) finishes before the next slice starts on
   * a later turn of the event loop, so one fan-out to thousands never holds up other requests for
   * long. Events that arrive meanwhile wait for it, so each subscriber still gets them in order.
   */
  private fanOut(event: LiveEvent<T>) {
    if (this.fanning) {
      this.fanQueue.push(event);
      return;
    }
    const targets = [...this.subscribers];
    if (targets.length <= FANOUT_SLICE) {
      for (const subscriber of targets) subscriber.deliver(event);
      return;
    }
    this.fanning = true;
    let i = 0;
    const slice = () => {
      const end = Math.min(i + FANOUT_SLICE, targets.length);
      for (; i < end; i++) {
        const subscriber = targets[i]!;
        if (this.subscribers.has(subscriber)) subscriber.deliver(event);
      }
      if (i < targets.length) {
        setImmediate(slice);
        return;
      }
      this.fanning = false;
      const next = this.fanQueue.shift();
      if (next) this.fanOut(next);
    };
    slice();
  }

  /**
   * With a shared coordinator: the poller renews its lock, the others try to take it. `known` is
   * the state just read by start(), undefined on later rounds.
   */
  private contend(known: StoredState | null | undefined): Promise<void> {
    if (this.contention || this.closed || this.ended || this.finished || this.local) return Promise.resolve();
    this.contention = this.contendOnce(known).finally(() => {
      this.contention = null;
    });
    return this.contention;
  }

  private async contendOnce(known: StoredState | null | undefined) {
    const { coordinator } = this.hub.options;
    try {
      if (this.leader) {
        if (!(await coordinator.renew(this.key, this.hub.lockTtlMs))) {
          this.hub.log('warn', { key: this.key }, 'live poller lost its lock; another replica polls now');
          this.stepDown();
        }
        return;
      }
      if (!(await coordinator.acquire(this.key, this.hub.lockTtlMs))) return;
      if (this.closed || this.ended) {
        await coordinator.release(this.key);
        return;
      }
      this.leader = true;
      const state = known === undefined ? await coordinator.readState(this.key) : known;
      if (this.closed || !this.leader) return;
      if (state?.event) {
        const event = state.event as LiveEvent<T>;
        this.seq = Math.max(this.seq, event.seq);
        this.lastPublished = event;
        this.deliver(event);
        if (this.ended) return;
      }
      this.hub.log('debug', { key: this.key }, 'live poller lock taken');
      this.schedule(state ? Math.max(0, state.nextPollAt - Date.now()) : 0);
    } catch (error) {
      this.hub.log('warn', { err: error, key: this.key }, 'live poller lock check failed');
      if (this.leader) this.stepDown();
    }
  }

  private stepDown() {
    this.leader = false;
    if (this.pollTimer) clearTimeout(this.pollTimer);
    this.pollTimer = null;
    this.inflight?.abort();
  }

  /** The watch is over for this replica's poller: stop polling, free the lock. */
  private finish() {
    this.finished = true;
    this.clearTimers();
    void this.releaseLock();
  }

  private clearTimers() {
    if (this.pollTimer) clearTimeout(this.pollTimer);
    if (this.leaseTimer) clearInterval(this.leaseTimer);
    this.pollTimer = null;
    this.leaseTimer = null;
  }

  private schedule(delayMs: number) {
    if (this.pollTimer) clearTimeout(this.pollTimer);
    this.pollTimer = setTimeout(() => void this.poll(), delayMs);
    this.pollTimer.unref();
  }

  /** EMS as any local subscriber sees it: all of them hold the same credentials (same scope). */
  private pickEms(): EmsApi | null {
    for (const subscriber of this.subscribers) return this.hub.options.upstream(subscriber.auth, subscriber.region);
    return null;
  }

  private stillPolling() {
    return this.leader && !this.closed && !this.finished;
  }

  private async poll() {
    this.pollTimer = null;
    if (!this.stillPolling()) return;
    const ems = this.pickEms();
    if (!ems) return;
    const controller = new AbortController();
    this.inflight = controller;
    let value: T;
    try {
      value = await this.resource.fetch(ems, this.id, controller.signal);
    } catch (error) {
      if (controller.signal.aborted || !this.stillPolling()) return;
      await this.failed(error);
      return;
    } finally {
      if (this.inflight === controller) this.inflight = null;
    }
    if (!this.stillPolling()) return;
    this.failures = 0;
    const final = this.resource.isFinal(value);
    const delayMs = final ? null : nextPollDelay(this.hub.options.intervals, { ok: true, active: this.resource.isActive(value) });
    this.hub.options.onPoll?.({ kind: this.resource.kind, key: this.key, ok: true, delayMs });
    const previous = this.lastPublished;
    const changed = !(previous?.type === 'state' && previous.sig === this.resource.signature(value));
    const event: LiveStateEvent<T> = {
      type: 'state',
      value,
      sig: this.resource.signature(value),
      final,
      seq: changed ? ++this.seq : this.seq,
      at: Date.now(),
    };
    // Store before publishing: a replica that subscribes after the publish finds it in the key.
    await this.store({ event, nextPollAt: Date.now() + (delayMs ?? 0) }, final ? this.finalTtl() : this.hub.stateTtlMs);
    if (!this.stillPolling()) return;
    if (changed) this.publish(event);
    if (delayMs === null) this.finish();
    else this.schedule(delayMs);
  }

  private async failed(error: unknown) {
    const { intervals } = this.hub.options;
    if (isFatal(error)) {
      const event: LiveErrorEvent = { type: 'error', error: fatalErrorData(error, this.resource.noun, this.id), seq: ++this.seq, at: Date.now() };
      this.hub.options.onPoll?.({ kind: this.resource.kind, key: this.key, ok: false, code: event.error.code, delayMs: null });
      // Short-lived: an id unknown now may exist later.
      await this.store({ event, nextPollAt: 0 }, intervals.activeIntervalMs * 2);
      if (!this.stillPolling()) return;
      this.publish(event);
      this.finish();
      return;
    }
    this.failures++;
    if (this.failures >= (this.hub.options.maxPollFailures ?? DEFAULT_MAX_POLL_FAILURES)) {
      // Not stored: a later subscriber starts a fresh watch and polls again.
      const event: LiveErrorEvent = { type: 'error', error: giveUpErrorData(error, this.resource.noun, this.id, this.failures), seq: ++this.seq, at: Date.now() };
      this.hub.options.onPoll?.({ kind: this.resource.kind, key: this.key, ok: false, code: event.error.code, delayMs: null });
      this.hub.log('warn', { err: error, key: this.key, code: event.error.code, failures: this.failures }, 'live poll failed too often in a row; ending the watch');
      this.publish(event);
      this.finish();
      return;
    }
    const retryAfter = isEmsError(error) ? error.retryAfter : null;
    const delayMs = nextPollDelay(intervals, { ok: false, failures: this.failures, retryAfter });
    const code = isEmsError(error) ? error.code : 'INTERNAL_SERVER_ERROR';
    this.hub.options.onPoll?.({ kind: this.resource.kind, key: this.key, ok: false, code, delayMs });
    this.hub.log('warn', { err: error, key: this.key, code, failures: this.failures, delayMs }, 'live poll failed; backing off');
    // Keep the schedule where a replica taking over finds it, so the back-off survives a failover.
    await this.store({ event: this.lastPublished, nextPollAt: Date.now() + delayMs }, this.hub.stateTtlMs);
    if (this.stillPolling()) this.schedule(delayMs);
  }

  private finalTtl() {
    return this.hub.options.intervals.idleIntervalMs * 2;
  }

  private async store(state: StoredState, ttlMs: number) {
    const { coordinator } = this.hub.options;
    if (!coordinator.shared || this.local) return;
    try {
      await coordinator.writeState(this.key, state, ttlMs);
    } catch (error) {
      this.hub.log('warn', { err: error, key: this.key }, 'live poller could not store its state');
    }
  }

  private publish(event: LiveEvent<T>) {
    this.lastPublished = event;
    if (this.local) {
      // Nothing goes through Redis: this replica's subscribers get it from here.
      this.deliver(event);
    } else {
      this.hub.options.pubsub.publish(this.topic, event);
    }
    this.hub.options.onPublish?.(this.topic, event);
  }
}
