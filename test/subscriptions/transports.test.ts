import type { FormattedExecutionResult } from 'graphql';
import { pino } from 'pino';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, WS_MAX_MESSAGE_BYTES } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { startHarness, type Harness } from '../fixtures/harness.js';
import {
  cancelJob,
  createClusterJob,
  emsCall,
  pollsOf,
  subscribe,
  subscribeSse,
  until,
  wsClient,
  wsUrl,
  type EventOf,
} from './live-helpers.js';
import { ClusterStatusDocument, JobProgressDocument, JobProgressWithClusterDocument } from '../generated/graphql.js';

const ACTIVE = 300;

let h: Harness;
beforeAll(async () => {
  // Real-time simulator clock: a create job runs ~2 min, so it is RUNNING throughout each test.
  // No EMS_PROJECT_ID: callers of other projects reach their own project (and get 404 for ours).
  h = await startHarness({ sim: { clockSpeed: 1 }, env: { POLL_ACTIVE_MS: String(ACTIVE), POLL_IDLE_MS: '1500', EMS_PROJECT_ID: '' } });
});
afterAll(async () => {
  await h?.close();
});

const statuses = (values: EventOf<typeof JobProgressDocument>[]) => values.map((j) => j.status);

/** A seeded cluster that is RUNNING and stays so: watching it emits its state once, then nothing. */
async function settledClusterId(): Promise<string> {
  const result = await h.gql('{ clusters(first: 1, status: [RUNNING]) { edges { node { id } } } }');
  return result.data.clusters.edges[0].node.id as string;
}

