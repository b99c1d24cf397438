import type { ResultOf, TypedDocumentNode, VariablesOf } from '@graphql-typed-document-node/core';
import { print, type FormattedExecutionResult } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import type { EmsSimulator } from '../../src/simulator/index.js';
import { sleep, until } from './fake-ems.js';

export { sleep, until };

/** A subscription document of test/operations/subscriptions.graphql, as codegen types it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any variables: each document checks its own
type SubscriptionDocument = TypedDocumentNode<Record<string, unknown>, any>;
/** What one event of a subscription carries: the value of its one field (a job, a cluster). */
export type EventOf<D extends SubscriptionDocument> = ResultOf<D>[keyof ResultOf<D>];

/** Calls the simulator directly (setup and actions the gateway is not under test for). */
export async function emsCall<T = any>(sim: EmsSimulator, method: string, path: string, body?: unknown, token = sim.credentials.token): Promise<T> {
  const res = await fetch(new URL(path, sim.url), {
    method,
    headers: { 'content-type': 'application/json;charset=utf-8', 'x-auth-token': token },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

let n = 0;
/** Creates a cluster in the simulator; returns its long-running create job and the cluster id. */
export async function createClusterJob(sim: EmsSimulator, token?: string): Promise<{ jobId: string; clusterId: string }> {
  n += 1;
  const suffix = `${process.pid.toString(36)}${Date.now().toString(36)}${n}`.slice(-12);
  const res = await emsCall<{ job_id: string; cluster_id: string }>(
    sim,
    'POST',
    '/v1/clusters',
    { name: `sub-${suffix}`, k8s_cluster_specification: { k8s_cluster_id: '3f0c2a4e-8b1d-4c6f-9a7e-5d2b1c0e9f8a' } },
    token,
  );
  return { jobId: res.job_id, clusterId: res.cluster_id };
}

export async function cancelJob(sim: EmsSimulator, jobId: string): Promise<void> {
  const res = await emsCall<{ success_rows: number }>(sim, 'POST', '/v1/jobs/cancel', { job_ids: [jobId] });
  if (res.success_rows !== 1) throw new Error(`could not cancel ${jobId}`);
}

/** The simulator's log entries of ShowJob calls for one job: the upstream polls of that job. */
export function pollsOf(sim: EmsSimulator, jobId: string) {
  return sim.stats.log.filter((e) => e.operation === 'ShowJob' && e.path.split('?')[0]!.endsWith(`/v1/jobs/${jobId}`));
}

export function wsUrl(httpUrl: string): string {
  return httpUrl.replace(/^http/, 'ws');
}

/** A real graphql-ws client over the `ws` package, without retries. */
export function wsClient(httpUrl: string, authToken: string | null, extra: { onClosed?: (code: number, reason: string) => void } = {}): Client {
  return createClient({
    url: wsUrl(httpUrl),
    webSocketImpl: WebSocket,
    connectionParams: authToken === null ? {} : { authToken },
    retryAttempts: 0,
    lazy: true,
    on: {
      closed: (event) => {
        const e = event as { code: number; reason: string };
        extra.onClosed?.(e.code, String(e.reason));
      },
    },
  });
}

/** Records what one subscription receives. */
export interface Received<T> {
  results: FormattedExecutionResult<Record<string, T>, unknown>[];
  /** The `data.<field>` of each result that carried data. */
  values: T[];
  /** Set by an `error` message or a closed socket. */
  error: unknown;
  completed: boolean;
  /** Receive times (epoch ms), one per result. */
  at: number[];
  done: Promise<void>;
  dispose(): void;
}

export function subscribe<D extends SubscriptionDocument>(client: Client, document: D, variables: VariablesOf<D>): Received<EventOf<D>> {
  type T = EventOf<D>;
  let resolve!: () => void;
  const out: Received<T> = {
    results: [],
    values: [],
    error: null,
    completed: false,
    at: [],
    done: new Promise<void>((r) => (resolve = r)),
    dispose: () => {},
  };
  out.dispose = client.subscribe<Record<string, T>>(
    { query: print(document), variables },
    {
      next(result) {
        out.results.push(result);
        out.at.push(Date.now());
        const value = result.data ? Object.values(result.data)[0] : undefined;
        if (value) out.values.push(value);
      },
      error(error) {
        out.error = error;
        resolve();
      },
      complete() {
        out.completed = true;
        resolve();
      },
    },
  );
  return out;
}

/**
 * Subscribes over Server-Sent Events (graphql-yoga's GraphQL over SSE, distinct connections mode),
 * with the token in `X-Auth-Token`.
 */
export function subscribeSse<D extends SubscriptionDocument>(httpUrl: string, token: string | null, document: D, variables: VariablesOf<D>): Received<EventOf<D>> {
  type T = EventOf<D>;
  const controller = new AbortController();
  const out: Received<T> = {
    results: [],
    values: [],
    error: null,
    completed: false,
    at: [],
    done: Promise.resolve(),
    dispose: () => controller.abort(),
  };
  out.done = (async () => {
    try {
      const res = await fetch(httpUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'text/event-stream',
          ...(token ? { 'x-auth-token': token } : {}),
        },
        body: JSON.stringify({ query: print(document), variables }),
        signal: controller.signal,
      });
      if (!res.ok || !res.body) throw new Error(`SSE answered ${res.status}`);
      const decoder = new TextDecoder();
      let buffer = '';
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: ?(.*)$/m.exec(block)?.[1]?.trim() ?? 'message';
          const data = block
            .split('\n')
            .filter((l) => l.startsWith('data:'))
            .map((l) => l.slice(5).trimStart())
            .join('\n');
          if (event === 'complete') {
            out.completed = true;
            return;
          }
          if (event === 'next' && data) {
            const result = JSON.parse(data) as FormattedExecutionResult<Record<string, T>, unknown>;
            out.results.push(result);
            out.at.push(Date.now());
            const value = result.data ? Object.values(result.data)[0] : undefined;
            if (value) out.values.push(value);
          }
        }
      }
      out.completed = true;
    } catch (error) {
      if (!controller.signal.aborted) out.error = error;
    }
  })();
  return out;
}
