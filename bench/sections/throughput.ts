/**
 * Throughput with `connections` concurrent connections (autocannon, in the bench process):
 * a bare Yoga hello-world, the floor gateway's and the gateway's `cluster(id)`, the upstream's
 * ShowCluster alone (to show the simulator is not what limits the gateway), and the floor gateway's
 * and the gateway's nested 100-cluster query. Each run also reads the CPU time of the server
 * processes, giving CPU per request. The targets take turns within each repeat, so background load
 * falls on all of them alike.
 */
import { join } from 'node:path';
import { startChild, type Child } from '../support/child.js';
import { repeated, runLoad, type LoadResult, type LoadTarget, type Repeated } from '../support/measure.js';
import { CLUSTER_QUERY, HELLO_QUERY, NESTED_QUERY, graphqlBody } from '../support/queries.js';
import { firstClusterId, sleep, type BenchContext } from './context.js';

export type TargetName = 'yoga' | 'floorCluster' | 'cluster' | 'upstream' | 'floorNested' | 'nested';

export interface TargetResult {
  rps: Repeated;
  p50: Repeated;
  p99: Repeated;
  /** CPU ms per request by process (gateway, floor, yoga, simulator). */
  cpuPerRequestMs: Record<string, Repeated>;
  /** Share of one core each process was busy. */
  coreShare: Record<string, Repeated>;
}

export interface ThroughputResult {
  connections: number;
  durationSec: number;
  repeats: number;
  addedMs: number;
  targets: Record<TargetName, TargetResult>;
}

export async function throughputSection(
  ctx: BenchContext,
  gateway: Child & { ready: { url: string } },
  floor: Child & { ready: { url: string } },
): Promise<ThroughputResult> {
  const { connections, durationSec, warmupSec, repeats, throughputLatency } = ctx.options;
  const yoga = await startChild('yoga', 'hello-yoga.ts', { env: { NODE_ENV: 'production' }, logFile: join(ctx.outDir, 'yoga.log') });
  try {
    const clusterId = await firstClusterId(ctx);
    const post = (url: string, body: string): LoadTarget => ({
      url,
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', ...ctx.gatewayHeaders },
      body,
    });
    const targets: Record<TargetName, { target: LoadTarget; watch: Child[] }> = {
      yoga: { target: post((yoga.ready as { url: string }).url, graphqlBody(HELLO_QUERY)), watch: [yoga] },
      floorCluster: { target: post(floor.ready.url, graphqlBody(CLUSTER_QUERY, { id: clusterId })), watch: [floor, ctx.sim] },
      cluster: { target: post(gateway.ready.url, graphqlBody(CLUSTER_QUERY, { id: clusterId })), watch: [gateway, ctx.sim] },
      upstream: { target: { url: `${ctx.simReady.url}/v1/clusters/${clusterId}`, headers: ctx.emsHeaders }, watch: [ctx.sim] },
      floorNested: { target: post(floor.ready.url, graphqlBody(NESTED_QUERY, { first: 100 })), watch: [floor, ctx.sim] },
      nested: { target: post(gateway.ready.url, graphqlBody(NESTED_QUERY, { first: 100 })), watch: [gateway, ctx.sim] },
    };
    await ctx.sim.call('setLatency', { ms: throughputLatency });
    // Each measured run sends as many requests as the last run of that target managed in
    // `durationSec` (the warm-up's rate first), and waits for all of them.
    const rate = new Map<TargetName, number>();
    for (const [name, { target }] of Object.entries(targets) as [TargetName, (typeof targets)[TargetName]][]) {
      ctx.log(`  warming up ${name} (${warmupSec} s)`);
      rate.set(name, (await runLoad(target, { connections, durationSec: warmupSec })).rps);
    }
    // The warm-ups end by cutting off the requests in flight; let the servers finish with them.
    await sleep(1_000);
    const runs = new Map<TargetName, LoadResult[]>();
    for (let r = 0; r < repeats; r++) {
      for (const [name, { target, watch }] of Object.entries(targets) as [TargetName, (typeof targets)[TargetName]][]) {
        const requests = Math.max(connections * 10, Math.round(rate.get(name)! * durationSec));
        const result = await runLoad(target, { connections, durationSec, requests, watch });
        rate.set(name, result.rps);
        runs.set(name, [...(runs.get(name) ?? []), result]);
        const cpu = Object.entries(result.cpu)
          .map(([proc, c]) => `${proc} ${c.perRequestMs.toFixed(3)} ms/req (${Math.round(c.coreShare * 100)}% of a core)`)
          .join(', ');
        ctx.log(`  run ${r + 1}/${repeats} ${name.padEnd(12)} ${Math.round(result.rps)} rps, p50 ${result.p50} ms, p99 ${result.p99} ms; ${cpu}`);
      }
    }
    const summarize = (list: LoadResult[]): TargetResult => {
      const procs = Object.keys(list[0]!.cpu);
      return {
        rps: repeated(list.map((x) => x.rps)),
        p50: repeated(list.map((x) => x.p50)),
        p99: repeated(list.map((x) => x.p99)),
        cpuPerRequestMs: Object.fromEntries(procs.map((p) => [p, repeated(list.map((x) => x.cpu[p]!.perRequestMs))])),
        coreShare: Object.fromEntries(procs.map((p) => [p, repeated(list.map((x) => x.cpu[p]!.coreShare))])),
      };
    };
    return {
      connections,
      durationSec,
      repeats,
      addedMs: throughputLatency,
      targets: Object.fromEntries([...runs].map(([name, list]) => [name, summarize(list)])) as Record<TargetName, TargetResult>,
    };
  } finally {
    await ctx.sim.call('setLatency', { ms: 0 });
    await yoga.stop();
  }
}
