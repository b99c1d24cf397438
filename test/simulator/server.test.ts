import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/simulator/clock.js';
import { FaultInjector } from '../../src/simulator/faults.js';
import { Prng } from '../../src/simulator/prng.js';
import { seedWorld } from '../../src/simulator/seed.js';
import { WireWriter } from '../../src/simulator/wire.js';
import { createRequestListener } from '../../src/simulator/server.js';
import { StatsRecorder } from '../../src/simulator/stats.js';
import type { EmsSimulator } from '../../src/simulator/index.js';
import { startSim, UUID_RE } from './helpers.js';

let server: Server | undefined;
let sim: EmsSimulator | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
  await sim?.stop();
  sim = undefined;
});

describe('request pipeline', () => {
  it('turns an unexpected throw into a 500 with an error body and X-Request-Id, and keeps serving', async () => {
    const clock = new VirtualClock(0);
    const { store, credentials } = seedWorld(1, 20, clock.nowMs());
    const stats = new StatsRecorder();
    let explode = true;
    const realProject = store.project.bind(store);
    store.project = (id: string) => {
      if (explode) throw new Error('boom');
      return realProject(id);
    };
    server = createServer(createRequestListener({ store, clock, faults: new FaultInjector(1), ids: new Prng(1, 'ids'), stats, wire: new WireWriter('reference') }));
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const headers = { 'x-auth-token': credentials.token };

    const res = await fetch(`${url}/v1/clusters`, { headers });
    expect(res.status).toBe(500);
    expect(res.headers.get('x-request-id')).toMatch(UUID_RE);
    expect(await res.json()).toEqual({ error_code: 'common.00000500', error_msg: 'Internal server error: boom' });
    explode = false;
    expect((await fetch(`${url}/v1/clusters`, { headers })).status).toBe(200);
    expect(stats.calls.ListClusters).toBe(2);
  });

  it('answers a malformed HTTP message with 400 and an X-Request-Id', async () => {
    sim = await startSim();
    const { port } = new URL(sim.url);
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => socket.write('BROKEN\r\n\r\n'));
      let data = '';
      socket.on('data', (d) => (data += d.toString()));
      socket.on('end', () => resolve(data));
      socket.on('error', reject);
    });
    expect(reply).toMatch(/^HTTP\/1\.1 400/);
    expect(reply).toMatch(/x-request-id: [0-9a-f-]{36}/);
  });

  it('answers 413 to a body over 1 MiB', async () => {
    sim = await startSim();
    const res = await fetch(`${sim.url}/v1/jobs/cancel`, {
      method: 'POST',
      headers: { 'x-auth-token': sim.credentials.token, 'content-type': 'application/json' },
      body: JSON.stringify({ job_ids: ['x'.repeat(1024 * 1024)] }),
    });
    expect(res.status).toBe(413);
    expect(res.headers.get('x-request-id')).toMatch(UUID_RE);
  });
});
