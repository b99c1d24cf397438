/**
 * Subscriptions: N subscribers on one job.
 *
 * 1. Floor: a bare `ws` server speaking just enough graphql-transport-ws (bench/support/bare-ws.ts)
 *    for the same N graphql-ws clients to subscribe to it; its heap (after GC) per subscriber, and
 *    the fan-out of `events` pre-serialized `next` messages it broadcasts, measured as the
 *    gateway's is: what any server pays to hold and reach these subscribers.
 * 2. The gateway (its own process, in-memory hub) with N graphql-ws clients, one connection each,
 *    subscribed to `jobProgress` of one running job; its heap per subscriber, measured the same way.
 * 3. Fan-out: for each of the next `events` changes of the job, the time from the gateway having the
 *    new state (an in-process hub subscriber registered before all clients sees it) until each
 *    client has received it: p50 and p99 over the N subscribers, and the last one (the change has
 *    reached everyone). The figures are medians over the changes.
 *
 * The clients live in `clientProcesses` processes of their own; client-side parsing is part of the
 * fan-out time, as it is for any real dashboard.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { startChild, type Child, type CpuSample, type MemorySample } from '../support/child.js';
import type { PublishedEvent } from '../support/gateway.js';
import { percentile, repeated, type Repeated } from '../support/measure.js';
import type { ConnectParams, ConnectResult } from '../support/subscribers.js';
import { SEED, sleep, startGateway, type BenchContext } from './context.js';

export interface SubscriptionsResult {
  subscribers: number;
  clientProcesses: number;
  /** The bare `ws` floor with the same graphql-ws subscribers; null when the baseline was skipped. */
  bare: { heapPerConnection: number; externalPerConnection: number; rssPerConnection: number; failed: number; fanOut: FanOut | null } | null;
  gateway: {
    heapPerSubscriber: number;
    externalPerSubscriber: number;
    rssPerSubscriber: number;
    ready: number;
    failed: number;
    firstFailure: string | null;
    setupSec: number;
  };
  fanOut: FanOut | null;
  intervalMs: number;
}

export interface FanOut {
  events: { status: string; progress: number; received: number; p50: number; p99: number; max: number }[];
  p50: Repeated;
  p99: Repeated;
  max: Repeated;
  /** Messages delivered while the changes went out (the CPU figures are per one of them). */
  deliveries: number;
  /** CPU time of the server process (gateway, or bare `ws`) per message delivered while the changes went out, µs. */
  gatewayCpuPerDeliveryMicros: number;
  /** The same for the client processes together (receiving and parsing). */
  clientCpuPerDeliveryMicros: number;
}

/**
 * The fan-out of `events` (when the server had each, epochMs) to the clients: per event, each
 * client's arrival time minus the server's; `extra` more events went out to all `ready` subscribers
 * between the CPU samples without being timed.
 */
async function fanOutOf(
  clients: Child[],
  events: { status: string; progress: number; at: number }[],
  extra: number,
  ready: number,
  cpuMs: number[],
  log: (line: string) => void,
): Promise<FanOut | null> {
  const received = new Map<string, number[]>();
  for (const part of await Promise.all(clients.map((c) => c.call<Record<string, number[]>>('received')))) {
    for (const [progress, times] of Object.entries(part)) received.set(progress, [...(received.get(progress) ?? []), ...times]);
  }
  const rows = events.map((event) => {
    const times = (received.get(String(event.progress)) ?? []).map((t) => t - event.at).sort((a, b) => a - b);
    return {
      status: event.status,
      progress: event.progress,
      received: times.length,
      p50: percentile(times, 50),
      p99: percentile(times, 99),
      max: times.at(-1) ?? Number.NaN,
    };
  });
  for (const row of rows) {
    log(`  change to ${row.status} ${row.progress}%: ${row.received}/${ready} received, p50 ${row.p50.toFixed(0)} ms, p99 ${row.p99.toFixed(0)} ms, last ${row.max.toFixed(0)} ms`);
  }
  if (rows.length === 0) return null;
  // Everything between the two CPU samples was these changes (and their polls): CPU per message delivered.
  const deliveries = rows.reduce((sum, r) => sum + r.received, 0) + extra * ready;
  const fanOut: FanOut = {
    events: rows,
    deliveries,
    p50: repeated(rows.map((r) => r.p50)),
    p99: repeated(rows.map((r) => r.p99)),
    max: repeated(rows.map((r) => r.max)),
    gatewayCpuPerDeliveryMicros: (cpuMs[0]! * 1000) / deliveries,
    clientCpuPerDeliveryMicros: (cpuMs.slice(1).reduce((a, b) => a + b, 0) * 1000) / deliveries,
  };
  log(`  CPU per message delivered: server ${fanOut.gatewayCpuPerDeliveryMicros.toFixed(1)} µs, clients ${fanOut.clientCpuPerDeliveryMicros.toFixed(1)} µs`);
  return fanOut;
}

