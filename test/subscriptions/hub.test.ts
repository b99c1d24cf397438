import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createLiveHub,
  createMemoryCoordinator,
  createMemoryPubSub,
  LiveError,
  nextPollDelay,
  type Coordinator,
  type LiveHub,
  type PollReport,
} from '../../src/subscriptions/index.js';
import { badResponse, caller, collect, FakeEms, rateLimited, SharedLocks, unauthenticated, unavailable } from './fake-ems.js';

/**
 * The hub in one process, on fake timers: every poll happens at a time the test chooses, so counts
 * and delays are exact.
 */
const intervals = { activeIntervalMs: 40, idleIntervalMs: 200, maxBackoffMs: 400 };
const JOB = 'short-0a1b2c3d';
const CLUSTER = '0b7c1e9a-5d2f-4c3b-8a6e-1f2d3c4b5a69';

/** Moves the fake clock by `ms`, running every timer (and what it awaits) that falls due. */
const tick = (ms = 0) => vi.advanceTimersByTimeAsync(ms);

const hubs: LiveHub[] = [];
function memoryHub(ems: FakeEms, extra: { onPoll?: (r: PollReport) => void; maxPollFailures?: number; coordinator?: Coordinator } = {}) {
  const hub = createLiveHub({ upstream: ems.upstream, pubsub: createMemoryPubSub(), coordinator: createMemoryCoordinator(), intervals, ...extra });
  hubs.push(hub);
  return hub;
}
beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(async () => {
  await Promise.all(hubs.splice(0).map((h) => h.close()));
  vi.useRealTimers();
});

describe('nextPollDelay', () => {
  it('polls at the active interval while active and the idle one otherwise', () => {
    expect(nextPollDelay(intervals, { ok: true, active: true })).toBe(40);
    expect(nextPollDelay(intervals, { ok: true, active: false })).toBe(200);
  });

  it('backs off exponentially up to maxBackoffMs', () => {
    const delays = [1, 2, 3, 4, 5, 40].map((failures) => nextPollDelay(intervals, { ok: false, failures, retryAfter: null }));
    expect(delays).toEqual([80, 160, 320, 400, 400, 400]);
  });

  it('waits at least Retry-After, even beyond maxBackoffMs', () => {
    expect(nextPollDelay(intervals, { ok: false, failures: 1, retryAfter: 1 })).toBe(1000);
    expect(nextPollDelay(intervals, { ok: false, failures: 5, retryAfter: 0.1 })).toBe(400);
  });
});

