/**
 * graphql-ws subscriptions of one sharing key (document, operation, variables, credentials, roles)
 * run as one group (src/graphql-ws.ts): one hub stream and one result per event for all members,
 * written straight to each member's socket. Real graphql-ws clients, a simulator whose clock only
 * moves when a test advances it.
 */
import { print } from 'graphql';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../fixtures/harness.js';
import { apiKey } from '../security/helpers.js';
import { cancelJob, createClusterJob, pollsOf, subscribe, until, wsClient, wsUrl, type Received } from './live-helpers.js';
import { JobProgressDocument, JobProgressWithClusterDocument } from '../generated/graphql.js';

const ACTIVE = 200;

/** The hub's streams of one job's watches: a group reads one stream for all its members. */
function streamsOf(h: Harness, jobId: string): number[] {
  const hub = h.app.services.live as unknown as { watches: Map<string, { subscribers: Set<unknown> }> };
  return [...hub.watches].filter(([key]) => key.endsWith(`:job:${jobId}`)).map(([, w]) => w.subscribers.size);
}

/** Whether any watch of the job is left. */
const watching = (h: Harness, jobId: string) => streamsOf(h, jobId).length > 0;

/**
 * Moves the simulator's clock a few seconds (the job's progress moves on) once per poll interval
 * until every subscriber has a value after the ones it had.
 */
async function nextChange(h: Harness, subs: Received<unknown>[]) {
  const seen = subs.map((s) => s.values.length);
  let advancedAt = Number.NEGATIVE_INFINITY;
  await until(
    () => {
      if (subs.every((s, i) => s.values.length > seen[i]!)) return true;
      if (performance.now() - advancedAt > ACTIVE * 3) {
        h.sim.clock.advance(2_000);
        advancedAt = performance.now();
      }
      return false;
    },
    20_000,
    'the next change on every subscriber',
  );
}

