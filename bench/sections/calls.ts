/**
 * Upstream cost of the nested query as the project grows: EMS calls per operation of
 * `clusters(first: 100) { jobs { tasks } release }` for 10, 100 and 1,000 seeded clusters, and with
 * `labels` added (one ListClustersLabels per distinct CCE cluster, at most 8 in flight; measured with
 * 5 ms of upstream latency so concurrency shows). The tests assert these counts; this prints them.
 */
import type { Child } from '../support/child.js';
import { postGraphql } from '../support/measure.js';
import { NESTED_QUERY, NESTED_WITH_LABELS_QUERY, graphqlBody } from '../support/queries.js';
import { SEED, type BenchContext } from './context.js';

export interface CallsRow {
  clusters: number;
  jobsPerCluster: number;
  calls: Record<string, number>;
  total: number;
  withLabels: { total: number; labelCalls: number; labelsInFlight: number };
}

type Stats = { calls: Record<string, number>; maxInFlight: Record<string, number> };

export async function callsSection(ctx: BenchContext, gateway: Child & { ready: { url: string } }): Promise<CallsRow[]> {
  const rows: CallsRow[] = [];
  const query = (q: string) => postGraphql(gateway.ready.url, graphqlBody(q, { first: 100 }), ctx.gatewayHeaders);
  try {
    for (const [clusters, jobsPerCluster] of [[10, 3], [100, 3], [1000, 0], [1000, 3]] as const) {
      await ctx.sim.call('seed', { clusters, jobsPerCluster });
      await ctx.sim.call('resetStats');
      await query(NESTED_QUERY);
      const plain = await ctx.sim.call<Stats>('stats');
      await ctx.sim.call('setLatency', { ms: 5 });
      await ctx.sim.call('resetStats');
      await query(NESTED_WITH_LABELS_QUERY);
      const labels = await ctx.sim.call<Stats>('stats');
      await ctx.sim.call('setLatency', { ms: 0 });
      const sum = (calls: Record<string, number>) => Object.values(calls).reduce((s, n) => s + n, 0);
      const row: CallsRow = {
        clusters,
        jobsPerCluster,
        calls: plain.calls,
        total: sum(plain.calls),
        withLabels: {
          total: sum(labels.calls),
          labelCalls: labels.calls.ListClustersLabels ?? 0,
          labelsInFlight: labels.maxInFlight.ListClustersLabels ?? 0,
        },
      };
      rows.push(row);
      ctx.log(`  ${clusters} clusters × ${jobsPerCluster} jobs: ${row.total} calls ${JSON.stringify(row.calls)}; with labels ${row.withLabels.total} (${row.withLabels.labelCalls} ListClustersLabels, ${row.withLabels.labelsInFlight} in flight)`);
    }
  } finally {
    await ctx.sim.call('setLatency', { ms: 0 });
    await ctx.sim.call('seed', SEED);
  }
  return rows;
}
