/**
 * Child: a share of the subscribers of the subscription section, each on its own connection.
 *
 * - `plain`: bare WebSocket connections that only stay open (the `ws` baseline);
 * - `graphql-ws`: the real graphql-ws client over `ws`, one connection per subscriber, subscribed to
 *   `jobProgress` of one job; every result's arrival time is recorded by its progress value.
 */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { epochMs, serveRpc } from './child.js';

export interface ConnectParams {
  mode: 'plain' | 'graphql-ws';
  url: string;
  count: number;
  /** Connections opened concurrently. */
  batch: number;
  token?: string;
  jobId?: string;
  /** A subscriber that has not received its first result by then counts as failed. */
  timeoutMs: number;
}

export interface ConnectResult {
  /** Subscribers that got their first result (graphql-ws) or connections opened (plain). */
  ready: number;
  failed: number;
  firstFailure: string | null;
  setupMs: number;
}

export const JOB_PROGRESS = 'subscription JobProgress($id: ID!) { jobProgress(id: $id) { id status progress } }';

const sockets: WebSocket[] = [];
const clients: Client[] = [];
/** Arrival times (epochMs) by progress value, one entry per subscriber that received it. */
const received = new Map<number, number[]>();

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (error && typeof error === 'object' && 'code' in error) return `close ${(error as { code: number; reason?: string }).code} ${(error as { reason?: string }).reason ?? ''}`;
  return JSON.stringify(error);
}

function openPlain(url: string): Promise<void> {
  const socket = new WebSocket(url);
  sockets.push(socket);
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
}

function subscribe(p: ConnectParams): Promise<void> {
  const client = createClient({
    url: p.url,
    webSocketImpl: WebSocket,
    connectionParams: { authToken: p.token },
    retryAttempts: 0,
    lazy: true,
  });
  clients.push(client);
  return new Promise<void>((resolve, reject) => {
    let first = true;
    client.subscribe<{ jobProgress: { progress: number; status: string } }>(
      { query: JOB_PROGRESS, variables: { id: p.jobId } },
      {
        next(result) {
          const at = epochMs();
          const job = result.data?.jobProgress;
          if (!job) return reject(new Error(`result without data: ${JSON.stringify(result.errors)}`));
          let list = received.get(job.progress);
          if (!list) received.set(job.progress, (list = []));
          list.push(at);
          if (first) {
            first = false;
            resolve();
          }
        },
        error: reject,
        complete: () => {},
      },
    );
  });
}

serveRpc({
  async connect(p: ConnectParams): Promise<ConnectResult> {
    const started = performance.now();
    let ready = 0;
    let failed = 0;
    let firstFailure: string | null = null;
    for (let i = 0; i < p.count; i += p.batch) {
      const openings = Array.from({ length: Math.min(p.batch, p.count - i) }, () => {
        const opening = p.mode === 'plain' ? openPlain(p.url) : subscribe(p);
        let timer: NodeJS.Timeout;
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${p.timeoutMs} ms`)), p.timeoutMs);
        });
        return Promise.race([opening, timeout]).then(
          () => {
            clearTimeout(timer);
            ready++;
          },
          (error: unknown) => {
            clearTimeout(timer);
            failed++;
            firstFailure ??= describe(error);
          },
        );
      });
      await Promise.all(openings);
    }
    return { ready, failed, firstFailure, setupMs: performance.now() - started };
  },
  /** Arrival times by progress value (as a plain object, keys are the progress values). */
  received: () => Object.fromEntries(received),
  async close() {
    for (const socket of sockets) socket.terminate();
    await Promise.all(clients.map((client) => client.dispose()));
    sockets.length = 0;
    clients.length = 0;
    received.clear();
  },
});