describe('graphql-ws subscription groups', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ sim: { clockSpeed: 0 }, env: { POLL_ACTIVE_MS: String(ACTIVE), POLL_IDLE_MS: '1000' } });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('gives the subscribers of one operation identical results from one hub stream, on one connection or several', async () => {
    const { jobId } = await createClusterJob(h.sim);
    const base = h.app.services.live.stats().subscribers;
    const clients = [wsClient(h.url, h.token), wsClient(h.url, h.token)];
    const subs = [subscribe(clients[0]!, JobProgressDocument, { id: jobId }), subscribe(clients[0]!, JobProgressDocument, { id: jobId }), subscribe(clients[1]!, JobProgressDocument, { id: jobId })];
    await until(() => subs.every((s) => s.values.length >= 1), 10_000, 'the current state on every subscriber');
    expect(streamsOf(h, jobId)).toEqual([1]);
    expect(h.app.services.live.stats().subscribers).toBe(base + 3);
    await nextChange(h, subs);
    await nextChange(h, subs);
    await cancelJob(h.sim, jobId);
    await Promise.all(subs.map((s) => s.done));
    for (const s of subs) {
      expect(s.completed).toBe(true);
      expect(s.error).toBeNull();
      expect(s.results).toEqual(subs[0]!.results);
    }
    expect(subs[0]!.values.at(-1)).toMatchObject({ status: 'STOPPED' });
    await until(() => !watching(h, jobId), 10_000, 'the watch to end');
    await Promise.all(clients.map((c) => c.dispose()));
  });

  it('keeps streaming to the others when the first member leaves, and stops the poller with the last', async () => {
    const { jobId } = await createClusterJob(h.sim);
    const base = h.app.services.live.stats().subscribers;
    const clients = [wsClient(h.url, h.token), wsClient(h.url, h.token), wsClient(h.url, h.token)];
    const first = subscribe(clients[0]!, JobProgressDocument, { id: jobId });
    await until(() => first.values.length >= 1, 10_000, 'the first state');
    const others = [subscribe(clients[1]!, JobProgressDocument, { id: jobId }), subscribe(clients[2]!, JobProgressDocument, { id: jobId })];
    await until(() => others.every((s) => s.values.length >= 1), 10_000, 'the current state on the later ones');
    expect(streamsOf(h, jobId)).toEqual([1]);

    first.dispose();
    await until(() => h.app.services.live.stats().subscribers === base + 2, 10_000, 'the first member to leave');
    await nextChange(h, others);

    // The first client's connection closes: nothing of it is left in the group.
    await clients[0]!.dispose();
    await nextChange(h, others);

    others[0]!.dispose();
    await until(() => h.app.services.live.stats().subscribers === base + 1, 10_000, 'the second member to leave');
    await nextChange(h, [others[1]!]);
    expect(streamsOf(h, jobId)).toEqual([1]);

    await clients[2]!.dispose();
    await until(() => !watching(h, jobId), 10_000, 'the poller to stop with the last member');
    // No poll after the watch ended, however long one waits (one active interval is plenty: the
    // poller's timer would have fired by then).
    const polls = pollsOf(h.sim, jobId).length;
    const since = performance.now();
    await until(() => performance.now() - since > ACTIVE * 3, 10_000, 'three poll intervals');
    expect(pollsOf(h.sim, jobId)).toHaveLength(polls);
    await Promise.all(clients.map((c) => c.dispose()));
  });

  it('puts other variables, another document and other credentials in other groups', async () => {
    const { jobId } = await createClusterJob(h.sim);
    const base = h.app.services.live.stats().subscribers;
    const client = wsClient(h.url, h.token);
    const otherCredentials = wsClient(h.url, h.sim.credentials.readOnlyToken);
    const subs = [
      subscribe(client, JobProgressDocument, { id: jobId }),
      subscribe(client, JobProgressDocument, { id: jobId }),
      // Same job, other variables (one the operation does not use): a group of its own, on the same watch.
      subscribe(client, JobProgressDocument, { id: jobId, unused: 1 } as { id: string }),
      // Another document: a group of its own, on the same watch.
      subscribe(client, JobProgressWithClusterDocument, { id: jobId }),
    ];
    await until(() => subs.every((s) => s.values.length >= 1), 10_000, 'the current state on every subscriber');
    expect(streamsOf(h, jobId)).toEqual([3]);
    expect(h.app.services.live.stats().subscribers).toBe(base + 4);
    expect(subs[2]!.values[0]).toEqual(subs[0]!.values[0]);
    // Another token of the same project (read-only): a watch and a group of its own, the same job.
    const theirs = subscribe(otherCredentials, JobProgressDocument, { id: jobId });
    await until(() => theirs.values.length >= 1, 10_000, 'the current state with the other token');
    expect(theirs.values[0]).toEqual(subs[0]!.values[0]);
    expect(streamsOf(h, jobId).sort()).toEqual([1, 3]);
    theirs.dispose();
    for (const s of subs) s.dispose();
    await until(() => !watching(h, jobId), 10_000, 'the watches to end');
    await Promise.all([client.dispose(), otherCredentials.dispose()]);
  });

  it('ends every member with the error a watch ends with, then complete', async () => {
    const clients = [wsClient(h.url, h.token), wsClient(h.url, h.token)];
    const missing = 'short-000000000000000000000000000000000099';
    const subs = [subscribe(clients[0]!, JobProgressDocument, { id: missing }), subscribe(clients[0]!, JobProgressDocument, { id: missing }), subscribe(clients[1]!, JobProgressDocument, { id: missing })];
    await Promise.all(subs.map((s) => s.done));
    for (const s of subs) {
      expect(s.completed).toBe(true);
      expect(s.results).toHaveLength(1);
      expect(s.results[0]!.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    }
    await Promise.all(clients.map((c) => c.dispose()));
  });

  it('hands a later member the current state at once, and reads its nested fields anew once the latest result is over a second old', async () => {
    const { jobId } = await createClusterJob(h.sim);
    const client = wsClient(h.url, h.token);
    const first = subscribe(client, JobProgressWithClusterDocument, { id: jobId });
    await until(() => first.values.length >= 1, 10_000, 'the first state');
    const polls = pollsOf(h.sim, jobId).length;
    const showCluster = () => h.sim.stats.log.filter((e) => e.operation === 'ShowCluster').length;
    const clusterReads = showCluster();
    // At once: the latest result, without a poll of its own.
    const soon = subscribe(client, JobProgressWithClusterDocument, { id: jobId });
    await until(() => soon.values.length >= 1, 10_000, 'the current state on a later member');
    expect(soon.values[0]).toEqual(first.values.at(-1));
    expect(pollsOf(h.sim, jobId)).toHaveLength(polls);
    // Over a second later (SHARED_RESULT_MS): the same event executed again for it alone.
    const since = performance.now();
    await until(() => performance.now() - since > 1_100, 10_000, 'over a second');
    const late = subscribe(client, JobProgressWithClusterDocument, { id: jobId });
    await until(() => late.values.length >= 1, 10_000, 'the current state on a late member');
    expect(late.values[0]).toEqual(first.values.at(-1));
    expect(showCluster()).toBeGreaterThan(clusterReads);
    expect(first.values).toHaveLength(1);
    expect(soon.values).toHaveLength(1);
    expect(streamsOf(h, jobId)).toEqual([1]);
    await client.dispose();
    await until(() => !watching(h, jobId), 10_000, 'the watch to end');
  });

  it('tells every member of a group to reconnect when the gateway shuts down', async () => {
    const g = await startHarness({ sim: { clockSpeed: 0 }, env: { POLL_ACTIVE_MS: String(ACTIVE) } });
    try {
      const { jobId } = await createClusterJob(g.sim);
      const clients = [wsClient(g.url, g.token), wsClient(g.url, g.token)];
      const subs = [subscribe(clients[0]!, JobProgressDocument, { id: jobId }), subscribe(clients[0]!, JobProgressDocument, { id: jobId }), subscribe(clients[1]!, JobProgressDocument, { id: jobId })];
      await until(() => subs.every((s) => s.values.length >= 1), 10_000, 'the current state on every subscriber');
      await g.app.stop();
      await Promise.all(subs.map((s) => s.done));
      for (const s of subs) {
        expect(s.completed).toBe(true);
        expect(s.results.at(-1)!.errors?.[0]?.extensions).toMatchObject({ code: 'SHUTTING_DOWN', retryable: true });
      }
      await Promise.all(clients.map((c) => c.dispose()));
    } finally {
      await g.close();
    }
  });

  it('counts members against MAX_SUBSCRIPTIONS_PER_CONNECTION', async () => {
    const g = await startHarness({ sim: { clockSpeed: 0 }, env: { POLL_ACTIVE_MS: String(ACTIVE), MAX_SUBSCRIPTIONS_PER_CONNECTION: '3' } });
    try {
      const { jobId } = await createClusterJob(g.sim);
      const socket = new WebSocket(wsUrl(g.url), 'graphql-transport-ws');
      const messages: any[] = [];
      socket.on('message', (data) => messages.push(JSON.parse(String(data))));
      await new Promise((resolve) => socket.once('open', resolve));
      socket.send(JSON.stringify({ type: 'connection_init', payload: { authToken: g.token } }));
      await until(() => messages.some((m) => m.type === 'connection_ack'), 10_000, 'connection_ack');
      for (let i = 0; i < 5; i++) {
        socket.send(JSON.stringify({ id: String(i), type: 'subscribe', payload: { query: print(JobProgressDocument), variables: { id: jobId } } }));
      }
      await until(() => new Set(messages.filter((m) => m.id !== undefined).map((m) => m.id)).size === 5, 10_000, 'an answer to every subscribe');
      const refused = messages.filter((m) => m.type === 'error' && m.payload[0]?.extensions?.code === 'RATE_LIMITED');
      expect(refused.map((m) => m.id).sort()).toEqual(['3', '4']);
      expect(g.app.services.live.stats().subscribers).toBe(3);
      // A member that completes frees its place for another.
      socket.send(JSON.stringify({ id: '0', type: 'complete' }));
      await until(() => g.app.services.live.stats().subscribers === 2, 10_000, 'the completed member to leave');
      socket.send(JSON.stringify({ id: '5', type: 'subscribe', payload: { query: print(JobProgressDocument), variables: { id: jobId } } }));
      await until(() => messages.some((m) => m.id === '5'), 10_000, 'an answer to the sixth subscribe');
      expect(messages.find((m) => m.id === '5')).toMatchObject({ type: 'next', payload: { data: { jobProgress: { id: jobId } } } });
      socket.close();
      await until(() => g.app.services.live.stats().watches === 0, 10_000, 'the watch to end with the connection');
    } finally {
      await g.close();
    }
  });
});