describe('Subscription.jobProgress over graphql-ws', () => {
  it('emits the current job at once, then each change; a cancelled job emits STOPPED then completes', async () => {
    const { jobId } = await createClusterJob(h.sim);
    const client = wsClient(h.url, h.token);
    const sub = subscribe(client, JobProgressDocument, { id: jobId });
    // The first state comes from the first poll, without waiting an interval (pinned on a fake clock
    // in hub.test.ts); here, that it arrives, then the changes.
    await until(() => sub.values.length >= 1, 10_000, 'first state');
    expect(sub.values[0]).toMatchObject({ id: jobId, status: expect.stringMatching(/^(INIT|RUNNING)$/) });
    await until(() => sub.values.length >= 3, 10_000, 'changes');
    // Only changes are emitted.
    for (let i = 1; i < sub.values.length; i++) expect(sub.values[i]).not.toEqual(sub.values[i - 1]);

    await cancelJob(h.sim, jobId);
    await sub.done;
    expect(sub.error).toBeNull();
    expect(sub.completed).toBe(true);
    expect(sub.values.at(-1)).toMatchObject({ status: 'STOPPED', message: 'Job stopped by user' });
    expect(statuses(sub.values).filter((s) => s === 'STOPPED')).toHaveLength(1);
    expect(sub.results.every((r) => r.errors === undefined)).toBe(true);
    await client.dispose();
  });

  it('resolves nested fields afresh for each event (no stale loader cache)', async () => {
    const { jobId, clusterId } = await createClusterJob(h.sim);
    const client = wsClient(h.url, h.token);
    const sub = subscribe(client, JobProgressWithClusterDocument, { id: jobId });
    await until(() => sub.values.length >= 1);
    expect(sub.values[0]!.cluster).toEqual({ id: clusterId, status: 'CREATING' });
    // Cancelling the create job rolls the cluster back to DELETED.
    await cancelJob(h.sim, jobId);
    await sub.done;
    expect(sub.values.at(-1)).toMatchObject({ status: 'STOPPED', cluster: { id: clusterId, status: 'DELETED' } });
    await client.dispose();
  });

  it('1,000 subscribers to one job cause no more upstream polls than one subscriber', async () => {
    // Two jobs polled side by side by one gateway: job A with 1 subscriber, job B with 1,000. A
    // frozen simulator clock keeps both in INIT (polled at the active interval, no change to fan
    // out). After POLLS polls of each, one CancelJobs call stops both; each stream ends after the
    // poll that sees STOPPED. The polls are the ShowJob calls of each job at the simulator: one
    // poller per job waits an interval after each answer, so its polls arrive at least an interval
    // apart, whatever the machine's speed; 1,000 pollers would not.
    const POLLS = 4;
    // ~100 subscriptions per connection and 1,000 operations from one caller: over the default
    // per-connection and per-caller limits, which have tests of their own (test/abuse/).
    const g = await startHarness({
      sim: { clockSpeed: 0 },
      env: { POLL_ACTIVE_MS: String(ACTIVE), POLL_IDLE_MS: '2000', MAX_SUBSCRIPTIONS_PER_CONNECTION: '200', RATE_LIMIT_REQUESTS: '0' },
    });
    try {
      const [a, b] = [await createClusterJob(g.sim), await createClusterJob(g.sim)];
      const clients = Array.from({ length: 10 }, () => wsClient(g.url, g.token));
      const one = subscribe(clients[0]!, JobProgressDocument, { id: a.jobId });
      const thousand = [subscribe(clients[0]!, JobProgressDocument, { id: b.jobId })];
      for (let i = 1; i < 1000; i++) thousand.push(subscribe(clients[i % clients.length]!, JobProgressDocument, { id: b.jobId }));
      await until(() => one.values.length === 1 && thousand.every((s) => s.values.length === 1), 30_000, 'every subscriber to get the current state');

      await until(() => pollsOf(g.sim, a.jobId).length >= POLLS && pollsOf(g.sim, b.jobId).length >= POLLS, 30_000, `${POLLS} polls of each`);
      await emsCall(g.sim, 'POST', '/v1/jobs/cancel', { job_ids: [a.jobId, b.jobId] });
      await Promise.all([one, ...thousand].map((s) => s.done));
      for (const s of [one, ...thousand]) {
        expect(s.completed).toBe(true);
        expect(s.values.map((j) => j.status)).toEqual(['INIT', 'STOPPED']);
      }
      // Both pollers stopped with their streams.
      await until(() => g.app.services.live.stats().watches === 0, 30_000, 'both watches to end');
      for (const job of [a, b]) {
        const polls = pollsOf(g.sim, job.jobId);
        expect(polls.length).toBeGreaterThanOrEqual(POLLS + 1);
        for (let i = 1; i < polls.length; i++) expect(polls[i]!.at - polls[i - 1]!.at).toBeGreaterThanOrEqual(ACTIVE - 1);
      }
      await Promise.all(clients.map((c) => c.dispose()));
    } finally {
      await g.close();
    }
  });

  it('ends the stream with NOT_FOUND for an unknown id and BAD_USER_INPUT for a malformed one', async () => {
    const client = wsClient(h.url, h.token);
    const unknownJob = subscribe(client, JobProgressDocument, { id: 'short-0000dead' });
    const unknownCluster = subscribe(client, ClusterStatusDocument, { id: '00000000-0000-4000-8000-00000000dead' });
    const malformed = subscribe(client, JobProgressDocument, { id: 'job-1' });
    await Promise.all([unknownJob.done, unknownCluster.done, malformed.done]);
    for (const [sub, code] of [
      [unknownJob, 'NOT_FOUND'],
      [unknownCluster, 'NOT_FOUND'],
      [malformed, 'BAD_USER_INPUT'],
    ] as const) {
      expect(sub.error).toBeNull();
      expect(sub.completed).toBe(true);
      expect(sub.results).toHaveLength(1);
      expect(sub.results[0]!.data).toBeNull();
      expect(sub.results[0]!.errors?.[0]).toMatchObject({ path: expect.any(Array), extensions: { code, retryable: false } });
    }
    expect(unknownJob.results[0]!.errors?.[0]?.message).toBe('No job with id "short-0000dead" is visible to these credentials');
    expect(unknownJob.results[0]!.errors?.[0]?.extensions).toMatchObject({ upstreamCode: expect.any(String), requestId: expect.any(String) });
    expect(pollsOf(h.sim, 'job-1')).toHaveLength(0);
    await client.dispose();
  });

  it('never shows one caller what another caller’s credentials see', async () => {
    const { jobId } = await createClusterJob(h.sim);
    const mine = wsClient(h.url, h.token);
    const theirs = wsClient(h.url, h.sim.credentials.otherProjectToken);
    const a = subscribe(mine, JobProgressDocument, { id: jobId });
    await until(() => a.values.length >= 1);
    const b = subscribe(theirs, JobProgressDocument, { id: jobId });
    await b.done;
    expect(b.values).toEqual([]);
    expect(b.results[0]?.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const count = a.values.length;
    await until(() => a.values.length > count, 20_000, 'the first caller to keep receiving');
    expect(a.completed).toBe(false);
    await Promise.all([mine.dispose(), theirs.dispose()]);
    await cancelJob(h.sim, jobId);
  });

  it('releases a subscriber when its client unsubscribes or disconnects, even while nothing changes', async () => {
    // A settled cluster: no event is due, so nothing but the client leaving can end the stream (a
    // release that waited for the next event would never come, however long the deadline).
    const clusterId = await settledClusterId();
    const base = h.app.services.live.stats();
    const client = wsClient(h.url, h.token);
    const [a, b] = [subscribe(client, ClusterStatusDocument, { id: clusterId }), subscribe(client, ClusterStatusDocument, { id: clusterId })];
    await until(() => a.values.length >= 1 && b.values.length >= 1);
    expect(h.app.services.live.stats()).toMatchObject({ watches: base.watches + 1, subscribers: base.subscribers + 2 });
    a.dispose(); // graphql-ws `complete`
    await until(() => h.app.services.live.stats().subscribers === base.subscribers + 1, 20_000, 'the unsubscribed one to leave');
    await client.dispose(); // the socket closes
    await until(() => h.app.services.live.stats().watches === base.watches, 20_000, 'the poller to stop with the last subscriber');
    expect(h.app.services.live.stats().subscribers).toBe(base.subscribers);
  });

  it('refuses a subscription over the depth limit before parsing or polling anything, on both transports', async () => {
    const { jobId } = await createClusterJob(h.sim);
    const deep = `subscription($id: ID!) { jobProgress(id: $id) { ${'cluster { jobs(first: 1) { edges { node { '.repeat(3)} id ${'} } } }'.repeat(3)} } }`;
    const client = wsClient(h.url, h.token);
    // graphql-ws answers an operation that cannot run with one `error` message (as for a validation error).
    const refused = await new Promise<unknown>((resolve, reject) => {
      client.subscribe({ query: deep, variables: { id: jobId } }, { next: () => reject(new Error('unexpected result')), error: resolve, complete: () => reject(new Error('completed')) });
    });
    const sse = await fetch(h.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', 'x-auth-token': h.token },
      body: JSON.stringify({ query: deep, variables: { id: jobId } }),
    });
    const events = await sse.text();
    expect(refused).toEqual([{ message: 'Query depth 14 exceeds the limit of 12', extensions: expect.objectContaining({ code: 'QUERY_TOO_COMPLEX', limit: 'MAX_QUERY_DEPTH' }) }]);
    expect(events).toContain('"code":"QUERY_TOO_COMPLEX"');
    expect(events).toMatch(/event: complete/);
    expect(pollsOf(h.sim, jobId)).toHaveLength(0);
    await client.dispose();
    await cancelJob(h.sim, jobId);
  });

  it('watches a cluster until DELETED', async () => {
    const { jobId, clusterId } = await createClusterJob(h.sim);
    const client = wsClient(h.url, h.token);
    const sub = subscribe(client, ClusterStatusDocument, { id: clusterId });
    await until(() => sub.values.length >= 1);
    expect(sub.values[0]).toMatchObject({ id: clusterId, status: 'CREATING' });
    // Cancelling the create job rolls the cluster back: DELETED.
    await cancelJob(h.sim, jobId);
    await sub.done;
    expect(sub.completed).toBe(true);
    expect(sub.values.at(-1)?.status).toBe('DELETED');
    await client.dispose();
  });
});

