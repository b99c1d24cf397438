/**
 * Profiles: a CPU profile of the gateway under load (autocannon, `connections` connections, no added
 * upstream latency), once for `cluster(id)` and once for the nested query, each in a fresh gateway
 * process; then one of the subscription fan-out (2,000 graphql-ws subscribers on one job, during
 * the timed changes), with heap snapshots of the gateway before and after the subscribers connect,
 * summarized as what each subscriber adds, by kind of object. The profile covers exactly the measured load (the inspector's Profiler, which writes the
 * same `.cpuprofile` as `node --cpu-prof`), not start-up or TypeScript compilation. The files stay
 * in bench/profiles/ (open them in Chrome DevTools or speedscope); the summary goes to BENCHMARKS.md.
 */
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { heapGrowth, type HeapGrowth } from '../support/heap.js';
import { runLoad } from '../support/measure.js';
import { readProfile, summarizeProfile, type ProfileSummary } from '../support/profile.js';
import { CLUSTER_QUERY, NESTED_QUERY, graphqlBody } from '../support/queries.js';
import { firstClusterId, sleep, startGateway, type BenchContext } from './context.js';
import { subscriptionsSection } from './subscriptions.js';

export const PROFILE_DIR = fileURLToPath(new URL('../profiles/', import.meta.url));

/** Subscribers of the fan-out profile (fewer if --subscribers says so). */
const PROFILE_SUBSCRIBERS = 2_000;

export interface ProfileResult {
  query: 'cluster' | 'nested' | 'fan-out';
  file: string;
  /** Requests per second (fan-out: messages delivered per second). */
  rps: number;
  /** CPU ms per request (fan-out: per message delivered) of the gateway while profiled (the profiler adds a little). */
  cpuPerRequestMs: number;
  /** Fan-out: subscribers on the job, and what the gateway's heap grew by per subscriber. */
  subscribers?: number;
  heap?: { totalBytes: number; top: HeapGrowth[] };
  summary: ProfileSummary;
}

export async function profileSection(ctx: BenchContext): Promise<ProfileResult[]> {
  const { connections, profileDurationSec, profileSamplingMicros, warmupSec } = ctx.options;
  await mkdir(PROFILE_DIR, { recursive: true });
  const clusterId = await firstClusterId(ctx);
  const bodies = { cluster: graphqlBody(CLUSTER_QUERY, { id: clusterId }), nested: graphqlBody(NESTED_QUERY, { first: 100 }) };
  const results: ProfileResult[] = [];
  for (const query of ['cluster', 'nested'] as const) {
    const gateway = await startGateway(ctx);
    try {
      const target = {
        url: gateway.ready.url,
        method: 'POST' as const,
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', ...ctx.gatewayHeaders },
        body: bodies[query],
      };
      // A fresh process: warm it up longer than the throughput runs do, so the profile shows optimized code.
      const warm = await runLoad(target, { connections, durationSec: warmupSec * 2 });
      // The warm-up ends by cutting off the requests in flight; let the gateway finish with them.
      await sleep(1_000);
      await gateway.call('profileStart', { samplingIntervalMicros: profileSamplingMicros });
      const requests = Math.max(connections * 10, Math.round(warm.rps * profileDurationSec));
      const load = await runLoad(target, { connections, durationSec: profileDurationSec, requests, watch: [gateway] });
      const file = `${PROFILE_DIR}${query}.cpuprofile`;
      await gateway.call('profileStop', { path: file });
      const summary = summarizeProfile(await readProfile(file), load.requests);
      results.push({ query, file, rps: load.rps, cpuPerRequestMs: load.cpu.gateway!.perRequestMs, summary });
      ctx.log(`  ${query}: ${Math.round(load.rps)} rps while profiled; ${file}`);
      for (const f of summary.topFunctions.slice(0, 8)) ctx.log(`    ${(f.share * 100).toFixed(1).padStart(5)}%  ${f.name}`);
    } finally {
      await gateway.stop();
    }
  }

  // The fan-out of job changes to graphql-ws subscribers (no baseline: only the gateway matters here).
  const subscribers = Math.min(ctx.options.subscribers, PROFILE_SUBSCRIBERS);
  const file = `${PROFILE_DIR}fan-out.cpuprofile`;
  const heapSnapshots = { before: `${PROFILE_DIR}subscribers-before.heapsnapshot`, after: `${PROFILE_DIR}subscribers-after.heapsnapshot` };
  const run = await subscriptionsSection(ctx, { subscribers, baseline: false, profileFile: file, heapSnapshots });
  if (!run.fanOut) throw new Error('no change of the job reached the subscribers while profiling');
  const summary = summarizeProfile(await readProfile(file), run.fanOut.deliveries);
  results.push({
    query: 'fan-out',
    file,
    rps: run.fanOut.deliveries / (summary.wallMs / 1000),
    cpuPerRequestMs: run.fanOut.gatewayCpuPerDeliveryMicros / 1000,
    subscribers,
    heap: await heapGrowth(heapSnapshots.before, heapSnapshots.after, run.gateway.ready),
    summary,
  });
  ctx.log(`  fan-out: ${run.fanOut.deliveries} messages to ${subscribers} subscribers; ${file}`);
  for (const f of summary.topFunctions.slice(0, 8)) ctx.log(`    ${(f.share * 100).toFixed(1).padStart(5)}%  ${f.name}`);
  return results;
}
