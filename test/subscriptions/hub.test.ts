import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  createLiveHub,
  createMemoryCoordinator,
  createMemoryPubSub,
  LiveError,
  nextPollDelay,
  type LiveHub,
  type PollReport,
} from '../../src/subscriptions/index.js';
import { badResponse, collect, FakeEms, rateLimited, sleep, unauthenticated, unavailable, until } from './fake-ems.js';

const intervals = { activeIntervalMs: 40, idleIntervalMs: 200, maxBackoffMs: 400 };
const JOB = 'short-0a1b2c3d';
const CLUSTER = '0b7c1e9a-5d2f-4c3b-8a6e-1f2d3c4b5a69';

const hubs: LiveHub[] = [];
function memoryHub(extra: { onPoll?: (r: PollReport) => void; maxPollFailures?: number } = {}) {
  const hub = createLiveHub({ pubsub: createMemoryPubSub(), coordinator: createMemoryCoordinator(), intervals, ...extra });
  hubs.push(hub);
  return hub;
}
afterEach(async () => {
  await Promise.all(hubs.splice(0).map((h) => h.close()));
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
    const hub = memoryHub();
    const sub = collect(hub.watchJob('scope-a', ems.api(), JOB));
    await until(() => sub.values.length === 1, 2000, 'first state');
    expect(sub.values[0]).toMatchObject({ id: JOB, status: 'INIT', progress: 0 });

    // Unchanged polls emit nothing.
    await sleep(150);
    expect(sub.values).toHaveLength(1);
    expect(ems.count(JOB)).toBeGreaterThanOrEqual(3);

    ems.job(JOB, { status: 'RUNNING', progress: 40 });
    await until(() => sub.values.length === 2, 2000, 'second state');
    ems.job(JOB, { status: 'COMPLETED', progress: 100 });
    await sub.finished;
    expect(sub.error).toBeNull();
    expect(sub.values.map((j) => [j.status, j.progress])).toEqual([
      ['INIT', 0],
      ['RUNNING', 40],
      ['COMPLETED', 100],
    ]);
    // The poller stopped with the stream.
    const polls = ems.count(JOB);
    await sleep(120);
    expect(ems.count(JOB)).toBe(polls);
    expect(hub.stats()).toEqual({ watches: 0, subscribers: 0, polling: 0, mode: 'single' });
  });

  it('shares one poller among 1,000 subscribers of one job and scope', async () => {
    const ems = new FakeEms();
    ems.job(JOB, { progress: 10 });
    const hub = memoryHub();
    const subs = Array.from({ length: 1000 }, () => collect(hub.watchJob('scope-a', ems.api(), JOB)));
    await until(() => subs.every((s) => s.values.length === 1), 3000, 'first state everywhere');
    expect(hub.stats()).toEqual({ watches: 1, subscribers: 1000, polling: 1, mode: 'single' });
    const start = ems.count(JOB);
    await sleep(200);
    // One poll per interval (40 ms), not per subscriber.
    expect(ems.count(JOB) - start).toBeLessThanOrEqual(6);
    ems.job(JOB, { status: 'STOPPED' });
    await Promise.all(subs.map((s) => s.finished));
    expect(subs.every((s) => s.values.at(-1)?.status === 'STOPPED' && s.error === null)).toBe(true);
  });

  it('never mixes scopes: each has its own poller, client and events', async () => {
    const ems = new FakeEms();
    ems.job(JOB, { progress: 5 });
    ems.hiddenFrom.set('b', new Set([JOB]));
    const hub = memoryHub();
    const a = collect(hub.watchJob('scope-a', ems.api('a'), JOB));
    const b = collect(hub.watchJob('scope-b', ems.api('b'), JOB));
    await until(() => a.values.length === 1 && b.done);
    // b's credentials cannot see the job: b ends with NOT_FOUND and never sees a's data.
    expect(b.values).toEqual([]);
    expect(b.error).toMatchObject({ code: 'NOT_FOUND' });
    expect(ems.count(JOB, 'b')).toBe(1);
    // a is unaffected and keeps its own poller.
    ems.job(JOB, { progress: 6 });
    await until(() => a.values.length === 2);
    expect(a.done).toBe(false);
    expect(hub.stats()).toEqual({ watches: 1, subscribers: 1, polling: 1, mode: 'single' });
  });

  it('polls with a remaining subscriber after the one that started the poller leaves', async () => {
    const ems = new FakeEms();
    ems.job(JOB);
    const hub = memoryHub();
    const first = collect(hub.watchJob('scope-a', ems.api('first'), JOB));
    await until(() => first.values.length === 1);
    const second = collect(hub.watchJob('scope-a', ems.api('second'), JOB));
    await until(() => second.values.length === 1);
    await first.iterator.return?.();
    const before = ems.count(JOB, 'second');
    await until(() => ems.count(JOB, 'second') > before, 1000, 'poll with the second client');
    await second.iterator.return?.();
    await sleep(20);
    const polls = ems.count(JOB);
    await sleep(120);
    expect(ems.count(JOB)).toBe(polls);
    expect(hub.stats().watches).toBe(0);
  });

  it('hands a late subscriber the current state without polling', async () => {
    const ems = new FakeEms();
    ems.job(JOB, { progress: 33 });
    const hub = memoryHub();
    const first = collect(hub.watchJob('scope-a', ems.api(), JOB));
    await until(() => first.values.length === 1);
    const polls = ems.count(JOB);
    const late = collect(hub.watchJob('scope-a', ems.api(), JOB));
    await until(() => late.values.length === 1, 30, 'state within 30 ms');
    expect(late.values[0]).toMatchObject({ progress: 33 });
    expect(ems.count(JOB)).toBeLessThanOrEqual(polls + 1);
  });

  it('ends every stream of the resource with NOT_FOUND for an unknown id', async () => {
    const ems = new FakeEms();
    const hub = memoryHub();
    const subs = [collect(hub.watchJob('scope-a', ems.api(), 'short-404')), collect(hub.watchJob('scope-a', ems.api(), 'short-404'))];
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
    const hub = memoryHub();
    const job = collect(hub.watchJob('scope-a', ems.api(), 'not-a-job'));
    const cluster = collect(hub.watchCluster('scope-a', ems.api(), 'nope'));
    await Promise.all([job.finished, cluster.finished]);
    expect(job.error).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(cluster.error).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(ems.calls).toEqual([]);
  });

  it('ends the stream with UNAUTHENTICATED when EMS refuses the credentials', async () => {
    const ems = new FakeEms();
    ems.job(JOB);
    ems.failures.push(unauthenticated());
    const hub = memoryHub();
    const sub = collect(hub.watchJob('scope-a', ems.api(), JOB));
    await sub.finished;
    expect(sub.error).toMatchObject({ code: 'UNAUTHENTICATED', upstreamCode: 'common.01010018' });
  });

  it('backs off on upstream errors and honours Retry-After, then resumes', async () => {
    const ems = new FakeEms();
    ems.job(JOB, { progress: 1 });
    ems.failures.push(unavailable(), rateLimited(1));
    const reports: PollReport[] = [];
    const hub = memoryHub({ onPoll: (r) => reports.push(r) });
    const sub = collect(hub.watchJob('scope-a', ems.api(), JOB));
    await until(() => sub.values.length === 1, 3000, 'state after the errors');
    expect(reports.slice(0, 3).map((r) => [r.ok, r.code ?? null, r.delayMs])).toEqual([
      [false, 'UPSTREAM_UNAVAILABLE', 80],
      [false, 'RATE_LIMITED', 1000],
      [true, null, 40],
    ]);
    const [first, second, third] = ems.calls;
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(75);
    expect(third!.at - second!.at).toBeGreaterThanOrEqual(995);
    expect(sub.error).toBeNull();
  });

  it('polls a cluster quickly in transition, slowly when settled, and completes after DELETED', async () => {
    const ems = new FakeEms();
    ems.cluster(CLUSTER, 'EXPANDING');
    const reports: PollReport[] = [];
    const hub = memoryHub({ onPoll: (r) => reports.push(r) });
    const sub = collect(hub.watchCluster('scope-a', ems.api(), CLUSTER));
    await until(() => sub.values.length === 1);
    expect(reports[0]?.delayMs).toBe(40);
    ems.cluster(CLUSTER, 'RUNNING');
    await until(() => sub.values.length === 2);
    expect(reports.at(-1)?.delayMs).toBe(200);
    ems.cluster(CLUSTER, 'DELETED');
    await sub.finished;
    expect(sub.values.map((c) => c.status)).toEqual(['EXPANDING', 'RUNNING', 'DELETED']);
    expect(reports.at(-1)?.delayMs).toBeNull();
  });

  it('completes every stream on close', async () => {
    const ems = new FakeEms();
    ems.job(JOB);
    const hub = memoryHub();
    const sub = collect(hub.watchJob('scope-a', ems.api(), JOB));
    await until(() => sub.values.length === 1);
    await hub.close();
    await sub.finished;
    expect(sub.error).toBeNull();
    const polls = ems.count(JOB);
    await sleep(100);
    expect(ems.count(JOB)).toBe(polls);
  });
});