/** The open-files limits of children (soft is raised to hard by startChild). */
function openFilesHardLimit(): number {
  const out = execFileSync('/bin/sh', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).trim();
  return out === 'unlimited' ? Number.POSITIVE_INFINITY : Number(out);
}

function perItem(before: MemorySample, after: MemorySample, n: number) {
  return { heap: (after.heapUsed - before.heapUsed) / n, external: (after.external - before.external) / n, rss: (after.rss - before.rss) / n };
}

/** Splits `n` into `parts` near-equal shares. */
function shares(n: number, parts: number): number[] {
  return Array.from({ length: parts }, (_, i) => Math.floor(n / parts) + (i < n % parts ? 1 : 0)).filter((x) => x > 0);
}

async function connectAll(clients: Child[], counts: number[], params: Omit<ConnectParams, 'count'>): Promise<ConnectResult> {
  const results = await Promise.all(clients.map((c, i) => c.call<ConnectResult>('connect', { ...params, count: counts[i] })));
  return {
    ready: results.reduce((s, r) => s + r.ready, 0),
    failed: results.reduce((s, r) => s + r.failed, 0),
    firstFailure: results.find((r) => r.firstFailure)?.firstFailure ?? null,
    setupMs: Math.max(...results.map((r) => r.setupMs)),
  };
}

export interface SubscriptionsRunOptions {
  /** @default ctx.options.subscribers */
  subscribers?: number;
  /** Measure the bare `ws` baseline first. @default true */
  baseline?: boolean;
  /** Write a CPU profile of the gateway during the timed changes to this path. */
  profileFile?: string;
  /** Write heap snapshots of the gateway to these paths: before the subscribers connect, and after the timed changes. */
  heapSnapshots?: { before: string; after: string };
}

