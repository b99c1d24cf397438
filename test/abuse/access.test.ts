import { once } from 'node:events';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../fixtures/harness.js';
import { spawnMain } from '../fixtures/processes.js';
import { DELETE_CLUSTER, apiKey } from '../security/helpers.js';

/**
 * Abuse cases that need a particular configuration (API keys, gateway credentials, default size
 * limits); they run in-process. The heavy ones are in abuse.test.ts, against a child process.
 */
describe('abuse suite: access and defaults', () => {
  const viewer = apiKey('dashboard', ['viewer']);
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { GATEWAY_AUTH: 'apikey', GATEWAY_API_KEYS: JSON.stringify([viewer.entry]) } });
    h.sim.seedClusters(3, { jobsPerCluster: 0 });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('a viewer key cannot delete a cluster', async () => {
    const as = { headers: { 'x-api-key': viewer.key } };
    const clusterId = (await h.gql('{ clusters(first: 1) { edges { node { id } } } }', undefined, as)).data.clusters.edges[0].node.id;
    h.sim.stats.reset();
    const result = await h.gql(DELETE_CLUSTER, { id: clusterId }, as);
    expect(result.data.deleteCluster).toMatchObject({ __typename: 'ForbiddenError', code: 'FORBIDDEN' });
    expect(h.sim.stats.count()).toBe(0);
    const still = await h.gql(`{ cluster(id: "${clusterId}") { status } }`, undefined, as);
    expect(still.data.cluster.status).not.toBe('DELETING');
  });

  it('refuses 25,000 aliases at the default limits with 413, before parsing', async () => {
    h.sim.stats.reset();
    const query = `{ ${Array.from({ length: 25_000 }, (_, i) => `a${i}:cluster(id:"x"){id}`).join(' ')} }`;
    const result = await h.gql(query, undefined, { headers: { 'x-api-key': viewer.key } });
    expect(result.status).toBe(413);
    // ~600 kB: over the request body cap (MAX_DOCUMENT_BYTES + MAX_VARIABLES_BYTES + 16 KiB), so it is not even read whole.
    expect(result.errors![0]!.extensions).toMatchObject({ code: 'REQUEST_ENTITY_TOO_LARGE' });
    expect(h.sim.stats.count()).toBe(0);
  });

  it('closes a refused upload\'s connection gracefully: 413 with Connection: close, then a FIN, never a reset', async () => {
    // With the 413 sent before the body is read, a connection kept alive would go on reading the
    // rest, and the body timeout would cut it (a reset) under whatever request the client sent next.
    for (const framing of ['content-length', 'chunked'] as const) {
      const upload = await refusedUpload(h.url, { 'x-api-key': viewer.key }, framing, 4 * 2 ** 20);
      expect(upload.head).toMatch(/^HTTP\/1\.1 413 /);
      expect(upload.head).toMatch(/^connection: close$/im);
      expect(upload).toMatchObject({ ended: true, error: null });
    }
  });

  it('a start with AK/SK and no GATEWAY_AUTH is refused', async () => {
    const main = spawnMain({ EMS_ENDPOINT: 'https://ems.example.test', EMS_AK: 'AKEXAMPLE123456', EMS_SK: 'SKEXAMPLE-very-secret', GATEWAY_AUTH: '' });
    expect(await main.exited).toBe(1);
    expect(main.output()).toMatch(/Invalid configuration:\n {2}- GATEWAY_AUTH: required when the gateway holds EMS credentials/);
    expect(main.output()).not.toContain('SKEXAMPLE-very-secret');
    // A cold start of src/main.ts under tsx: seconds alone, much longer on a loaded 2-core machine.
  }, 120_000);
});

/**
 * POSTs a body of `size` bytes over a raw socket, 64 KiB at a time, and keeps sending after the
 * answer until the server ends its side (a FIN) or the body is all sent; the answer's head, whether
 * the server ended its side, and the socket's error (a reset), if any.
 */
async function refusedUpload(url: string, headers: Record<string, string>, framing: 'content-length' | 'chunked', size: number) {
  const { port, hostname, pathname } = new URL(url);
  const socket = connect(Number(port), hostname);
  await once(socket, 'connect');
  let reply = '';
  let ended = false;
  let error: Error | null = null;
  socket.setEncoding('utf8').on('data', (c: string) => (reply += c));
  socket.on('end', () => (ended = true));
  socket.on('error', (e) => (error = e));
  const closed = new Promise((resolve) => socket.once('close', resolve));
  const extra = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
  socket.write(
    `POST ${pathname} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nContent-Type: application/json\r\n${extra}` +
      `${framing === 'chunked' ? 'Transfer-Encoding: chunked' : `Content-Length: ${size}`}\r\n\r\n`,
  );
  const chunk = Buffer.alloc(64 * 1024, 'x');
  for (let sent = 0; sent < size && !ended && !socket.destroyed; sent += chunk.length) {
    const ok = framing === 'chunked' ? socket.write(`${chunk.length.toString(16)}\r\n`) && socket.write(chunk) && socket.write('\r\n') : socket.write(chunk);
    if (!ok) await Promise.race([once(socket, 'drain'), closed]).catch(() => undefined);
    else await new Promise((r) => setImmediate(r));
  }
  if (!ended && !socket.destroyed && framing === 'chunked') socket.write('0\r\n\r\n');
  await closed;
  return { head: reply.split('\r\n\r\n')[0]!.replace(/\r\n/g, '\n'), ended, error };
}
