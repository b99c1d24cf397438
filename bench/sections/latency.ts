/**
 * Latency: the gateway and the floor gateway (bench/support/floor-yoga.ts) against direct REST, one
 * request at a time, for `cluster(id)` and the nested 100-cluster query, at each added upstream
 * latency. The three take turns request by request, so they see the same background load.
 *
 * Direct REST is a plain keep-alive HTTP client (undici, as the gateway uses) issuing exactly the
 * EMS calls the gateway made for the same query, in the same rounds (calls of one round
 * concurrently), and parsing every body. The calls and rounds are read from the simulator's log,
 * so the baseline follows the gateway if its upstream plan changes.
 */
import type { Child } from '../support/child.js';
import { getJson, percentile, postGraphql, repeated, sampleTurns, type Repeated } from '../support/measure.js';
import { CLUSTER_QUERY, NESTED_QUERY, graphqlBody } from '../support/queries.js';
import { firstClusterId, type BenchContext } from './context.js';

export interface UpstreamPlan {
  /** Paths (with query) of each round; the calls of a round run concurrently. */
  rounds: string[][];
  calls: number;
}

export interface LatencyRow {
  query: 'cluster' | 'nested';
  addedMs: number;
  direct: { p50: Repeated; p99: Repeated };
  gateway: { p50: Repeated; p99: Repeated };
  /** The floor gateway: a bare Yoga over the same upstream, for the same document. */
  floor: { p50: Repeated; p99: Repeated };
  /** Medians over the repeats of gateway / direct, each repeat's sides measured in turns. */
  ratioP50: number;
  ratioP99: number;
  /** The same of floor / direct: how far above direct REST any GraphQL front is on this machine. */
  floorRatioP50: number;
  floorRatioP99: number;
  /** The same of gateway / floor. */
  vsFloorP50: number;
  vsFloorP99: number;
}

export interface LatencyResult {
  plans: Record<LatencyRow['query'], UpstreamPlan>;
  rows: LatencyRow[];
  samples: number;
  repeats: number;
}

type LogEntry = { method: string; path: string; at: number };

/** The EMS calls of one gateway request, grouped in rounds by their start times (with `gapMs` of added latency). */
export async function discoverPlan(ctx: BenchContext, send: () => Promise<unknown>, gapMs = 40): Promise<UpstreamPlan> {
  await ctx.sim.call('setLatency', { ms: gapMs });
  await ctx.sim.call('resetStats');
  await send();
  const { log } = await ctx.sim.call<{ log: LogEntry[] }>('stats');
  await ctx.sim.call('setLatency', { ms: 0 });
  const rounds: string[][] = [];
  let roundStart = Number.NEGATIVE_INFINITY;
  for (const entry of [...log].sort((a, b) => a.at - b.at)) {
    if (entry.method !== 'GET') throw new Error(`the gateway made a ${entry.method} for a query: ${entry.path}`);
    if (entry.at - roundStart >= gapMs / 2) {
      rounds.push([]);
      roundStart = entry.at;
    }
    rounds.at(-1)!.push(entry.path);
  }
  return { rounds, calls: log.length };
}

export async function latencySection(
  ctx: BenchContext,
  gateway: Child & { ready: { url: string } },
  floor: Child & { ready: { url: string } },
): Promise<LatencyResult> {
  const { samples, warmup, repeats, latencies } = ctx.options;
  const clusterId = await firstClusterId(ctx);
  const queries = {
    cluster: graphqlBody(CLUSTER_QUERY, { id: clusterId }),
    nested: graphqlBody(NESTED_QUERY, { first: 100 }),
  };
  const viaGateway = (body: string) => () => postGraphql(gateway.ready.url, body, ctx.gatewayHeaders);
  const viaFloor = (body: string) => () => postGraphql(floor.ready.url, body, ctx.gatewayHeaders);
  const plans = {
    cluster: await discoverPlan(ctx, viaGateway(queries.cluster)),
    nested: await discoverPlan(ctx, viaGateway(queries.nested)),
  };
  for (const [name, plan] of Object.entries(plans)) {
    ctx.log(`  ${name}: ${plan.calls} EMS calls in ${plan.rounds.length} rounds: ${plan.rounds.map((r) => `[${r.join(', ')}]`).join(' then ')}`);
  }
  const direct = (plan: UpstreamPlan) => async () => {
    for (const round of plan.rounds) await Promise.all(round.map((path) => getJson(ctx.simReady.url, path, ctx.emsHeaders)));
  };

  const rows: LatencyRow[] = [];
  try {
    for (const addedMs of latencies) {
      await ctx.sim.call('setLatency', { ms: addedMs });
      for (const query of ['cluster', 'nested'] as const) {
        const sides = [direct(plans[query]), viaGateway(queries[query]), viaFloor(queries[query])];
        await sampleTurns(sides, warmup);
        const runs: { direct: number[]; gateway: number[]; floor: number[] }[] = [];
        for (let r = 0; r < repeats; r++) {
          const [d, g, f] = (await sampleTurns(sides, samples)).map((list) => list.sort((x, y) => x - y));
          runs.push({ direct: d!, gateway: g!, floor: f! });
        }
        type Side = keyof (typeof runs)[number];
        const at = (side: Side, p: number) => repeated(runs.map((run) => percentile(run[side], p)));
        const ratioAt = (over: Side, under: Side, p: number) =>
          repeated(runs.map((run) => percentile(run[over], p) / percentile(run[under], p))).median;
        const row: LatencyRow = {
          query,
          addedMs,
          direct: { p50: at('direct', 50), p99: at('direct', 99) },
          gateway: { p50: at('gateway', 50), p99: at('gateway', 99) },
          floor: { p50: at('floor', 50), p99: at('floor', 99) },
          ratioP50: ratioAt('gateway', 'direct', 50),
          ratioP99: ratioAt('gateway', 'direct', 99),
          floorRatioP50: ratioAt('floor', 'direct', 50),
          floorRatioP99: ratioAt('floor', 'direct', 99),
          vsFloorP50: ratioAt('gateway', 'floor', 50),
          vsFloorP99: ratioAt('gateway', 'floor', 99),
        };
        rows.push(row);
        ctx.log(
          `  ${query.padEnd(7)} +${addedMs} ms: direct ${row.direct.p50.median.toFixed(1)} / ${row.direct.p99.median.toFixed(1)} ms, ` +
            `floor ${row.floor.p50.median.toFixed(1)} / ${row.floor.p99.median.toFixed(1)} ms (×${row.floorRatioP50.toFixed(2)} / ×${row.floorRatioP99.toFixed(2)}), ` +
            `gateway ${row.gateway.p50.median.toFixed(1)} / ${row.gateway.p99.median.toFixed(1)} ms (×${row.ratioP50.toFixed(2)} / ×${row.ratioP99.toFixed(2)}; ` +
            `×${row.vsFloorP50.toFixed(2)} / ×${row.vsFloorP99.toFixed(2)} of the floor) (p50 / p99)`,
        );
      }
    }
  } finally {
    await ctx.sim.call('setLatency', { ms: 0 });
  }
  return { plans, rows, samples, repeats };
}