describe('LiveHub in memory', () => {
  it('emits the current state at once, then each change, and completes after a terminal status', async () => {
    const ems = new FakeEms();
    ems.job(JOB, { status: 'INIT', progress: 0 });
    const hub = memoryHub(ems);
    const sub = collect(hub.watchJob(caller('scope-a'), JOB));
    await tick();
    expect(sub.values).toEqual([expect.objectContaining({ id: JOB, status: 'INIT', progress: 0 })]);

    // Unchanged polls, one per active interval, emit nothing.
    await tick(3 * 40);
    expect(sub.values).toHaveLength(1);
    expect(ems.count(JOB)).toBe(4);

    ems.job(JOB, { status: 'RUNNING', progress: 40 });
    await tick(40);
    expect(sub.values).toHaveLength(2);
    ems.job(JOB, { status: 'COMPLETED', progress: 100 });
    await tick(40);
    await sub.finished;
    expect(sub.error).toBeNull();
    expect(sub.values.map((j) => [j.status, j.progress])).toEqual([
      ['INIT', 0],
      ['RUNNING', 40],
      ['COMPLETED', 100],
    ]);
    // The poller stopped with the stream.
    const polls = ems.count(JOB);
    await tick(10_000);
    expect(ems.count(JOB)).toBe(polls);
    expect(hub.stats()).toEqual({ watches: 0, subscribers: 0, polling: 0, mode: 'single' });
  });

  it('shares one poller among 1,000 subscribers of one job and scope', async () => {
    const ems = new FakeEms();
    ems.job(JOB, { progress: 10 });
    const hub = memoryHub(ems);
    const subs = Array.from({ length: 1000 }, () => collect(hub.watchJob(caller('scope-a'), JOB)));
    await tick();
    expect(subs.every((s) => s.values.length === 1)).toBe(true);
    expect(hub.stats()).toEqual({ watches: 1, subscribers: 1000, polling: 1, mode: 'single' });
    const start = ems.count(JOB);
    await tick(200);
    // One poll per interval (40 ms), not per subscriber.
    expect(ems.count(JOB) - start).toBe(5);
    ems.job(JOB, { status: 'STOPPED' });
    await tick(40);
    await Promise.all(subs.map((s) => s.finished));
    expect(subs.every((s) => s.values.at(-1)?.status === 'STOPPED' && s.error === null)).toBe(true);
  });

  it('never mixes scopes: each has its own poller, client and events', async () => {
    const ems = new FakeEms();
    ems.job(JOB, { progress: 5 });
    ems.hiddenFrom.set('b', new Set([JOB]));
    const hub = memoryHub(ems);
    const a = collect(hub.watchJob(caller('scope-a', 'a'), JOB));
    const b = collect(hub.watchJob(caller('scope-b', 'b'), JOB));
    await tick();
    await b.finished;
    expect(a.values).toHaveLength(1);
    // b's credentials cannot see the job: b ends with NOT_FOUND and never sees a's data.
    expect(b.values).toEqual([]);
    expect(b.error).toMatchObject({ code: 'NOT_FOUND' });
    expect(ems.count(JOB, 'b')).toBe(1);
    // a is unaffected and keeps its own poller.
    ems.job(JOB, { progress: 6 });
    await tick(40);
    expect(a.values).toHaveLength(2);
    expect(a.done).toBe(false);
    expect(hub.stats()).toEqual({ watches: 1, subscribers: 1, polling: 1, mode: 'single' });
  });

  it('polls with a remaining subscriber after the one that started the poller leaves', async () => {
    const ems = new FakeEms();
    ems.job(JOB);
    const hub = memoryHub(ems);
    const first = collect(hub.watchJob(caller('scope-a', 'first'), JOB));
    await tick();
    const second = collect(hub.watchJob(caller('scope-a', 'second'), JOB));
    await tick();
    expect([first.values.length, second.values.length]).toEqual([1, 1]);
    await first.iterator.return?.();
    await tick(40);
    expect(ems.count(JOB, 'second')).toBe(1);
    await second.iterator.return?.();
    await tick();
    const polls = ems.count(JOB);
    await tick(10_000);
    expect(ems.count(JOB)).toBe(polls);
    expect(hub.stats().watches).toBe(0);
  });

  it('hands a late subscriber the current state without polling', async () => {
    const ems = new FakeEms();
    ems.job(JOB, { progress: 33 });
    const hub = memoryHub(ems);
    const first = collect(hub.watchJob(caller('scope-a'), JOB));
    await tick();
    expect(first.values).toHaveLength(1);
    const late = collect(hub.watchJob(caller('scope-a'), JOB));
    await tick();
    expect(late.values).toEqual([expect.objectContaining({ progress: 33 })]);
    expect(ems.count(JOB)).toBe(1);
  });

  it('ends every stream of the resource with NOT_FOUND for an unknown id', async () => {
    const ems = new FakeEms();
    const hub = memoryHub(ems);
    const subs = [collect(hub.watchJob(caller('scope-a'), 'short-404')), collect(hub.watchJob(caller('scope-a'), 'short-404'))];
    await tick();
    await Promise.all(subs.map((s) => s.finished));
    for (const s of subs) {
      expect(s.values).toEqual([]);
      expect(s.error).toBeInstanceOf(LiveError);
      expect(s.error).toMatchObject({ code: 'NOT_FOUND', upstreamCode: 'ems.00040004', requestId: 'req-404' });
      expect(s.error?.message).toContain('short-404');
    }
    expect(ems.count('short-404')).toBe(1);
  });

  it('refuses a malformed id without calling EMS', async () => {
    const ems = new FakeEms();
    const hub = memoryHub(ems);
    const job = collect(hub.watchJob(caller('scope-a'), 'not-a-job'));
    const cluster = collect(hub.watchCluster(caller('scope-a'), 'nope'));
    await Promise.all([job.finished, cluster.finished]);
    expect(job.error).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(cluster.error).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(ems.calls).toEqual([]);
  });

  it('ends the stream with UNAUTHENTICATED when EMS refuses the credentials', async () => {
    const ems = new FakeEms();
    ems.job(JOB);
    ems.failures.push(unauthenticated());
    const hub = memoryHub(ems);
    const sub = collect(hub.watchJob(caller('scope-a'), JOB));
    await tick();
    await sub.finished;
    expect(sub.error).toMatchObject({ code: 'UNAUTHENTICATED', upstreamCode: 'common.01010018' });
  });

  it('backs off on upstream errors and honours Retry-After, then resumes', async () => {
    const ems = new FakeEms();
    ems.job(JOB, { progress: 1 });
    ems.failures.push(unavailable(), rateLimited(1));
    const reports: PollReport[] = [];
    const hub = memoryHub(ems, { onPoll: (r) => reports.push(r) });
    const sub = collect(hub.watchJob(caller('scope-a'), JOB));
    await tick();
    // 503: the active interval doubled.
    await tick(79);
    expect(ems.count(JOB)).toBe(1);
    await tick(1);
    expect(ems.count(JOB)).toBe(2);
    // 429 with Retry-After: 1 s, longer than the back-off.
    await tick(999);
    expect(ems.count(JOB)).toBe(2);
    expect(sub.values).toEqual([]);
    await tick(1);
    expect(sub.values).toEqual([expect.objectContaining({ progress: 1 })]);
    expect(reports.map((r) => [r.ok, r.code ?? null, r.delayMs])).toEqual([
      [false, 'UPSTREAM_UNAVAILABLE', 80],
      [false, 'RATE_LIMITED', 1000],
      [true, null, 40],
    ]);
    const [first, second, third] = ems.calls;
    expect([second!.at - first!.at, third!.at - second!.at]).toEqual([80, 1000]);
    expect(sub.error).toBeNull();
  });

  it('polls a cluster quickly in transition, slowly when settled, and completes after DELETED', async () => {
    const ems = new FakeEms();
    ems.cluster(CLUSTER, 'EXPANDING');
    const reports: PollReport[] = [];
    const hub = memoryHub(ems, { onPoll: (r) => reports.push(r) });
    const sub = collect(hub.watchCluster(caller('scope-a'), CLUSTER));
    await tick();
    expect(reports.map((r) => r.delayMs)).toEqual([40]);
    ems.cluster(CLUSTER, 'RUNNING');
    await tick(40);
    expect(reports.map((r) => r.delayMs)).toEqual([40, 200]);
    ems.cluster(CLUSTER, 'DELETED');
    await tick(199);
    expect(sub.done).toBe(false);
    await tick(1);
    await sub.finished;
    expect(sub.values.map((c) => c.status)).toEqual(['EXPANDING', 'RUNNING', 'DELETED']);
    expect(reports.at(-1)?.delayMs).toBeNull();
  });

  it('completes every stream on close', async () => {
    const ems = new FakeEms();
    ems.job(JOB);
    const hub = memoryHub(ems);
    const sub = collect(hub.watchJob(caller('scope-a'), JOB));
    await tick();
    await hub.close();
    await sub.finished;
    expect(sub.error).toBeNull();
    const polls = ems.count(JOB);
    await tick(10_000);
    expect(ems.count(JOB)).toBe(polls);
  });

  it('keeps a finished watch in its stats until its poller lock is released', async () => {
    const ems = new FakeEms();
    ems.job(JOB, { status: 'COMPLETED', progress: 100 });
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const coordinator: Coordinator = { ...createMemoryCoordinator(), release: () => released };
    const hub = memoryHub(ems, { coordinator });
    const sub = collect(hub.watchJob(caller('scope-a'), JOB));
    await tick();
    await sub.finished;
    expect(sub.values).toHaveLength(1);
    // The stream is over, the lock not yet free: the watch is still counted, and a new subscriber
    // does not join it but starts afresh.
    expect(hub.stats()).toEqual({ watches: 1, subscribers: 0, polling: 0, mode: 'single' });
    release();
    await tick();
    expect(hub.stats()).toEqual({ watches: 0, subscribers: 0, polling: 0, mode: 'single' });
  });
});