describe('graphql-ws subscription groups and roles', () => {
  const viewer = apiKey('dashboard', ['viewer']);
  const otherViewer = apiKey('wallboard', ['viewer']);
  const operator = apiKey('ops-bot', ['operator']);
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      sim: { clockSpeed: 0 },
      env: { POLL_ACTIVE_MS: String(ACTIVE), GATEWAY_AUTH: 'apikey', GATEWAY_API_KEYS: JSON.stringify([viewer.entry, otherViewer.entry, operator.entry]) },
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('shares a group between callers with the same roles and credentials, never between roles', async () => {
    const { jobId } = await createClusterJob(h.sim);
    const clientOf = (key: string) => createClient({ url: wsUrl(h.url), webSocketImpl: WebSocket, connectionParams: { apiKey: key, authToken: h.token }, retryAttempts: 0, lazy: true });
    const clients = [clientOf(viewer.key), clientOf(otherViewer.key), clientOf(operator.key)];
    const subs = clients.map((c) => subscribe(c, JobProgressDocument, { id: jobId }));
    await until(() => subs.every((s) => s.values.length >= 1), 10_000, 'the current state on every subscriber');
    // One watch (the gateway's own EMS credentials): the two viewers in one group, the operator in another.
    expect(streamsOf(h, jobId)).toEqual([2]);
    expect(h.app.services.live.stats().subscribers).toBe(3);
    for (const s of subs) expect(s.values[0]).toEqual(subs[0]!.values[0]);
    await Promise.all(clients.map((c) => c.dispose()));
    await until(() => !watching(h, jobId), 10_000, 'the watch to end');
  });
});