describe('graphql-ws connection', () => {
  function closeOf(socket: WebSocket): Promise<{ code: number; reason: string; at: number }> {
    return new Promise((resolve) => socket.on('close', (code, reason) => resolve({ code, reason: reason.toString(), at: Date.now() })));
  }

  /** Sends `connection_init` with `payload`: the first reply, or the close. */
  async function init(payload: Record<string, unknown>) {
    const socket = new WebSocket(wsUrl(h.url), 'graphql-transport-ws');
    await new Promise((r) => socket.once('open', r));
    const reply = new Promise<string>((resolve) => socket.once('message', (data) => resolve(String(data))));
    const closed = closeOf(socket);
    socket.send(JSON.stringify({ type: 'connection_init', payload }));
    const outcome = await Promise.race([reply.then((m) => ({ message: JSON.parse(m) as { type: string } })), closed]);
    socket.close();
    return outcome;
  }

  it('closes 4408 when connection_init does not arrive within 3 s', async () => {
    const socket = new WebSocket(wsUrl(h.url), 'graphql-transport-ws');
    const opened = Date.now();
    const closed = await closeOf(socket);
    expect(closed.code).toBe(4408);
    // Not before the 3 s (a timer never fires early); how much later depends on the machine.
    expect(closed.at - opened).toBeGreaterThanOrEqual(2_990);
  });

  it('closes 4403 for a refused token and for a missing one, and acknowledges a good one', async () => {
    expect(await init({ authToken: h.sim.credentials.expiredToken })).toMatchObject({ code: 4403 });
    expect(await init({ authToken: 'not-a-token' })).toMatchObject({ code: 4403 });
    expect(await init({})).toMatchObject({ code: 4403 });
    expect(await init({ authToken: '' })).toMatchObject({ code: 4403 });
    expect(await init({ authToken: h.token })).toEqual({ message: { type: 'connection_ack' } });
  });

  it('takes the token from an X-Auth-Token header in connection_init, in any case, nested or not', async () => {
    const ack = { message: { type: 'connection_ack' } };
    // GraphiQL-style clients send their Headers pane as `headers`; @graphiql/toolkit flattens it.
    expect(await init({ headers: { 'X-Auth-Token': h.token } })).toEqual(ack);
    expect(await init({ headers: { 'x-auth-token': h.token, 'content-type': 'application/json' } })).toEqual(ack);
    expect(await init({ 'X-AUTH-TOKEN': h.token })).toEqual(ack);
    expect(await init({ headers: { 'X-Auth-Token': 'not-a-token' } })).toMatchObject({ code: 4403 });
    expect(await init({ headers: { 'X-Auth-Token': 42 } })).toMatchObject({ code: 4403 });
    expect(await init({ headers: [h.token] })).toMatchObject({ code: 4403 });
    // authToken wins over a header.
    expect(await init({ authToken: h.token, headers: { 'X-Auth-Token': 'not-a-token' } })).toEqual(ack);
  });

  it('closes 4403, not 1013, for a token no HTTP header can carry', async () => {
    // Such a token cannot be sent to EMS at all; "try again later" would have the client retry forever.
    for (const authToken of ['tok\r\nX-Injected: 1', 'tok\u0000', 'tok😀']) {
      const socket = new WebSocket(wsUrl(h.url), 'graphql-transport-ws');
      await new Promise((r) => socket.once('open', r));
      const closed = closeOf(socket);
      socket.send(JSON.stringify({ type: 'connection_init', payload: { authToken } }));
      expect(await closed).toMatchObject({ code: 4403 });
    }
  });

  it('closes 1009 on a message over 1 MiB, even before connection_init', async () => {
    const socket = new WebSocket(wsUrl(h.url), 'graphql-transport-ws');
    await new Promise((r) => socket.once('open', r));
    const closed = closeOf(socket);
    socket.send(JSON.stringify({ type: 'connection_init', payload: { authToken: 'x'.repeat(WS_MAX_MESSAGE_BYTES) } }));
    expect(await closed).toMatchObject({ code: 1009 });
  });

  it('answers an unknown operationName with a coded error and keeps the connection', async () => {
    const closes: number[] = [];
    const client = wsClient(h.url, h.token, { onClosed: (code) => closes.push(code) });
    const error = await new Promise<unknown>((resolve) => {
      client.subscribe(
        { query: 'subscription A { jobProgress(id: "short-0000dead") { id } }', operationName: 'B' },
        { next() {}, error: resolve, complete: () => resolve(null) },
      );
    });
    expect(error).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'OPERATION_RESOLUTION_FAILURE' }) })]);
    expect(closes).toEqual([]);
    await client.dispose();
  });

  it('closes 1013 (try again later) when EMS cannot be reached to check the token', async () => {
    const config = loadConfig({ EMS_ENDPOINT: 'http://127.0.0.1:9', EMS_MAX_RETRIES: '0', LOG_LEVEL: 'silent', AUDIT_LOG: 'off' });
    const app = await buildApp(config, { logger: pino({ level: 'silent' }) });
    const url = await app.start(0, '127.0.0.1');
    try {
      const socket = new WebSocket(wsUrl(url), 'graphql-transport-ws');
      await new Promise((r) => socket.once('open', r));
      const closed = closeOf(socket);
      socket.send(JSON.stringify({ type: 'connection_init', payload: { authToken: h.token } }));
      expect(await closed).toMatchObject({ code: 1013 });
    } finally {
      await app.stop();
    }
  });

  it('answers a syntax error with an error message and keeps the connection', async () => {
    const closes: number[] = [];
    const client = wsClient(h.url, h.token, { onClosed: (code) => closes.push(code) });
    const { jobId } = await createClusterJob(h.sim);
    const sub = subscribe(client, JobProgressDocument, { id: jobId });
    await until(() => sub.values.length >= 1);
    const error = await new Promise<unknown>((resolve) => {
      client.subscribe({ query: 'subscription { jobProgress(id: ' }, { next() {}, error: resolve, complete: () => resolve(null) });
    });
    expect(Array.isArray(error) && (error as { message: string }[])[0]?.message).toMatch(/Syntax Error/);
    await cancelJob(h.sim, jobId);
    await sub.done;
    expect(sub.values.at(-1)?.status).toBe('STOPPED');
    expect(closes).toEqual([]);
    await client.dispose();
  });
});

