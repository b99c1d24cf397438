/**
 * `npm run bench:resilience`: what restarts and outages cost, with the default settings.
 *
 *   stall     p50/p99/max of a query while EMS stalls completely (connections accepted, no answer),
 *             under a steady load; when the breaker opens after the stall begins, and when it
 *             closes after EMS answers again
 *   sigterm   operations in flight when SIGTERM arrives (queries and createCluster mutations on a
 *             slow EMS), and how many of them were lost (goal: 0)
 *   takeover  the gap in polls of a watched job when the replica that polls it is stopped (SIGTERM)
 *             or killed (SIGKILL), with three gateway processes and a Redis of their own
 *
 *   npm run bench:resilience                    every section
 *   npm run bench:resilience -- --only stall    one section (stall, sigterm, takeover)
 *   npm run bench:resilience -- --stall-seconds 30 --rps 20
 *
 * Not a test: `npm test` and CI do not run it. Prints its figures; nothing is written.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createSimulator, type EmsSimulator } from '../src/simulator/index.js';
import { startGateway, startRedisServer } from '../test/fixtures/processes.js';
import { requireRedisServer } from '../test/fixtures/services.js';
import { JobProgressDocument } from '../test/generated/graphql.js';
import { createClusterJob, pollsOf, subscribe, wsClient } from '../test/subscriptions/live-helpers.js';

const { values: args } = parseArgs({
  options: {
    only: { type: 'string' },
    'stall-seconds': { type: 'string', default: '20' },
    rps: { type: 'string', default: '20' },
  },
});
const only = new Set((args.only ?? 'stall,sigterm,takeover').split(',').map((s) => s.trim()));

const QUERY = '{ clusters(first: 5) { totalCount edges { node { id name status } } } }';

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

const ms = (n: number) => `${Math.round(n)} ms`;

/** The environment of a gateway with every setting at its default, pointed at `sim`. */
function defaultsFor(sim: EmsSimulator): Record<string, string> {
  return {
    EMS_ENDPOINT: sim.url,
    EMS_PROJECT_ID: sim.credentials.projectId,
    DATA_DIR: mkdtempSync(join(tmpdir(), 'ems-gateway-bench-')),
    AUDIT_LOG: 'off',
    LOG_LEVEL: 'silent',
  };
}

async function post(url: string, token: string, query: string, variables: Record<string, unknown> = {}) {
  const started = performance.now();
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-auth-token': token },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: any; errors?: { extensions?: { code?: string } }[] };
    return { ms: performance.now() - started, ok: !body.errors, code: body.errors?.[0]?.extensions?.code ?? null, body };
  } catch (error) {
    return { ms: performance.now() - started, ok: false, code: `transport: ${(error as Error).message}`, body: null };
  }
}

async function stallSection(): Promise<void> {
  const seconds = Number(args['stall-seconds']);
  const rps = Number(args.rps);
  const sim = createSimulator({ clockSpeed: 1 });
  await sim.start();
  // The breaker's transitions, from the gateway's own log lines.
  const transitions: { state: string; at: number }[] = [];
  const logger = pino(
    { level: 'info' },
    {
      write(line: string) {
        const entry = JSON.parse(line) as { circuit?: string };
        if (entry.circuit) transitions.push({ state: entry.circuit, at: performance.now() });
      },
    },
  );
  const app = await buildApp(loadConfig(defaultsFor(sim)), { logger });
  const url = await app.start(0, '127.0.0.1');
  const token = sim.credentials.token;
  await post(url, token, QUERY);

  const results: { ms: number; ok: boolean; code: string | null }[] = [];
  const pending: Promise<unknown>[] = [];
  const stallStart = performance.now();
  sim.setFaults({ latencyMs: 10 * 60_000 });
  for (let i = 0; i < seconds * rps; i++) {
    pending.push(post(url, token, QUERY).then((r) => results.push(r)));
    await sleep(1000 / rps);
  }
  await Promise.all(pending);
  const recoverAt = performance.now();
  sim.resetFaults();
  // Healthy traffic again: when does the circuit close, and what do callers meanwhile get?
  let firstOk = NaN;
  for (let i = 0; i < 30 * rps && !(firstOk >= 0); i++) {
    const r = await post(url, token, QUERY);
    if (r.ok) firstOk = performance.now() - recoverAt;
    else await sleep(1000 / rps);
  }
  const opened = transitions.find((t) => t.state === 'open' && t.at >= stallStart);
  const closed = transitions.find((t) => t.state === 'closed' && t.at >= recoverAt);
  const sorted = results.map((r) => r.ms).sort((a, b) => a - b);
  const codes = new Map<string, number>();
  for (const r of results) codes.set(r.code ?? 'OK', (codes.get(r.code ?? 'OK') ?? 0) + 1);

  console.log(`\n## Full EMS stall, defaults (${seconds} s at ${rps} queries/s, ${results.length} queries)`);
  console.log(`query latency: p50 ${ms(quantile(sorted, 0.5))}, p99 ${ms(quantile(sorted, 0.99))}, max ${ms(sorted.at(-1)!)}`);
  console.log(`answers: ${[...codes].map(([c, n]) => `${c} ×${n}`).join(', ')}`);
  console.log(`breaker opened ${opened ? ms(opened.at - stallStart) : 'never'} after the stall began`);
  console.log(`breaker closed ${closed ? ms(closed.at - recoverAt) : 'not yet'} after EMS answered again; first successful query after ${ms(firstOk)}`);
  await app.stop(0);
  await sim.stop();
}

