/**
 * Upstream cost and latency of nested reads through the gateway, against the simulator over real HTTP.
 *
 * Prints, for 10, 100 and 1,000 seeded clusters, the EMS calls per operation of
 * `clusters(first: 100) { jobs { tasks, cluster }, release }` (and with `labels`), then the latency
 * of that query for 100 clusters with 10 ms added to every upstream response.
 *
 *   npm run bench:batching [-- --runs 50 --latency 10]
 */
import { parseArgs } from 'node:util';
import type { EmsOperation } from '../src/ems/api.js';
import { startHarness, type Harness } from '../test/fixtures/harness.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '50' },
    latency: { type: 'string', default: '10' },
  },
});
const runs = Number(values.runs);
const latencyMs = Number(values.latency);

const NESTED = /* GraphQL */ `
  query Nested($first: Int) {
    clusters(first: $first) {
      edges { node { id jobs { totalCount edges { node { id tasks { id status } cluster { id } } } } release { version } } }
    }
  }
`;
const NESTED_WITH_LABELS = NESTED.replace('release { version }', 'release { version } labels { key value }');

function calls(h: Harness): Record<string, number> {
  return Object.fromEntries(Object.entries(h.sim.stats.calls).filter(([, n]) => n > 0)) as Record<EmsOperation, number>;
}

async function run(h: Harness, query: string): Promise<number> {
  const started = performance.now();
  const result = await h.gql(query, { first: 100 });
  const elapsed = performance.now() - started;
  if (result.errors?.length) throw new Error(`query failed: ${JSON.stringify(result.errors[0])}`);
  return elapsed;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function latency(h: Harness, addedMs: number) {
  h.sim.setFaults({ latencyMs: addedMs });
  for (let i = 0; i < 5; i++) await run(h, NESTED);
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) samples.push(await run(h, NESTED));
  h.sim.resetFaults();
  samples.sort((a, b) => a - b);
  return `median ${percentile(samples, 50).toFixed(1)} ms, p95 ${percentile(samples, 95).toFixed(1)} ms, min ${samples[0]!.toFixed(1)} ms`;
}

const h = await startHarness();
try {
  console.log('EMS calls of clusters(first: 100) { jobs { tasks, cluster } release }, then with labels (5 ms upstream latency)');
  console.log('clusters | jobs/cluster | calls | per operation                                     | + labels | ListClustersLabels | in flight');
  for (const [count, jobsPerCluster] of [[10, 3], [100, 3], [1000, 0], [1000, 3]] as const) {
    h.sim.seedClusters(count, { jobsPerCluster });
    h.sim.stats.reset();
    await run(h, NESTED);
    const plain = calls(h);
    const plainTotal = h.sim.stats.count();
    h.sim.setFaults({ latencyMs: 5 });
    h.sim.stats.reset();
    await run(h, NESTED_WITH_LABELS);
    h.sim.resetFaults();
    console.log(
      [
        String(count).padStart(8),
        String(jobsPerCluster).padStart(12),
        String(plainTotal).padStart(5),
        JSON.stringify(plain).padEnd(49),
        String(h.sim.stats.count()).padStart(8),
        String(h.sim.stats.calls.ListClustersLabels).padStart(18),
        String(h.sim.stats.maxInFlight.ListClustersLabels).padStart(9),
      ].join(' | '),
    );
  }

  h.sim.seedClusters(100, { jobsPerCluster: 3 });
  console.log(`\nLatency of the nested query on 100 clusters x 3 jobs (${runs} runs after 5 warm-up runs):`);
  console.log(`  ${String(latencyMs).padStart(3)} ms added upstream: ${await latency(h, latencyMs)}`);
  console.log(`    0 ms added upstream: ${await latency(h, 0)}`);
  h.sim.stats.reset();
  await run(h, NESTED);
  console.log(`  upstream calls per query: ${h.sim.stats.count()} ${JSON.stringify(calls(h))}`);
} finally {
  await h.close();
}