describe('Subscription over Server-Sent Events', () => {
  it('delivers the same events as graphql-ws, with the X-Auth-Token header', async () => {
    const { jobId } = await createClusterJob(h.sim);
    const client = wsClient(h.url, h.token);
    const ws = subscribe(client, JobProgressDocument, { id: jobId });
    const sse = subscribeSse(h.url, h.token, JobProgressDocument, { id: jobId });
    await until(() => ws.values.length >= 1 && sse.values.length >= 1, 10_000, 'first state on both');
    await until(() => sse.values.length >= 4, 20_000, 'changes over SSE');
    await cancelJob(h.sim, jobId);
    await Promise.all([ws.done, sse.done]);
    expect(sse.error).toBeNull();
    expect(sse.completed).toBe(true);
    expect(sse.values.at(-1)?.status).toBe('STOPPED');
    // Both transports share one watch: SSE (subscribed a moment later) got the same events from its first on.
    const offset = ws.values.findIndex((v) => JSON.stringify(v) === JSON.stringify(sse.values[0]));
    expect(offset).toBeGreaterThanOrEqual(0);
    expect(sse.values).toEqual(ws.values.slice(offset));
    await client.dispose();
  });

  it('releases a subscriber when its client disconnects, even while nothing changes', async () => {
    const clusterId = await settledClusterId();
    const base = h.app.services.live.stats();
    const sse = subscribeSse(h.url, h.token, ClusterStatusDocument, { id: clusterId });
    await until(() => sse.values.length >= 1);
    expect(h.app.services.live.stats()).toMatchObject({ watches: base.watches + 1, subscribers: base.subscribers + 1 });
    sse.dispose();
    await until(() => h.app.services.live.stats().watches === base.watches, 20_000, 'the poller to stop with its only subscriber');
    expect(h.app.services.live.stats().subscribers).toBe(base.subscribers);
  });

  it('ends with NOT_FOUND for an unknown id, and refuses a stream without a token with 401 UNAUTHENTICATED', async () => {
    const unknown = subscribeSse(h.url, h.token, JobProgressDocument, { id: 'short-0000beef' });
    await unknown.done;
    expect(unknown.completed).toBe(true);
    expect(unknown.results.map((r) => r.errors?.[0]?.extensions?.code)).toEqual(['NOT_FOUND']);
    const anonymous = await fetch(h.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: 'subscription { jobProgress(id: "short-0000beef") { id } }' }),
    });
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as any).errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });
});
