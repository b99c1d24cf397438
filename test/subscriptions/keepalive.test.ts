import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { startHarness, type Harness } from '../fixtures/harness.js';
import { until, wsUrl } from './live-helpers.js';

/** Below graphql-ws's own 12 s keep-alive, which the test's few rounds never reach. */
const KEEPALIVE_MS = 1_000;

/** A graphql-transport-ws client by hand, so the test can stop it from answering pings. */
async function watchCluster(h: Harness, clusterId: string) {
  const socket = new WebSocket(wsUrl(h.url), 'graphql-transport-ws');
  await once(socket, 'open');
  const messages: any[] = [];
  socket.on('message', (data) => messages.push(JSON.parse(String(data))));
  socket.send(JSON.stringify({ type: 'connection_init', payload: { authToken: h.token } }));
  await until(() => messages.some((m) => m.type === 'connection_ack'), 20_000, 'connection_ack');
  socket.send(
    JSON.stringify({ id: '1', type: 'subscribe', payload: { query: `subscription { clusterStatus(id: "${clusterId}") { id status } }` } }),
  );
  await until(() => messages.some((m) => m.type === 'next'), 20_000, 'first event');
  let pings = 0;
  socket.on('ping', () => pings++);
  return {
    socket,
    pings: () => pings,
    /**
     * Resolves once the gateway has read everything this client sent so far, its pongs included: a
     * graphql-ws `ping` message is answered in order, after the frames before it.
     */
    async synced() {
      const pongs = messages.filter((m) => m.type === 'pong').length;
      socket.send(JSON.stringify({ type: 'ping' }));
      await until(() => messages.filter((m) => m.type === 'pong').length > pongs, 20_000, 'graphql-ws pong');
    },
  };
}

/**
 * The gateway pings every WebSocket each WS_KEEPALIVE_MS and drops one that did not answer the
 * previous ping. That interval runs on a fake clock (only setInterval is faked: sockets, EMS calls
 * and pollers run for real), so each round happens when the test says, however slow the machine.
 */
describe('WebSocket keep-alive', () => {
  let h: Harness;
  let clusterId: string;
  beforeAll(async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    h = await startHarness({ env: { WS_KEEPALIVE_MS: String(KEEPALIVE_MS) } });
    const result = await h.gql('{ clusters(first: 1, status: [RUNNING]) { edges { node { id } } } }');
    clusterId = result.data.clusters.edges[0].node.id;
  });
  afterAll(async () => {
    await h?.close();
    vi.useRealTimers();
  });

  it('keeps a client that answers pings, and drops one that stopped, releasing its subscription', async () => {
    const healthy = await watchCluster(h, clusterId);
    const silent = await watchCluster(h, clusterId);
    expect(h.app.services.live.stats().subscribers).toBe(2);

    // The peer vanishes without a close: nothing it receives is read, so no pong goes back.
    (silent.socket as unknown as { _socket: { pause(): void } })._socket.pause();

    // Round 1: both answered so far (they just connected), so both are pinged.
    vi.advanceTimersByTime(KEEPALIVE_MS);
    await until(() => healthy.pings() === 1, 20_000, 'the first ping');
    await healthy.synced();
    // Round 2: the silent one missed its pong and is dropped; the healthy one answered.
    vi.advanceTimersByTime(KEEPALIVE_MS);
    await until(() => h.app.services.live.stats().subscribers === 1, 20_000, 'the silent client to be dropped');

    // Further rounds keep the healthy one, as long as it answers.
    for (let round = 2; round <= 4; round++) {
      await until(() => healthy.pings() === round, 20_000, `ping ${round}`);
      await healthy.synced();
      vi.advanceTimersByTime(KEEPALIVE_MS);
    }
    await healthy.synced();
    expect(healthy.socket.readyState).toBe(WebSocket.OPEN);
    expect(h.app.services.live.stats().subscribers).toBe(1);
    healthy.socket.close();
    silent.socket.terminate();
  });
});