describe('LiveHub across replicas (shared locks on the fake clock)', () => {
  /**
   * Two hubs sharing events and poller locks, as replicas do through Redis, with the default lock
   * timing: a TTL of 1.5 active intervals, renewed (and contended for) every half interval.
   */
  function twoReplicas(ems: FakeEms) {
    const locks = new SharedLocks();
    const pubsub = createMemoryPubSub();
    const replica = (name: string) => {
      let dead = false;
      const hub = createLiveHub({ upstream: ems.upstream, pubsub, coordinator: locks.coordinator(name, () => dead), intervals });
      return {
        hub,
        watch: () => collect(hub.watchJob(caller('scope-a', name), JOB)),
        /** Dies without a word: its lock calls and EMS calls never answer, its lock is left to expire. */
        kill() {
          dead = true;
          ems.frozen.add(name);
        },
      };
    };
    return { locks, r1: replica('r1'), r2: replica('r2') };
  }

  it('one replica polls, once per interval, for subscribers on both, and keeps its lock while it lives', async () => {
    const ems = new FakeEms();
    ems.job(JOB, { progress: 1 });
    const { locks, r1, r2 } = twoReplicas(ems);
    const s1 = [r1.watch(), r1.watch()];
    await tick();
    const s2 = [r2.watch(), r2.watch()];
    await tick();
    expect([...s1, ...s2].map((s) => s.values.length)).toEqual([1, 1, 1, 1]);
    expect(ems.count(JOB)).toBe(1);

    // 100 intervals, about 67 lock lifetimes: the lock is renewed throughout, the other replica never polls.
    await tick(100 * 40);
    expect(ems.count(JOB, 'r1')).toBe(101);
    expect(ems.count(JOB, 'r2')).toBe(0);
    expect([r1.hub.stats().polling, r2.hub.stats().polling]).toEqual([1, 0]);

    ems.job(JOB, { progress: 2 });
    await tick(40);
    ems.job(JOB, { progress: 100, status: 'COMPLETED' });
    await tick(40);
    await Promise.all([...s1, ...s2].map((s) => s.finished));
    for (const s of [...s1, ...s2]) expect(s.values.map((j) => j.progress)).toEqual([1, 2, 100]);
    await tick();
    expect([r1.hub.stats().watches, r2.hub.stats().watches]).toEqual([0, 0]);
    expect(locks.locks.size).toBe(0);
    await Promise.all([r1.hub.close(), r2.hub.close()]);
  });

  it('hands a late subscriber on another replica the stored state without polling', async () => {
    const ems = new FakeEms();
    ems.job(JOB, { progress: 42 });
    const { r1, r2 } = twoReplicas(ems);
    r1.watch();
    await tick(20);
    const late = r2.watch();
    await tick();
    expect(late.values).toEqual([expect.objectContaining({ progress: 42 })]);
    expect(ems.count(JOB, 'r2')).toBe(0);
    await Promise.all([r1.hub.close(), r2.hub.close()]);
  });

  it('lets another replica take over within two intervals when the poller dies, from where it left off', async () => {
    const ems = new FakeEms();
    ems.job(JOB, { progress: 10 });
    const { r1, r2 } = twoReplicas(ems);
    r1.watch();
    await tick();
    const s2 = r2.watch();
    await tick(10 * 40 + 10);
    expect(ems.count(JOB, 'r2')).toBe(0);

    r1.kill();
    const killedAt = Date.now();
    await tick(2 * 40);
    const firstR2Poll = ems.calls.find((c) => c.label === 'r2');
    expect(firstR2Poll).toBeDefined();
    expect(firstR2Poll!.at - killedAt).toBeLessThanOrEqual(2 * 40);

    ems.job(JOB, { progress: 20 });
    await tick(40);
    ems.job(JOB, { status: 'STOPPED' });
    await tick(40);
    await s2.finished;
    // The state r2 found stored was not sent again.
    expect(s2.values.map((j) => [j.status, j.progress])).toEqual([
      ['RUNNING', 10],
      ['RUNNING', 20],
      ['STOPPED', 20],
    ]);
    // r1 is dead: its lock and EMS calls never answer, so only r2 is closed.
    await r2.hub.close();
  });
});

