/**
 * Child: the gateway as `npm start` runs it (loadConfig(process.env) → buildApp → start), with its
 * own logger at the configured level, pointed at the simulator through EMS_ENDPOINT. The parent
 * starts it with NODE_ENV=production. Besides the common `cpu`, `memory`, `exit`, `profileStart`
 * and `profileStop` (bench/support/child.ts), it answers:
 *
 * - `heapSnapshot`: a V8 heap snapshot (after GC) written to the given path;
 * - `watchJob`: subscribes in-process to a job through the live hub, first of all subscribers, and
 *   emits `published` with the time the gateway has each new state (the start of its fan-out).
 */
import { writeHeapSnapshot } from 'node:v8';
import { emit, epochMs, serveRpc } from './child.js';

// The compiled build (dist/), which is what `npm start` runs: the parent builds it first (see
// bench/index.ts). Under tsx, every function of ours would carry esbuild's keepNames wrapper, which
// production code does not: a property store per closure, thousands of them with subscribers.
// BENCH_GATEWAY_DIST: another build to measure (an absolute directory), e.g. to compare two builds.
const DIST = process.env.BENCH_GATEWAY_DIST ? new URL(`file://${process.env.BENCH_GATEWAY_DIST.replace(/\/?$/, '/')}`) : new URL('../../dist/', import.meta.url);
const { buildApp } = (await import(new URL('app.js', DIST).href)) as typeof import('../../src/app.js');
const { loadConfig } = (await import(new URL('config.js', DIST).href)) as typeof import('../../src/config.js');
const { scopeOf } = (await import(new URL('context.js', DIST).href)) as typeof import('../../src/context.js');

export interface PublishedEvent {
  progress: number;
  status: string;
  /** epochMs() when the in-process subscriber saw it. */
  at: number;
}

const app = await buildApp(loadConfig(process.env));
const url = await app.start(0, '127.0.0.1');

serveRpc(
  {
    heapSnapshot({ path }: { path: string }) {
      (globalThis as { gc?: () => void }).gc?.();
      writeHeapSnapshot(path);
    },
    watchJob({ token, jobId }: { token: string; jobId: string }) {
      const auth = { kind: 'token', token } as const;
      void (async () => {
        for await (const job of app.services.live.watchJob({ scope: scopeOf(auth), auth }, jobId)) {
          emit('published', { progress: job.progress ?? 0, status: job.status, at: epochMs() } satisfies PublishedEvent);
        }
      })();
    },
  },
  { url },
);
