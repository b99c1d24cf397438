import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EmsAuth } from '../../src/ems/api.js';
import { createLiveHub, createMemoryPubSub, type LiveCaller, type LiveHub } from '../../src/subscriptions/index.js';
import { collect, FakeEms, SharedLocks } from './fake-ems.js';

/** The hub with several regions, on fake timers: the region is part of a resource's identity. */
const intervals = { activeIntervalMs: 40, idleIntervalMs: 200, maxBackoffMs: 400 };
const JOB = 'short-0a1b2c3d';
const tick = (ms = 0) => vi.advanceTimersByTimeAsync(ms);

const hubs: LiveHub[] = [];
beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(async () => {
  await Promise.all(hubs.splice(0).map((h) => h.close()));
  vi.useRealTimers();
});

/** Two regions, each its own EMS; the hub's upstream picks the region's. */
function regions() {
  const north = new FakeEms();
  const east = new FakeEms();
  const upstream = (auth: EmsAuth, region?: string) => (region === 'cn-east-3' ? east : north).upstream(auth);
  return { north, east, upstream };
}
const callerIn = (region: string | undefined, label: string): LiveCaller => ({ scope: 'scope-a', auth: { kind: 'token', token: label }, ...(region ? { region } : {}) });

describe('LiveHub across regions', () => {
  it('the same id in two regions is two resources, each polled in its region', async () => {
    const { north, east, upstream } = regions();
    north.job(JOB, { progress: 10 });
    east.job(JOB, { progress: 70 });
    const hub = createLiveHub({ upstream, pubsub: createMemoryPubSub(), coordinator: new SharedLocks().coordinator('r1'), intervals });
    hubs.push(hub);
    const inNorth = collect(hub.watchJob(callerIn('cn-north-4', 'a'), JOB));
    const inEast = [collect(hub.watchJob(callerIn('cn-east-3', 'a'), JOB)), collect(hub.watchJob(callerIn('cn-east-3', 'a'), JOB))];
    await tick();
    expect(inNorth.values.map((j) => j.progress)).toEqual([10]);
    expect(inEast.map((s) => s.values.map((j) => j.progress))).toEqual([[70], [70]]);
    expect(hub.stats()).toMatchObject({ watches: 2, subscribers: 3, polling: 2 });
    await tick(200);
    // One poller per region: 1 + 5 polls each, whatever the number of subscribers.
    expect([north.count(JOB), east.count(JOB)]).toEqual([6, 6]);
  });

  it('one poller per resource and region across replicas', async () => {
    const { north, east, upstream } = regions();
    east.job(JOB, { progress: 1 });
    const locks = new SharedLocks();
    const pubsub = createMemoryPubSub();
    const replica = (name: string) => {
      const hub = createLiveHub({ upstream, pubsub, coordinator: locks.coordinator(name), intervals });
      hubs.push(hub);
      return hub;
    };
    const [r1, r2] = [replica('r1'), replica('r2')];
    const subs = [collect(r1.watchJob(callerIn('cn-east-3', 'r1'), JOB)), collect(r2.watchJob(callerIn('cn-east-3', 'r2'), JOB))];
    await tick(200);
    expect(subs.every((s) => s.values.length === 1)).toBe(true);
    // Both replicas' subscribers are served by one poller (one lock), in cn-east-3 only.
    expect([...locks.locks.keys()]).toEqual([expect.stringContaining(`cn-east-3:job:${JOB}`)]);
    expect(north.count(JOB)).toBe(0);
    const polls = east.calls.filter((c) => c.id === JOB);
    expect(new Set(polls.map((c) => c.label)).size).toBe(1);
    east.job(JOB, { status: 'COMPLETED', progress: 100 });
    await tick(200);
    await Promise.all(subs.map((s) => s.finished));
    expect(subs.map((s) => s.values.at(-1)?.status)).toEqual(['COMPLETED', 'COMPLETED']);
  });
});
