/** Statistics and load generation shared by the sections. */
import autocannon from 'autocannon';
import { Pool } from 'undici';
import type { Child, CpuSample } from './child.js';

/** The p-th percentile (0..100) of an ascending array, nearest rank. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export function median(values: readonly number[]): number {
  return percentile([...values].sort((a, b) => a - b), 50);
}

/** Median and spread of the repeats of one figure. */
export interface Repeated {
  median: number;
  min: number;
  max: number;
  runs: number[];
}

export function repeated(runs: number[]): Repeated {
  return { median: median(runs), min: Math.min(...runs), max: Math.max(...runs), runs };
}

// ---------------------------------------------------------------------------------------------
// HTTP clients of the latency section: one keep-alive pool per origin, bodies read and parsed in full.

const pools = new Map<string, Pool>();

function poolOf(url: URL): Pool {
  let pool = pools.get(url.origin);
  if (!pool) pools.set(url.origin, (pool = new Pool(url.origin, { connections: 32 })));
  return pool;
}

export async function closePools(): Promise<void> {
  await Promise.all([...pools.values()].map((pool) => pool.close()));
  pools.clear();
}

/** A GET of one EMS path, its JSON body parsed; rejects on a non-2xx answer. */
export async function getJson(base: string, path: string, headers: Record<string, string>): Promise<unknown> {
  const url = new URL(path, base);
  const res = await poolOf(url).request({ method: 'GET', path: url.pathname + url.search, headers });
  const body = await res.body.json();
  if (res.statusCode >= 300) throw new Error(`GET ${path}: ${res.statusCode} ${JSON.stringify(body)}`);
  return body;
}

/** POSTs one GraphQL operation; rejects on a non-2xx answer or a result with errors. */
export async function postGraphql(url: string, body: string, headers: Record<string, string>): Promise<unknown> {
  const u = new URL(url);
  const res = await poolOf(u).request({
    method: 'POST',
    path: u.pathname,
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', ...headers },
    body,
  });
  const result = (await res.body.json()) as { data?: unknown; errors?: unknown[] };
  if (res.statusCode >= 300 || result.errors?.length) throw new Error(`POST ${url}: ${res.statusCode} ${JSON.stringify(result.errors ?? result)}`);
  return result.data;
}

/**
 * Latency of several ways of doing the same thing, sampled in turns one request at a time, the
 * order reversed every other turn (A B C, C B A, ...), so all see the same background load and
 * none always follows another. Returns the samples of each in ms, unsorted.
 */
export async function sampleTurns(fns: readonly (() => Promise<unknown>)[], samples: number): Promise<number[][]> {
  const out = fns.map(() => [] as number[]);
  const order = fns.map((_, i) => i);
  for (let i = 0; i < samples; i++) {
    for (const k of i % 2 === 0 ? order : [...order].reverse()) {
      const started = performance.now();
      await fns[k]!();
      out[k]!.push(performance.now() - started);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Throughput: autocannon, with the target process's CPU time over the run.

export interface LoadTarget {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
}

export interface LoadResult {
  /** Completed 2xx responses per second. */
  rps: number;
  requests: number;
  /** Latency under load, ms. */
  p50: number;
  p99: number;
  /** CPU time of each watched process per completed request, ms, and its share of one core. */
  cpu: Record<string, { perRequestMs: number; coreShare: number }>;
}

/**
 * Runs autocannon against `target` with `connections` connections, reading the CPU time of the
 * `watch`ed children before and after. Fails on any error or non-2xx answer.
 *
 * With `requests`, the run sends that many and waits for every answer: no request is cut off at the
 * end, so the CPU the servers spent belongs to completed requests only (a run by `durationSec`
 * aborts the requests in flight when it ends, and their work would be charged to the others).
 */
export async function runLoad(
  target: LoadTarget,
  options: { connections: number; durationSec: number; requests?: number; watch?: Child[] },
): Promise<LoadResult> {
  const watch = options.watch ?? [];
  const before = await Promise.all(watch.map((c) => c.call<CpuSample>('cpu')));
  const result = await autocannon({
    url: target.url,
    method: target.method ?? 'GET',
    headers: target.headers ?? {},
    ...(target.body === undefined ? {} : { body: target.body }),
    connections: options.connections,
    ...(options.requests === undefined ? { duration: options.durationSec } : { amount: options.requests }),
    pipelining: 1,
    // autocannon's 10 s would fail a nested-query run on a crowded machine, where a request can
    // wait that long for a core; every request is waited for anyway, and a stall still ends the run.
    timeout: 60,
  });
  const after = await Promise.all(watch.map((c) => c.call<CpuSample>('cpu')));
  if (result.errors > 0 || result.non2xx > 0 || result.timeouts > 0) {
    throw new Error(`load on ${target.url}: ${result.errors} errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx answers`);
  }
  const requests = result['2xx'];
  const cpu: LoadResult['cpu'] = {};
  watch.forEach((child, i) => {
    const cpuMs = (after[i]!.cpuMicros - before[i]!.cpuMicros) / 1000;
    cpu[child.name] = { perRequestMs: cpuMs / requests, coreShare: cpuMs / (after[i]!.wallMs - before[i]!.wallMs) };
  });
  return { rps: requests / result.duration, requests, p50: result.latency.p50, p99: result.latency.p99, cpu };
}
