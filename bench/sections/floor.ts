/**
 * The floor gateway (bench/support/floor-yoga.ts): started for the latency and throughput sections,
 * and checked before they measure it. For both documents, the floor must answer with the gateway's
 * shape (as many clusters, jobs and tasks) and make the gateway's EMS calls; otherwise it would not
 * be a floor of the same work, and the run stops. Whether the two answers are also identical, and
 * the calls fell in the same rounds, is reported (for the seeded simulator on a quiet machine they
 * should be).
 */
import { isDeepStrictEqual } from 'node:util';
import { join } from 'node:path';
import { startChild, type Child } from '../support/child.js';
import { postGraphql } from '../support/measure.js';
import { CLUSTER_QUERY, NESTED_QUERY, graphqlBody } from '../support/queries.js';
import { firstClusterId, type BenchContext } from './context.js';
import { discoverPlan, type UpstreamPlan } from './latency.js';

export interface FloorCheck {
  query: 'cluster' | 'nested';
  /** Clusters, jobs and tasks in the answer's `data` (the same for floor and gateway). */
  counts: Counts;
  /** Whether the floor's `data` equals the gateway's. */
  identical: boolean;
  /** The floor's EMS calls of one request (the same calls as the gateway's). */
  plan: UpstreamPlan;
  /** Whether the calls fell in the same rounds for both, as timed. */
  sameRounds: boolean;
}

interface Counts {
  clusters: number;
  jobs: number;
  tasks: number;
}

type Node = { jobs?: { edges: { node: { tasks: unknown[] } | null }[] } | null } | null;

/** Clusters, jobs and tasks in the `data` of CLUSTER_QUERY or NESTED_QUERY. */
export function countsOf(data: unknown): Counts {
  const d = data as { cluster?: Node; clusters?: { edges: { node: Node }[] } };
  const clusters = d.clusters ? d.clusters.edges.map((e) => e.node) : d.cluster ? [d.cluster] : [];
  const jobs = clusters.flatMap((c) => c?.jobs?.edges.map((e) => e.node) ?? []);
  return { clusters: clusters.length, jobs: jobs.length, tasks: jobs.reduce((n, j) => n + (j?.tasks.length ?? 0), 0) };
}

/** Starts the floor gateway in its own process, NODE_ENV=production, on the simulator. */
export async function startFloor(ctx: BenchContext): Promise<Child & { ready: { url: string } }> {
  return (await startChild('floor', 'floor-yoga.ts', {
    env: { NODE_ENV: 'production', EMS_ENDPOINT: ctx.simReady.url, EMS_PROJECT_ID: ctx.simReady.projectId },
    logFile: join(ctx.outDir, 'floor.log'),
  })) as Child & { ready: { url: string } };
}

/** Compares the floor's answers and EMS calls with the gateway's; throws when they differ in shape or calls. */
export async function checkFloor(
  ctx: BenchContext,
  gateway: Child & { ready: { url: string } },
  floor: Child & { ready: { url: string } },
): Promise<FloorCheck[]> {
  const clusterId = await firstClusterId(ctx);
  const bodies = { cluster: graphqlBody(CLUSTER_QUERY, { id: clusterId }), nested: graphqlBody(NESTED_QUERY, { first: 100 }) };
  const checks: FloorCheck[] = [];
  for (const query of ['cluster', 'nested'] as const) {
    let ours: unknown;
    let theirs: unknown;
    const gatewayPlan = await discoverPlan(ctx, async () => (ours = await postGraphql(gateway.ready.url, bodies[query], ctx.gatewayHeaders)));
    const floorPlan = await discoverPlan(ctx, async () => (theirs = await postGraphql(floor.ready.url, bodies[query], ctx.gatewayHeaders)));
    const counts = countsOf(ours);
    const floorCounts = countsOf(theirs);
    if (!isDeepStrictEqual(counts, floorCounts)) {
      throw new Error(`the floor's ${query} answer has ${JSON.stringify(floorCounts)}, the gateway's ${JSON.stringify(counts)}`);
    }
    // The calls must be the same; their rounds are told apart by time, which a crowded machine can
    // blur (a process waiting for a core starts a call of the same round late), so they are shown.
    const calls = (plan: UpstreamPlan) => plan.rounds.flat().sort();
    if (!isDeepStrictEqual(calls(gatewayPlan), calls(floorPlan))) {
      throw new Error(`the floor's EMS calls for ${query} differ from the gateway's: ${JSON.stringify(floorPlan.rounds)} against ${JSON.stringify(gatewayPlan.rounds)}`);
    }
    const sameRounds = isDeepStrictEqual(
      gatewayPlan.rounds.map((round) => [...round].sort()),
      floorPlan.rounds.map((round) => [...round].sort()),
    );
    if (!sameRounds) {
      ctx.log(`  ${query}: rounds as timed differ: floor ${JSON.stringify(floorPlan.rounds)}, gateway ${JSON.stringify(gatewayPlan.rounds)}`);
    }
    const identical = isDeepStrictEqual(ours, theirs);
    checks.push({ query, counts, identical, plan: floorPlan, sameRounds });
    const n = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`;
    ctx.log(
      `  ${query}: floor and gateway answer ${n(counts.clusters, 'cluster')}, ${n(counts.jobs, 'job')}, ${n(counts.tasks, 'task')}` +
        `${identical ? ', identical data' : ' (the data differs in values)'}, with the same ${n(floorPlan.calls, 'EMS call')}` +
        `${sameRounds ? ` in ${n(floorPlan.rounds.length, 'round')}` : ''}`,
    );
  }
  return checks;
}