describe('LiveHub when polls keep failing', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('ends every stream with the last failure’s code after maxPollFailures failed polls in a row, and stops polling', async () => {
    vi.useFakeTimers();
    const ems = new FakeEms();
    ems.job(JOB, { progress: 1 });
    ems.failures.push(badResponse(), badResponse(), badResponse(), badResponse());
    const reports: PollReport[] = [];
    const hub = memoryHub({ maxPollFailures: 3, onPoll: (r) => reports.push(r) });
    const subs = [collect(hub.watchJob('scope-a', ems.api(), JOB)), collect(hub.watchJob('scope-a', ems.api(), JOB))];
    // Polls at 0, +80 and +160 ms of back-off: the third failure ends the watch.
    await vi.advanceTimersByTimeAsync(1_000);
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
    await vi.advanceTimersByTimeAsync(10_000);
    expect(ems.count(JOB)).toBe(3);
    expect(hub.stats()).toEqual({ watches: 0, subscribers: 0, polling: 0, mode: 'single' });
  });

  it('gives up on outages too, with their code, and a new subscriber starts afresh', async () => {
    vi.useFakeTimers();
    const ems = new FakeEms();
    ems.job(JOB, { progress: 1 });
    ems.failures.push(unavailable(), unavailable());
    const hub = memoryHub({ maxPollFailures: 2 });
    const first = collect(hub.watchJob('scope-a', ems.api(), JOB));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(first.error).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', upstreamCode: 'APIGW.0201', retryable: true });
    const again = collect(hub.watchJob('scope-a', ems.api(), JOB));
    await vi.advanceTimersByTimeAsync(10);
    expect(again.values).toEqual([expect.objectContaining({ id: JOB, progress: 1 })]);
    expect(again.error).toBeNull();
  });

  it('counts only failures in a row: a good poll in between starts the count again', async () => {
    vi.useFakeTimers();
    const ems = new FakeEms();
    ems.job(JOB, { progress: 1 });
    const hub = memoryHub({ maxPollFailures: 3 });
    const sub = collect(hub.watchJob('scope-a', ems.api(), JOB));
    await vi.advanceTimersByTimeAsync(10);
    expect(sub.values).toHaveLength(1);
    for (let round = 0; round < 3; round++) {
      ems.failures.push(badResponse(), unavailable());
      await vi.advanceTimersByTimeAsync(1_000);
    }
    expect(sub.error).toBeNull();
    expect(sub.done).toBe(false);
    ems.job(JOB, { progress: 100, status: 'COMPLETED' });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(sub.done).toBe(true);
    expect(sub.values.map((j) => j.progress)).toEqual([1, 100]);
  });
});
