import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { print } from 'graphql';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createSimulator, type EmsSimulator } from '../../src/simulator/index.js';
import { JobProgressDocument } from '../generated/graphql.js';
import { MUTATIONS } from '../mutations/operations.js';
import { createClusterJob, subscribe, subscribeSse, until, wsClient } from '../subscriptions/live-helpers.js';

/**
 * Graceful shutdown (app.stop(), what SIGTERM runs): queries and mutations in flight finish and
 * their results are recorded, every subscriber gets a final SHUTTING_DOWN error then `complete`,
 * /readyz turns 503 at once and new requests are refused.
 */
describe('graceful shutdown', () => {
  let sim: EmsSimulator;
  let dataDir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    sim = createSimulator({ clockSpeed: 1 });
    await sim.start();
    dataDir = mkdtempSync(join(tmpdir(), 'ems-gateway-shutdown-'));
    env = {
      EMS_ENDPOINT: sim.url,
      EMS_PROJECT_ID: sim.credentials.projectId,
      EMS_CIRCUIT_THRESHOLD: '0',
      DATA_DIR: dataDir,
      POLL_ACTIVE_MS: '200',
      POLL_IDLE_MS: '400',
      SHUTDOWN_GRACE_MS: '10000',
    };
  });
  afterAll(async () => {
    await sim?.stop();
  });

  async function post(url: string, document: string, variables: Record<string, unknown> = {}) {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-auth-token': sim.credentials.token },
      body: JSON.stringify({ query: document, variables }),
    });
    return { status: response.status, body: (await response.json()) as { data?: any; errors?: any[] } };
  }

  it('loses nothing in flight: queries and mutations finish and are recorded, subscribers are told to reconnect', async () => {
    const app: App = await buildApp(loadConfig({ AUDIT_LOG: 'off', ...env }), { logger: pino({ level: 'silent' }) });
    const url = await app.start(0, '127.0.0.1');
    const { jobId } = await createClusterJob(sim);
    const ws = [0, 1, 2].map(() => {
      const closes: number[] = [];
      const client = wsClient(url, sim.credentials.token, { onClosed: (code) => closes.push(code) });
      return { client, closes, sub: subscribe(client, JobProgressDocument, { id: jobId }) };
    });
    const sse = [0, 1].map(() => subscribeSse(url, sim.credentials.token, JobProgressDocument, { id: jobId }));
    await until(() => ws.every((w) => w.sub.values.length >= 1) && sse.every((s) => s.values.length >= 1), 10_000, 'first events');

    // Slow EMS: the operations are still in flight when the shutdown begins.
    sim.setFaults({ latencyMs: 600, operations: ['ListClusters', 'CreateCluster'] });
    sim.stats.reset();
    const queries = Array.from({ length: 10 }, () => post(url, '{ clusters(first: 3) { totalCount edges { node { id name } } } }'));
    const inputs = Array.from({ length: 5 }, () => ({ name: `drain-${randomUUID().slice(0, 8)}`, k8s: { k8sClusterId: randomUUID() }, idempotencyKey: randomUUID() }));
    const mutations = inputs.map((input) => post(url, print(MUTATIONS.createCluster), { input }));
    await until(() => sim.stats.calls.CreateCluster === 5 && sim.stats.calls.ListClusters >= 10, 10_000, 'operations to reach EMS');

    const stopping = app.stop();
    // Not ready at once; a new operation is refused with a coded, retryable error.
    const ready = await app.yoga.fetch('http://gateway/readyz');
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ status: 'draining' });
    const refused = await app.yoga.fetch('http://gateway/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ releases { totalCount } }' }),
    });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('connection')).toBe('close');
    expect(((await refused.json()) as any).errors[0].extensions).toMatchObject({ code: 'SHUTTING_DOWN', retryable: true });

    const results = await Promise.all(queries);
    for (const r of results) {
      expect(r.body.errors).toBeUndefined();
      expect(r.body.data.clusters.edges).toHaveLength(3);
    }
    const created = await Promise.all(mutations);
    for (const [i, r] of created.entries()) {
      expect(r.body.errors).toBeUndefined();
      expect(r.body.data.createCluster).toMatchObject({ __typename: 'CreateClusterPayload', cluster: { name: inputs[i]!.name } });
    }
    expect(await stopping).toEqual({ abandoned: 0 });

    // Every subscriber: a last result telling it to reconnect, then complete; WebSockets close 1012.
    for (const s of [...ws.map((w) => w.sub), ...sse]) {
      await s.done;
      const last = s.results.at(-1)!;
      expect(last.errors?.[0]?.extensions).toMatchObject({ code: 'SHUTTING_DOWN', retryable: true });
      expect(s.completed).toBe(true);
    }
    await until(() => ws.every((w) => w.closes.length > 0), 5_000, 'sockets closed');
    // 1012 (service restart) from the gateway, or 1000 when the client, its last subscription complete, closed first.
    for (const w of ws) expect([1000, 1012]).toContain(w.closes[0]);
    // The port is closed.
    await expect(fetch(url, { method: 'POST' })).rejects.toThrow();

    // The mutations were recorded: after a restart, their keys replay without writing again.
    sim.resetFaults();
    sim.stats.reset();
    const next = await buildApp(loadConfig({ AUDIT_LOG: 'off', ...env }), { logger: pino({ level: 'silent' }) });
    const nextUrl = await next.start(0, '127.0.0.1');
    for (const [i, input] of inputs.entries()) {
      const repeat = await post(nextUrl, print(MUTATIONS.createCluster), { input });
      expect(repeat.body.data.createCluster).toMatchObject({ replayed: true, clusterId: created[i]!.body.data.createCluster.clusterId });
    }
    expect(sim.stats.calls.CreateCluster ?? 0).toBe(0);
    await next.stop();
  });

  it('past the grace period, aborts the reads still running and reports them', async () => {
    const app = await buildApp(loadConfig({ AUDIT_LOG: 'off', ...env, SHUTDOWN_GRACE_MS: '0' }), { logger: pino({ level: 'silent' }) });
    const url = await app.start(0, '127.0.0.1');
    sim.setFaults({ latencyMs: 30_000, operations: ['ListReleases'] });
    sim.stats.reset();
    const started = performance.now();
    const query = post(url, '{ releases { totalCount } }');
    await until(() => sim.stats.calls.ListReleases === 1, 5_000, 'the query to reach EMS');
    const stopped = await app.stop();
    expect(stopped.abandoned).toBe(1);
    const result = await query;
    expect(result.body.errors?.[0]?.extensions?.code).toMatch(/^UPSTREAM_/);
    // Ended by the shutdown, long before the stalled EMS would have answered.
    expect(performance.now() - started).toBeLessThan(15_000);
    sim.resetFaults();
  });
});
