/**
 * CPU per request of one document (the nested 100-cluster query, or `--query cluster` for
 * `cluster(id)`) for one or more builds of the gateway, measured in alternation (A B A B ...) against
 * one simulator, so every build sees the same background load. `--floor` adds the floor gateway
 * (bench/support/floor-yoga.ts) to the alternation, as one more build.
 *
 *   npx tsx bench/cpu-ab.ts [--query nested|cluster] [--floor] [--requests 300] [--concurrency 10] [--rounds 4] dist /abs/other-dist ...
 *
 * Each build runs in a process of its own (bench/support/gateway.ts); its CPU time
 * (`process.cpuUsage()`) over a batch of requests, divided by their number, is one sample.
 */
import { join, resolve } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { parseArgs } from 'node:util';
import { SEED } from './sections/context.js';
import { killAllChildren, startChild, type Child, type CpuSample } from './support/child.js';
import { closePools, getJson, median, postGraphql } from './support/measure.js';
import { CLUSTER_QUERY, NESTED_QUERY, graphqlBody } from './support/queries.js';
import type { SimulatorReady } from './support/simulator.js';
import { readProfile, summarizeProfile } from './support/profile.js';

const { values: args, positionals } = parseArgs({
  options: {
    requests: { type: 'string', default: '300' },
    concurrency: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '4' },
    query: { type: 'string', default: 'nested' },
    floor: { type: 'boolean', default: false },
    /** Also profile each build over one more batch; the summary is printed, the profile kept. */
    profile: { type: 'boolean', default: false },
  },
  allowPositionals: true,
});
const requests = Number(args.requests);
const concurrency = Number(args.concurrency);
const rounds = Number(args.rounds);
if (args.query !== 'nested' && args.query !== 'cluster') throw new Error(`--query nested|cluster, not ${args.query}`);
const builds = (positionals.length ? positionals : ['dist']).map((p) => resolve(p));
const outDir = mkdtempSync(join(tmpdir(), 'ems-gateway-cpu-ab-'));
console.log(`logs in ${outDir}`);

try {
  const sim = await startChild('simulator', 'simulator.ts', {
    env: { SIM_CLUSTER_COUNT: String(SEED.clusters), SIM_JOBS_PER_CLUSTER: String(SEED.jobsPerCluster) },
    logFile: join(outDir, 'simulator.log'),
  });
  const simReady = sim.ready as SimulatorReady;
  const gateways: { build: string; child: Child; url: string; samples: number[]; user: number[]; system: number[] }[] = [];
  for (const [i, build] of builds.entries()) {
    const child = await startChild(`gateway-${i}`, 'gateway.ts', {
      env: {
        NODE_ENV: 'production',
        BENCH_GATEWAY_DIST: build,
        EMS_ENDPOINT: simReady.url,
        EMS_PROJECT_ID: simReady.projectId,
        RATE_LIMIT_REQUESTS: '0',
        RATE_LIMIT_EMS_CALLS: '0',
        MAX_CONNECTIONS_PER_CALLER: '1000000',
        AUDIT_LOG: 'off',
      },
      logFile: join(outDir, `gateway-${i}.log`),
      execArgv: process.env.BENCH_GATEWAY_NODE_FLAGS?.split(' ').filter(Boolean),
    });
    gateways.push({ build, child, url: (child.ready as { url: string }).url, samples: [], user: [], system: [] });
  }
  if (args.floor) {
    const child = await startChild('floor', 'floor-yoga.ts', {
      env: { NODE_ENV: 'production', EMS_ENDPOINT: simReady.url, EMS_PROJECT_ID: simReady.projectId },
      logFile: join(outDir, 'floor.log'),
    });
    gateways.push({ build: 'floor', child, url: (child.ready as { url: string }).url, samples: [], user: [], system: [] });
  }
  const headers = { 'x-auth-token': simReady.token };
  let body = graphqlBody(NESTED_QUERY, { first: 100 });
  if (args.query === 'cluster') {
    const emsHeaders = { ...headers, 'x-project-id': simReady.projectId, accept: 'application/json' };
    const list = (await getJson(simReady.url, '/v1/clusters?limit=1', emsHeaders)) as { clusters: { cluster_metadata: { id: string } }[] };
    body = graphqlBody(CLUSTER_QUERY, { id: list.clusters[0]!.cluster_metadata.id });
  }
  const batch = async (url: string, n: number) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next++ < n) await postGraphql(url, body, headers);
      }),
    );
  };
  for (const g of gateways) await batch(g.url, 100);
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? gateways : [...gateways].reverse();
    for (const g of order) {
      const before = await g.child.call<CpuSample>('cpu');
      await batch(g.url, requests);
      const after = await g.child.call<CpuSample>('cpu');
      g.samples.push((after.cpuMicros - before.cpuMicros) / 1000 / requests);
      g.user.push((after.userMicros - before.userMicros) / 1000 / requests);
      g.system.push((after.systemMicros - before.systemMicros) / 1000 / requests);
    }
  }
  if (args.profile) {
    for (const [i, g] of gateways.entries()) {
      const path = join(outDir, `gateway-${i}.cpuprofile`);
      const before = await g.child.call<CpuSample>('cpu');
      await g.child.call('profileStart', { samplingIntervalMicros: 200 });
      await batch(g.url, requests);
      await g.child.call('profileStop', { path });
      const after = await g.child.call<CpuSample>('cpu');
      const perRequest = (after.cpuMicros - before.cpuMicros) / 1000 / requests;
      const summary = summarizeProfile(await readProfile(path), requests, 30);
      console.log(`\n${g.build} profiled: ${perRequest.toFixed(2)} ms CPU per request (${path})`);
      for (const a of summary.areas) console.log(`  area ${(a.share * 100).toFixed(1).padStart(5)}%  ${a.name}`);
      for (const f of summary.topFunctions) console.log(`  fn   ${(f.share * 100).toFixed(1).padStart(5)}%  ${f.name}`);
      for (const m of summary.topModules) console.log(`  mod  ${(m.share * 100).toFixed(1).padStart(5)}%  ${m.name}`);
    }
  }
  for (const g of gateways) {
    console.log(`${g.build}: median ${median(g.samples).toFixed(2)} ms CPU per ${args.query} request (${g.samples.map((s) => s.toFixed(2)).join(', ')}); user ${median(g.user).toFixed(2)}, system ${median(g.system).toFixed(2)}`);
  }
} finally {
  killAllChildren();
  await closePools();
}
process.exit(0);