async function sigtermSection(): Promise<void> {
  const sim = createSimulator({ clockSpeed: 1 });
  await sim.start();
  const gateway = await startGateway({ ...defaultsFor(sim), LOG_LEVEL: 'warn' });
  const token = sim.credentials.token;
  sim.setFaults({ latencyMs: 1_500, operations: ['ListClusters', 'CreateCluster'] });
  sim.stats.reset();
  const queries = Array.from({ length: 50 }, () => post(gateway.url, token, QUERY));
  const mutation = `mutation($input: CreateClusterInput!) { createCluster(input: $input) { __typename ... on CreateClusterPayload { clusterId } } }`;
  const mutations = Array.from({ length: 10 }, () =>
    post(gateway.url, token, mutation, { input: { name: `bench-${randomUUID().slice(0, 8)}`, k8s: { k8sClusterId: randomUUID() }, idempotencyKey: randomUUID() } }),
  );
  while ((sim.stats.calls.CreateCluster ?? 0) < 10 || (sim.stats.calls.ListClusters ?? 0) < 50) await sleep(20);
  const termAt = performance.now();
  gateway.child.kill('SIGTERM');
  const [q, m, exit] = await Promise.all([Promise.all(queries), Promise.all(mutations), gateway.exited]);
  const exitedAfter = performance.now() - termAt;
  const lost = [...q, ...m].filter((r) => !r.ok);
  const created = m.filter((r) => r.body?.data?.createCluster?.__typename === 'CreateClusterPayload').length;
  console.log('\n## SIGTERM with 50 queries and 10 createCluster in flight (EMS answering after 1.5 s)');
  console.log(`lost: ${lost.length} of 60${lost.length ? ` (${lost.map((r) => r.code).join(', ')})` : ''}; clusters created and reported: ${created} of 10`);
  console.log(`exit code ${String(exit)} after ${ms(exitedAfter)}`);
  await sim.stop();
}

async function takeoverSection(): Promise<void> {
  const redisServer = await requireRedisServer('bench:resilience takeover');
  if (!redisServer) return;
  const interval = 1_000;
  for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
    const sim = createSimulator({ clockSpeed: 1 });
    await sim.start();
    const redis = await startRedisServer(redisServer.path);
    const env = { ...defaultsFor(sim), REDIS_URL: redis.url, POLL_ACTIVE_MS: String(interval), LOG_LEVEL: 'warn' };
    const gateways = await Promise.all([startGateway(env), startGateway(env), startGateway(env)]);
    const { jobId } = await createClusterJob(sim);
    const clients = gateways.map((g) => wsClient(g.url, sim.credentials.token));
    const subs = clients.map((c) => subscribe(c, JobProgressDocument, { id: jobId }));
    while (!subs.every((s) => s.values.length >= 1)) await sleep(20);
    await sleep(3 * interval);
    const polling = await Promise.all(
      gateways.map(async (g) => Number(/^ems_subscription_polling (\S+)$/m.exec(await (await fetch(new URL('/metrics', g.url))).text())?.[1])),
    );
    const poller = gateways[polling.indexOf(1)]!;
    const stopAt = Date.now();
    poller.child.kill(signal);
    await poller.exited;
    while (!pollsOf(sim, jobId).some((p) => p.at > stopAt)) await sleep(20);
    const before = pollsOf(sim, jobId).filter((p) => p.at <= stopAt).at(-1)!;
    const after = pollsOf(sim, jobId).find((p) => p.at > stopAt)!;
    console.log(
      `\n## Takeover after ${signal} of the polling replica (POLL_ACTIVE_MS ${interval})` +
        `\nfirst poll by a survivor ${ms(after.at - stopAt)} after the signal; gap between polls ${ms(after.at - before.at)} (${((after.at - before.at) / interval).toFixed(2)} intervals)`,
    );
    for (const c of clients) void c.dispose();
    for (const g of gateways) if (g.child.exitCode === null && g.child.signalCode === null) g.child.kill('SIGKILL');
    await redis.stop();
    await sim.stop();
  }
}

if (only.has('stall')) await stallSection();
if (only.has('sigterm')) await sigtermSection();
if (only.has('takeover')) await takeoverSection();
process.exit(0);