export async function subscriptionsSection(ctx: BenchContext, run: SubscriptionsRunOptions = {}): Promise<SubscriptionsResult> {
  const { clientProcesses, events, interval, batch } = ctx.options;
  const n = run.subscribers ?? ctx.options.subscribers;
  const counts = shares(n, clientProcesses);
  const hard = openFilesHardLimit();
  const needed = n + 1024;
  if (hard < needed) {
    throw new Error(
      `${n} subscribers need about ${needed} open files in the server process, but the hard limit is ${hard}: ` +
        `raise it (e.g. \`ulimit -Hn ${needed}\` as root, or LimitNOFILE in a service), or run with --subscribers ${Math.max(100, hard - 1024)}`,
    );
  }
  const clients = await Promise.all(counts.map((_, i) => startChild(`subscribers-${i + 1}`, 'subscribers.ts', { logFile: join(ctx.outDir, `subscribers-${i + 1}.log`) })));
  const timeoutMs = 60_000;
  try {
    // The job to watch: created first, so its INIT phase passes while the baseline runs. A slow
    // virtual clock keeps it RUNNING for the whole section, its progress moving at every poll.
    await ctx.sim.call('setClockSpeed', { speed: 0.25 });
    const created = await fetch(new URL('/v1/clusters', ctx.simReady.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...ctx.emsHeaders },
      body: JSON.stringify({
        name: `bench-subscriptions-${Date.now().toString(36)}`,
        k8s_cluster_specification: { k8s_cluster_id: '3f0c2a4e-8b1d-4c6f-9a7e-5d2b1c0e9f8a' },
      }),
    });
    if (created.status !== 202) throw new Error(`CreateCluster: ${created.status} ${await created.text()}`);
    const { job_id: jobId } = (await created.json()) as { job_id: string };

    // 1. The floor: bare ws, the same graphql-ws clients subscribed, and pre-serialized changes broadcast to them.
    let bareResult: SubscriptionsResult['bare'] | null = null;
    if (run.baseline ?? true) {
      const bare = await startChild('bare-ws', 'bare-ws.ts', { logFile: join(ctx.outDir, 'bare-ws.log') });
      try {
        const before = await bare.call<MemorySample>('memory');
        const opened = await connectAll(clients, counts, { mode: 'graphql-ws', url: (bare.ready as { url: string }).url, batch, timeoutMs, token: 'floor', jobId: 'bench-job' });
        await sleep(500);
        const after = await bare.call<MemorySample>('memory');
        const per = perItem(before, after, Math.max(1, opened.ready));
        ctx.log(`  bare ws (graphql-transport-ws floor): ${opened.ready} subscribers (${opened.failed} failed): heap ${(per.heap / 1024).toFixed(2)} KiB per subscriber`);
        let floorFanOut: FanOut | null = null;
        if (opened.ready > 0) {
          const cpuBefore = await Promise.all([bare, ...clients].map((c) => c.call<CpuSample>('cpu')));
          const sent: { status: string; progress: number; at: number }[] = [];
          for (let i = 0; i < events; i++) {
            // Progress values no job has, a change apart as the gateway's are.
            await sleep(Math.min(interval, 2_000));
            const job = { id: 'bench-job', status: 'RUNNING', progress: 1_000 + i };
            sent.push({ ...job, at: await bare.call<number>('broadcast', job) });
          }
          await sleep(Math.min(interval, 2_000));
          const cpuAfter = await Promise.all([bare, ...clients].map((c) => c.call<CpuSample>('cpu')));
          const cpuMs = cpuAfter.map((a, i) => (a.cpuMicros - cpuBefore[i]!.cpuMicros) / 1000);
          floorFanOut = await fanOutOf(clients, sent, 0, opened.ready, cpuMs, ctx.log);
        }
        bareResult = { heapPerConnection: per.heap, externalPerConnection: per.external, rssPerConnection: per.rss, failed: opened.failed, fanOut: floorFanOut };
        await Promise.all(clients.map((c) => c.call('close')));
      } finally {
        await bare.stop();
      }
    }

    // 2. Gateway.
    const gateway = await startGateway(ctx, { POLL_ACTIVE_MS: String(interval), POLL_IDLE_MS: String(interval * 2) });
    try {
      const published: PublishedEvent[] = [];
      gateway.on('published', (e: PublishedEvent) => published.push(e));
      await gateway.call('watchJob', { token: ctx.simReady.token, jobId });
      await sleep(500);
      const before = await gateway.call<MemorySample>('memory');
      if (run.heapSnapshots) await gateway.call('heapSnapshot', { path: run.heapSnapshots.before });
      const subscribed = await connectAll(clients, counts, {
        mode: 'graphql-ws',
        url: gateway.ready.url.replace(/^http/, 'ws'),
        batch,
        timeoutMs,
        token: ctx.simReady.token,
        jobId,
      });
      await sleep(1000);
      const after = await gateway.call<MemorySample>('memory');
      const per = perItem(before, after, Math.max(1, subscribed.ready));
      ctx.log(
        `  gateway: ${subscribed.ready} subscribers (${subscribed.failed} failed${subscribed.firstFailure ? `: ${subscribed.firstFailure}` : ''}) ` +
          `in ${(subscribed.setupMs / 1000).toFixed(1)} s: heap ${(per.heap / 1024).toFixed(2)} KiB per subscriber`,
      );

      // 3. Fan-out of the next changes.
      let fanOut: SubscriptionsResult['fanOut'] = null;
      if (subscribed.ready > 0) {
        const first = published.length;
        if (run.profileFile) await gateway.call('profileStart', { samplingIntervalMicros: ctx.options.profileSamplingMicros });
        const cpuBefore = await Promise.all([gateway, ...clients].map((c) => c.call<CpuSample>('cpu')));
        const deadline = Date.now() + 30_000 + (events + 2) * interval * 2;
        while (published.length < first + events && Date.now() < deadline) await sleep(50);
        // Let the last change reach every client.
        await sleep(Math.min(interval, 2_000));
        const cpuAfter = await Promise.all([gateway, ...clients].map((c) => c.call<CpuSample>('cpu')));
        if (run.profileFile) await gateway.call('profileStop', { path: run.profileFile });
        const cpuMs = cpuAfter.map((after, i) => (after.cpuMicros - cpuBefore[i]!.cpuMicros) / 1000);
        const timed = published.slice(first, first + events);
        fanOut = await fanOutOf(clients, timed, published.length - first - timed.length, subscribed.ready, cpuMs, ctx.log);
      }
      // Taken once the changes went out (a snapshot is a long pause that would show in their timing).
      if (run.heapSnapshots) await gateway.call('heapSnapshot', { path: run.heapSnapshots.after });
      await Promise.all(clients.map((c) => c.call('close')));
      return {
        subscribers: n,
        clientProcesses: counts.length,
        bare: bareResult,
        gateway: {
          heapPerSubscriber: per.heap,
          externalPerSubscriber: per.external,
          rssPerSubscriber: per.rss,
          ready: subscribed.ready,
          failed: subscribed.failed,
          firstFailure: subscribed.firstFailure,
          setupSec: subscribed.setupMs / 1000,
        },
        fanOut,
        intervalMs: interval,
      };
    } finally {
      await gateway.stop();
    }
  } finally {
    await Promise.all(clients.map((c) => c.stop()));
    await ctx.sim.call('setClockSpeed', { speed: 0 });
    // Back to the seeded world (the created cluster and its job go).
    await ctx.sim.call('seed', SEED);
  }
}
