/**
 * EMS simulator: a plain node:http server speaking the 16 operations of the EMS REST API. Its options
 * and methods are the types of `types.ts`; how it reads the EMS reference where the reference is
 * unclear, and what it adds (credentials, faults, a virtual clock, seeded data), is in docs/ems.md.
 *
 * A room of its own: the gateway's production path never imports it (`npm start` loads it through
 * `dev.ts` when EMS_ENDPOINT is unset). It shares with the gateway only the request side: the zod
 * request models, rules and defaults of src/ems/models (which it checks incoming bodies against)
 * and the signer's canonical request (which it verifies AK/SK signatures with). Every answer it
 * writes itself (`wire.ts`), from its own state: the gateway's read models must not agree with it by
 * construction.
 *
 * Layout: `server.ts` routing and the request pipeline, `handlers.ts` the 16 operations,
 * `wire.ts` the answers (reference or variant), `jobs.ts` the job engine and cluster state
 * machine, `store.ts` per-project state, `seed.ts` seeded data, `auth.ts` token and AK/SK
 * authentication, `faults.ts` fault injection, `stats.ts` call counters, `validation.ts` zod
 * issues → EMS errors, `clock.ts` virtual time, `env.ts` the SIMULATOR_* settings, `main.ts` the
 * standalone `npm run simulator`, `dev.ts` the embedded one of `npm start`.
 */

import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { VirtualClock } from './clock.js';
import { FaultInjector } from './faults.js';
import { Prng } from './prng.js';
import { seedBatchClusters, seedWorld } from './seed.js';
import { createRequestListener } from './server.js';
import { StatsRecorder } from './stats.js';
import { SIMULATOR_WIRES, type EmsSimulator, type SimulatorOptions } from './types.js';
import { WireWriter } from './wire.js';

export type {
  EmsSimulator,
  SimulatorClock,
  SimulatorCredentials,
  SimulatorFaults,
  SimulatorIamProject,
  SimulatorOptions,
  SimulatorStats,
  SimulatorStatsLogEntry,
  SimulatorWire,
} from './types.js';
export { DEFAULT_FAULTS } from './faults.js';
export { createRegionalSimulators, type RegionalSimulators } from './regions.js';

/** The region a simulator plays unless told otherwise. */
export const DEFAULT_SIMULATOR_REGION = 'cn-north-4';
/** A Huawei Cloud region name: `cn-north-4`, `ap-southeast-1`, `la-north-2`. */
export const REGION_NAME = /^[a-z]{2,}(?:-[a-z0-9]+)+$/;

/**
 * Creates a simulator (not listening until `start()`).
 * @throws RangeError on an invalid option.
 */
export function createSimulator(opts: SimulatorOptions = {}): EmsSimulator {
  const port = opts.port ?? 0;
  const host = opts.host ?? '127.0.0.1';
  const seed = opts.seed ?? 1;
  const clusterCount = opts.clusterCount ?? 20;
  const problems: string[] = [];
  if (!Number.isInteger(port) || port < 0 || port > 65535) problems.push(`port must be an integer in 0..65535, got ${port}`);
  if (!Number.isInteger(seed)) problems.push(`seed must be an integer, got ${seed}`);
  if (!Number.isInteger(clusterCount) || clusterCount < 0) problems.push(`clusterCount must be an integer >= 0, got ${clusterCount}`);
  const speed = opts.clockSpeed ?? 1;
  if (!Number.isFinite(speed) || speed < 0) problems.push(`clockSpeed must be a finite number >= 0, got ${speed}`);
  const wire = opts.wire ?? 'reference';
  if (!SIMULATOR_WIRES.includes(wire)) problems.push(`wire must be one of ${SIMULATOR_WIRES.join(', ')}, got ${String(wire)}`);
  if (problems.length > 0) throw new RangeError(`Invalid simulator options: ${problems.join('; ')}`);
  const clock = new VirtualClock(speed);
  const faults = new FaultInjector(seed, opts.faults);
  const region = opts.region ?? DEFAULT_SIMULATOR_REGION;
  if (!REGION_NAME.test(region)) problems.push(`region must look like cn-north-4, got ${JSON.stringify(region)}`);
  if (problems.length > 0) throw new RangeError(`Invalid simulator options: ${problems.join('; ')}`);
  const seeded = seedWorld(seed, clusterCount, clock.nowMs());
  const { store } = seeded;
  let credentials = seeded.credentials;
  if (opts.sharedCredentials) {
    const shared = opts.sharedCredentials;
    store.tokens.set(shared.token, { projectId: credentials.projectId, readOnly: false, expired: false });
    store.accessKeys.set(shared.ak, { sk: shared.sk, projectId: credentials.projectId });
    credentials = { ...credentials, token: shared.token, ak: shared.ak, sk: shared.sk };
  }
  const iamProjects =
    opts.iamProjects ??
    (() => [
      { id: credentials.projectId, name: region },
      { id: credentials.otherProjectId, name: `${region}_other` },
    ]);
  const ids = new Prng(seed, 'ids');
  const stats = new StatsRecorder();
  const server: Server = createServer(createRequestListener({ store, clock, faults, ids, stats, wire: new WireWriter(wire), iamProjects }));
  server.on('clientError', (_err, socket) => {
    // Unparseable HTTP: answer like APIGW would, still with an X-Request-Id.
    const body = JSON.stringify({ error_code: 'APIGW.0201', error_msg: 'Bad request: malformed HTTP message' });
    if (socket.writable) {
      socket.end(
        `HTTP/1.1 400 Bad Request\r\nx-request-id: ${randomUUID()}\r\ncontent-type: application/json;charset=utf-8\r\n` +
          `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
      );
    } else {
      socket.destroy();
    }
  });

  let url: string | null = null;
  let starting: Promise<string> | null = null;

  return {
    region,
    get url(): string {
      if (url === null) throw new Error('EMS simulator is not listening: call start() first');
      return url;
    },
    start(): Promise<string> {
      starting ??= new Promise<string>((resolve, reject) => {
        const onError = (err: Error) => {
          starting = null;
          reject(err);
        };
        server.once('error', onError);
        server.listen(port, host, () => {
          server.off('error', onError);
          const address = server.address() as AddressInfo;
          url = `http://${urlHost(host)}:${address.port}`;
          resolve(url);
        });
      });
      return starting;
    },
    async stop(): Promise<void> {
      if (!server.listening) return;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      url = null;
      starting = null;
    },
    credentials: Object.freeze({ ...credentials }),
    stats,
    setFaults: (f) => faults.set(f),
    resetFaults: () => faults.reset(),
    clock: {
      now: () => clock.now(),
      advance: (ms) => clock.advance(ms),
      setSpeed: (s) => clock.setSpeed(s),
    },
    seedClusters(count, o = {}) {
      seedBatchClusters(store.project(credentials.projectId), count, o.jobsPerCluster ?? 1, clock.nowMs(), ids);
    },
  };
}

/** Host part of the URL: wildcard addresses become loopback, IPv6 gets brackets. */
function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}
