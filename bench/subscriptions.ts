/**
 * Memory and fan-out of graphql-ws subscriptions on one gateway process.
 *
 * 1. Baseline: a bare `ws` server in a child process; N plain WebSocket connections; its memory
 *    (heap after GC, and RSS) before and after, per connection.
 * 2. Gateway: simulator + gateway (buildApp, in-memory hub) in a child process; N graphql-ws clients
 *    (the real `graphql-ws` client over `ws`, one connection each) subscribe to `jobProgress` of one
 *    running job; its memory per subscriber, the same way.
 * 3. Fan-out: for each of the next few changes of the job, the time from the moment the gateway
 *    has the new state (an in-process hub subscriber, registered first, sees it) until each of the N
 *    clients has received it: p50, p99 and max (= one change reaching all of them).
 *
 * The clients run in this process, the servers in children, all on this machine: client-side
 * parsing is part of the fan-out time.
 *
 *   npm run bench:subscriptions [-- --subscribers 10000 --events 5 --interval 3000 --batch 100]
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createClient, type Client } from 'graphql-ws';
import { pino } from 'pino';
import WebSocket, { WebSocketServer } from 'ws';

interface Memory {
  heapUsed: number;
  rss: number;
  external: number;
}
type ToChild = { type: 'memory' } | { type: 'exit' };
type FromChild =
  | { type: 'ready'; url: string; token?: string; jobId?: string }
  | { type: 'memory'; memory: Memory }
  | { type: 'published'; progress: number; status: string; at: number };

const role = process.argv[2];
if (role === 'bare') await bareServer();
else if (role === 'gateway') await gatewayServer(Number(process.argv[3] ?? 3000));
else await main();

// ---------------------------------------------------------------------------------------------
// Children

function measure(): Memory {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  const m = process.memoryUsage();
  return { heapUsed: m.heapUsed, rss: m.rss, external: m.external + m.arrayBuffers };
}

function serve(ready: Extract<FromChild, { type: 'ready' }>, extra: (send: (m: FromChild) => void) => void = () => {}) {
  const send = (m: FromChild) => process.send!(m);
  process.on('message', (m: ToChild) => {
    if (m.type === 'memory') send({ type: 'memory', memory: measure() });
    if (m.type === 'exit') process.exit(0);
  });
  extra(send);
  send(ready);
}

async function bareServer() {
  const server = createServer();
  const wss = new WebSocketServer({ server });
  wss.on('connection', (socket) => socket.on('message', () => {}));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  serve({ type: 'ready', url: `ws://127.0.0.1:${port}` });
}

async function gatewayServer(intervalMs: number) {
  const { createSimulator } = await import('../src/simulator/index.js');
  const { loadConfig } = await import('../src/config.js');
  const { buildApp } = await import('../src/app.js');
  const { scopeOf } = await import('../src/context.js');
  // A slow virtual clock: the create job stays RUNNING for the whole run, its progress moving at every poll.
  const sim = createSimulator({ clockSpeed: 0.25 });
  const simUrl = await sim.start();
  const config = loadConfig({
    EMS_ENDPOINT: simUrl,
    EMS_PROJECT_ID: sim.credentials.projectId,
    POLL_ACTIVE_MS: String(intervalMs),
    POLL_IDLE_MS: String(intervalMs * 2),
    LOG_LEVEL: 'silent',
  });
  const app = await buildApp(config, { logger: pino({ level: 'silent' }) });
  const url = await app.start(0, '127.0.0.1');
  const token = sim.credentials.token;
  const res = await fetch(new URL('/v1/clusters', simUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-auth-token': token },
    body: JSON.stringify({ name: 'bench-subscriptions', k8s_cluster_specification: { k8s_cluster_id: '3f0c2a4e-8b1d-4c6f-9a7e-5d2b1c0e9f8a' } }),
  });
  const { job_id: jobId } = (await res.json()) as { job_id: string };
  const auth = { kind: 'token', token } as const;
  serve({ type: 'ready', url, token, jobId }, (send) => {
    // First subscriber of the watch: it sees each new state as the fan-out to the others begins.
    void (async () => {
      for await (const job of app.services.live.watchJob({ scope: scopeOf(auth), auth }, jobId)) {
        send({ type: 'published', progress: job.progress ?? 0, status: job.status, at: Date.now() });
      }
    })();
  });
}

// ---------------------------------------------------------------------------------------------
// Main

async function main() {
  const { values } = parseArgs({
    options: {
      subscribers: { type: 'string', default: '10000' },
      events: { type: 'string', default: '5' },
      interval: { type: 'string', default: '3000' },
      batch: { type: 'string', default: '100' },
    },
  });
  const n = Number(values.subscribers);
  const events = Number(values.events);
  const interval = Number(values.interval);
  const batch = Number(values.batch);
  const mb = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;
  const kb = (b: number) => `${(b / 1024).toFixed(2)} KiB`;

  console.log(`# Subscriptions benchmark: ${n} subscribers, node ${process.version}, ${new Date().toISOString()}\n`);

  // 1. Bare ws baseline.
  const bare = await startChild(['bare']);
  const bareBefore = await memoryOf(bare.child);
  const sockets: WebSocket[] = [];
  for (let i = 0; i < n; i += batch) {
    await Promise.all(
      Array.from({ length: Math.min(batch, n - i) }, () => {
        const socket = new WebSocket(bare.ready.url);
        sockets.push(socket);
        return new Promise((resolve, reject) => {
          socket.once('open', resolve);
          socket.once('error', reject);
        });
      }),
    );
  }
  await sleep(500);
  const bareAfter = await memoryOf(bare.child);
  for (const s of sockets) s.terminate();
  bare.child.send({ type: 'exit' } satisfies ToChild);
  const barePer = perItem(bareBefore, bareAfter, n);
  console.log(`bare ws server: ${n} connections`);
  console.log(`  heap ${mb(bareBefore.heapUsed)} -> ${mb(bareAfter.heapUsed)}, rss ${mb(bareBefore.rss)} -> ${mb(bareAfter.rss)}`);
  console.log(`  per connection: heap ${kb(barePer.heapUsed)}, heap+external ${kb(barePer.heapUsed + barePer.external)}, rss ${kb(barePer.rss)}\n`);
  await sleep(1000);

  // 2. Gateway.
  const gw = await startChild(['gateway', String(interval)]);
  const { url, token, jobId } = gw.ready as Required<Extract<FromChild, { type: 'ready' }>>;
  const published: Extract<FromChild, { type: 'published' }>[] = [];
  gw.child.on('message', (m: FromChild) => {
    if (m.type === 'published') published.push(m);
  });
  await sleep(500);
  const gwBefore = await memoryOf(gw.child);

  /** Receive times by progress value, one array entry per subscriber that received it. */
  const received = new Map<number, number[]>();
  let firsts = 0;
  const failures: unknown[] = [];
  const clients: Client[] = [];
  const setupStart = Date.now();
  for (let i = 0; i < n; i += batch) {
    await Promise.all(
      Array.from({ length: Math.min(batch, n - i) }, () => {
        const client = createClient({
          url: url.replace(/^http/, 'ws'),
          webSocketImpl: WebSocket,
          connectionParams: { authToken: token },
          retryAttempts: 0,
          lazy: true,
        });
        clients.push(client);
        return new Promise<void>((resolve) => {
          const fail = (error: unknown) => {
            failures.push(error);
            resolve();
          };
          let first = true;
          client.subscribe<{ jobProgress: { progress: number; status: string } }>(
            { query: 'subscription($id: ID!) { jobProgress(id: $id) { id status progress } }', variables: { id: jobId } },
            {
              next(result) {
                const at = Date.now();
                const job = result.data?.jobProgress;
                if (!job) return fail(new Error(JSON.stringify(result.errors)));
                let list = received.get(job.progress);
                if (!list) received.set(job.progress, (list = []));
                list.push(at);
                if (first) {
                  first = false;
                  firsts++;
                  resolve();
                }
              },
              error: fail,
              complete: () => {},
            },
          );
        });
      }),
    );
  }
  const setupMs = Date.now() - setupStart;
  await sleep(1000);
  const gwAfter = await memoryOf(gw.child);
  const gwPer = perItem(gwBefore, gwAfter, n);
  console.log(
    `gateway: ${n} graphql-ws subscribers to jobProgress of one job (${firsts} got the current state, ${failures.length} failed; set up in ${(setupMs / 1000).toFixed(1)} s)`,
  );
  if (failures.length) console.log('  first failure:', failures[0] instanceof Error ? failures[0].message : (failures[0] as { code?: number })?.code ?? failures[0]);
  console.log(`  heap ${mb(gwBefore.heapUsed)} -> ${mb(gwAfter.heapUsed)}, rss ${mb(gwBefore.rss)} -> ${mb(gwAfter.rss)}`);
  console.log(`  per subscriber: heap ${kb(gwPer.heapUsed)}, heap+external ${kb(gwPer.heapUsed + gwPer.external)}, rss ${kb(gwPer.rss)}`);
  console.log(
    `  vs bare ws: x${(gwPer.heapUsed / barePer.heapUsed).toFixed(1)} heap, +${kb(gwPer.heapUsed - barePer.heapUsed)} heap per subscriber for graphql-ws, GraphQL context and the hub\n`,
  );

  // 3. Fan-out latency of the next changes.
  const startIndex = published.length;
  await until(() => published.length >= startIndex + events, (events + 2) * interval * 2);
  await sleep(Math.min(interval, 2000));
  console.log(`fan-out: time from the gateway having a new state to each of the ${n} subscribers receiving it (poll interval ${interval} ms)`);
  console.log('  change                      received      p50      p99      max');
  const maxes: number[] = [];
  for (const event of published.slice(startIndex, startIndex + events)) {
    const times = (received.get(event.progress) ?? []).map((t) => t - event.at).sort((a, b) => a - b);
    const q = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))] ?? NaN;
    maxes.push(times.at(-1) ?? NaN);
    console.log(
      `  ${`${event.status} ${event.progress.toFixed(2)}%`.padEnd(26)} ${`${times.length}/${n}`.padStart(11)} ${`${q(0.5)} ms`.padStart(8)} ${`${q(0.99)} ms`.padStart(8)} ${`${times.at(-1)} ms`.padStart(8)}`,
    );
  }
  const sorted = [...maxes].sort((a, b) => a - b);
  console.log(`  one change reaches all ${n}: median ${sorted[Math.floor(sorted.length / 2)]} ms, worst ${sorted.at(-1)} ms`);

  await Promise.all(clients.map((c) => c.dispose()));
  gw.child.send({ type: 'exit' } satisfies ToChild);
  process.exit(0);
}

