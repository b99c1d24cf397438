/** What every section gets: the options, the running simulator, and helpers to start a gateway. */
import { join } from 'node:path';
import { startChild, type Child } from '../support/child.js';
import { getJson } from '../support/measure.js';
import type { SimulatorReady } from '../support/simulator.js';

export interface BenchOptions {
  quick: boolean;
  /** Latency section: samples per repeat and per side, after `warmup` pairs. */
  samples: number;
  warmup: number;
  repeats: number;
  /** Added upstream latencies of the latency section, ms. */
  latencies: number[];
  /** Throughput section: connections and seconds per run. */
  connections: number;
  durationSec: number;
  warmupSec: number;
  /** Added upstream latency during the throughput runs, ms. */
  throughputLatency: number;
  subscribers: number;
  /** Subscriber client processes. */
  clientProcesses: number;
  /** Changes of the job to time. */
  events: number;
  /** Subscription poll interval (POLL_ACTIVE_MS), ms. */
  interval: number;
  /** Connections opened concurrently per client process. */
  batch: number;
  profileDurationSec: number;
  profileSamplingMicros: number;
  /** CPU-per-request budgets of the gateway by query (`--check`). */
  budgets: Record<BudgetQuery, Budget[]>;
}

export type BudgetQuery = 'cluster' | 'nested';

/**
 * A CPU-per-request budget of the gateway: `ms` absolute; `yoga` bare Yoga's CPU per request in the
 * same run / 0.75 (the `cluster(id)` throughput goal); `floor` the floor gateway's CPU per request
 * for the same query in the same run × `factor`.
 */
export type Budget = { kind: 'absolute'; ms: number } | { kind: 'yoga' } | { kind: 'floor'; factor: number };

export interface BenchContext {
  options: BenchOptions;
  sim: Child;
  simReady: SimulatorReady;
  /** Headers of a direct EMS call, as the gateway sends them. */
  emsHeaders: Record<string, string>;
  /** Headers of a GraphQL call to the gateway. */
  gatewayHeaders: Record<string, string>;
  /** Where logs and profiles of this run go. */
  outDir: string;
  log(message: string): void;
}

/** The upstream's data while it is measured: 100 clusters of 3 completed jobs each. */
export const SEED = { clusters: 100, jobsPerCluster: 3 } as const;

let gateways = 0;

/**
 * Starts the gateway in its own process, NODE_ENV=production, on the simulator; its log goes to
 * `<outDir>/gateway-N.log`.
 */
export async function startGateway(ctx: BenchContext, env: Record<string, string> = {}): Promise<Child & { ready: { url: string } }> {
  const n = ++gateways;
  return (await startChild(`gateway`, 'gateway.ts', {
    env: {
      NODE_ENV: 'production',
      EMS_ENDPOINT: ctx.simReady.url,
      EMS_PROJECT_ID: ctx.simReady.projectId,
      // The bench drives one caller far past any per-caller limit: it measures the gateway's work,
      // so the per-caller rate limits are off (0) and the connection cap out of reach.
      RATE_LIMIT_REQUESTS: '0',
      RATE_LIMIT_EMS_CALLS: '0',
      MAX_CONNECTIONS_PER_CALLER: '1000000',
      AUDIT_LOG: 'off',
      ...env,
    },
    logFile: join(ctx.outDir, `gateway-${n}.log`),
    execArgv: process.env.BENCH_GATEWAY_NODE_FLAGS?.split(' ').filter(Boolean),
  })) as Child & { ready: { url: string } };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The id of the project's first cluster. */
export async function firstClusterId(ctx: BenchContext): Promise<string> {
  const body = (await getJson(ctx.simReady.url, '/v1/clusters?limit=1', ctx.emsHeaders)) as { clusters: { cluster_metadata: { id: string } }[] };
  const id = body.clusters[0]?.cluster_metadata.id;
  if (!id) throw new Error('the simulator lists no cluster');
  return id;
}
