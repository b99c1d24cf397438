import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startHarness, type Harness } from '../fixtures/harness.js';
import { sleep, until, wsUrl } from './live-helpers.js';

const KEEPALIVE_MS = 100;

/** A graphql-transport-ws client by hand, so the test can stop it from answering pings. */
async function watchCluster(h: Harness, clusterId: string): Promise<WebSocket> {
  const socket = new WebSocket(wsUrl(h.url), 'graphql-transport-ws');
  await once(socket, 'open');
  const messages: any[] = [];
  socket.on('message', (data) => messages.push(JSON.parse(String(data))));
  socket.send(JSON.stringify({ type: 'connection_init', payload: { authToken: h.token } }));
  await until(() => messages.some((m) => m.type === 'connection_ack'), 3_000, 'connection_ack');
  socket.send(
    JSON.stringify({ id: '1', type: 'subscribe', payload: { query: `subscription { clusterStatus(id: "${clusterId}") { id status } }` } }),
  );
  await until(() => messages.some((m) => m.type === 'next'), 3_000, 'first event');
  return socket;
}

describe('WebSocket keep-alive', () => {
  let h: Harness;
  let clusterId: string;
  beforeAll(async () => {
    h = await startHarness({ env: { WS_KEEPALIVE_MS: String(KEEPALIVE_MS) } });
    const result = await h.gql('{ clusters(first: 1, status: [RUNNING]) { edges { node { id } } } }');
    clusterId = result.data.clusters.edges[0].node.id;
  });
  afterAll(async () => {
    await h?.close();
  });

  it('keeps a client that answers pings, and drops one that stopped, releasing its subscription', async () => {
    const healthy = await watchCluster(h, clusterId);
    const silent = await watchCluster(h, clusterId);
    expect(h.app.services.live.stats().subscribers).toBe(2);

    // The peer vanishes without a close: nothing it receives is read, so no pong goes back.
    (silent as unknown as { _socket: { pause(): void } })._socket.pause();
    await until(() => h.app.services.live.stats().subscribers === 1, 3 * KEEPALIVE_MS + 1_000, 'the silent client to be dropped');

    await sleep(4 * KEEPALIVE_MS);
    expect(healthy.readyState).toBe(WebSocket.OPEN);
    expect(h.app.services.live.stats().subscribers).toBe(1);
    healthy.close();
    silent.terminate();
  });
});