function perItem(before: Memory, after: Memory, n: number): Memory {
  return {
    heapUsed: (after.heapUsed - before.heapUsed) / n,
    rss: (after.rss - before.rss) / n,
    external: (after.external - before.external) / n,
  };
}

async function startChild(args: string[]): Promise<{ child: ChildProcess; ready: Extract<FromChild, { type: 'ready' }> }> {
  // BENCH_CPU_PROF=<dir> writes a CPU profile of the gateway child there.
  const profile = process.env.BENCH_CPU_PROF && args[0] === 'gateway' ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const child = fork(fileURLToPath(import.meta.url), args, { execArgv: ['--expose-gc', '--import', 'tsx', ...profile], stdio: 'inherit' });
  const ready = await new Promise<Extract<FromChild, { type: 'ready' }>>((resolve, reject) => {
    child.on('message', (m: FromChild) => {
      if (m.type === 'ready') resolve(m);
    });
    child.once('exit', (code) => reject(new Error(`child ${args[0]} exited with ${code}`)));
  });
  return { child, ready };
}

function memoryOf(child: ChildProcess): Promise<Memory> {
  return new Promise((resolve) => {
    const onMessage = (m: FromChild) => {
      if (m.type !== 'memory') return;
      child.off('message', onMessage);
      resolve(m.memory);
    };
    child.on('message', onMessage);
    child.send({ type: 'memory' } satisfies ToChild);
  });
}

function sleep(ms: number) {
  return new Promise<void>((r) => setTimeout(r, ms));
}

async function until(check: () => boolean, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms`);
    await sleep(20);
  }
}