describe('LiveHub when polls keep failing', () => {
  it('ends every stream with the last failure’s code after maxPollFailures failed polls in a row, and stops polling', async () => {
    const ems = new FakeEms();
    ems.job(JOB, { progress: 1 });
    ems.failures.push(badResponse(), badResponse(), badResponse(), badResponse());
    const reports: PollReport[] = [];
    const hub = memoryHub(ems, { maxPollFailures: 3, onPoll: (r) => reports.push(r) });
    const subs = [collect(hub.watchJob(caller('scope-a'), JOB)), collect(hub.watchJob(caller('scope-a'), JOB))];
    // Polls at 0, +80 and +160 ms of back-off: the third failure ends the watch.
    await tick(1_000);
    for (const sub of subs) {
      expect(sub.done).toBe(true);
      expect(sub.values).toEqual([]);
      expect(sub.error).toBeInstanceOf(LiveError);
      expect(sub.error).toMatchObject({ code: 'UPSTREAM_BAD_RESPONSE', requestId: 'req-bad', retryable: true });
      expect(sub.error?.message).toMatch(/stopped after 3 failed polls in a row; the last one: EMS ShowJob returned a body the gateway cannot read/);
    }
    expect(reports.map((r) => [r.ok, r.code, r.delayMs])).toEqual([
      [false, 'UPSTREAM_BAD_RESPONSE', 80],
      [false, 'UPSTREAM_BAD_RESPONSE', 160],
      [false, 'UPSTREAM_BAD_RESPONSE', null],
    ]);
    expect(ems.count(JOB)).toBe(3);
    await tick(10_000);
    expect(ems.count(JOB)).toBe(3);
    expect(hub.stats()).toEqual({ watches: 0, subscribers: 0, polling: 0, mode: 'single' });
  });

  it('gives up on outages too, with their code, and a new subscriber starts afresh', async () => {
    const ems = new FakeEms();
    ems.job(JOB, { progress: 1 });
    ems.failures.push(unavailable(), unavailable());
    const hub = memoryHub(ems, { maxPollFailures: 2 });
    const first = collect(hub.watchJob(caller('scope-a'), JOB));
    await tick(1_000);
    expect(first.error).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', upstreamCode: 'APIGW.0201', retryable: true });
    const again = collect(hub.watchJob(caller('scope-a'), JOB));
    await tick(10);
    expect(again.values).toEqual([expect.objectContaining({ id: JOB, progress: 1 })]);
    expect(again.error).toBeNull();
  });

  it('counts only failures in a row: a good poll in between starts the count again', async () => {
    const ems = new FakeEms();
    ems.job(JOB, { progress: 1 });
    const hub = memoryHub(ems, { maxPollFailures: 3 });
    const sub = collect(hub.watchJob(caller('scope-a'), JOB));
    await tick(10);
    expect(sub.values).toHaveLength(1);
    for (let round = 0; round < 3; round++) {
      ems.failures.push(badResponse(), unavailable());
      await tick(1_000);
    }
    expect(sub.error).toBeNull();
    expect(sub.done).toBe(false);
    ems.job(JOB, { progress: 100, status: 'COMPLETED' });
    await tick(1_000);
    expect(sub.done).toBe(true);
    expect(sub.values.map((j) => j.progress)).toEqual([1, 100]);
  });
});
