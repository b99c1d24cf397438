/**
 * Child processes of the benchmark and the small RPC they speak over the IPC channel.
 *
 * Every server under test (simulator, gateway, bare Yoga, bare `ws`) and every group of subscriber
 * clients runs in its own process, so the load generator's CPU and heap are never counted as theirs.
 * Children are TypeScript files run with `node --import tsx`; they call {@link serveRpc} with their
 * methods, the parent calls them with {@link Child.call}.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { openSync, closeSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { fileURLToPath } from 'node:url';

type Handler = (params: any) => unknown;
type Request = { rpc: number; method: string; params: unknown };
type Reply = { rpc: number; result?: unknown; error?: string };
/** Unsolicited message from a child, e.g. a published subscription event. */
export type ChildEvent = { event: string; data: unknown };

export interface ChildOptions {
  /** Extra environment on top of the parent's. */
  env?: Record<string, string>;
  /** Node flags before the script (`--expose-gc` is always given). */
  execArgv?: string[];
  /** stdout and stderr of the child go to this file (appended); else they are inherited. */
  logFile?: string;
  /** Arguments after the script. */
  args?: string[];
}

export interface Child {
  readonly name: string;
  readonly pid: number;
  /** What the child sent with its `ready` event. */
  readonly ready: any;
  call<T = unknown>(method: string, params?: unknown): Promise<T>;
  /** Listens to the child's events of one name. */
  on(event: string, listener: (data: any) => void): void;
  /** Asks the child to exit, and kills it if it has not within `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

const SUPPORT_DIR = fileURLToPath(new URL('.', import.meta.url));
/** tsx's loader, resolved from here: a child finds it whatever its working directory. */
const TSX = import.meta.resolve('tsx');

/** Every child started and not yet stopped, so a failing run can end them all. */
const running = new Set<Child>();

/**
 * Starts `bench/support/<script>` as a child and waits for its `ready` event.
 *
 * The child runs under `sh -c 'ulimit -n <hard limit>; exec node ...'`: Node cannot raise its own
 * open-files limit, and holding thousands of WebSockets needs the soft limit raised to the hard one.
 */
export async function startChild(name: string, script: string, options: ChildOptions = {}): Promise<Child> {
  const node = process.execPath;
  const argv = ['--expose-gc', '--import', TSX, ...(options.execArgv ?? []), `${SUPPORT_DIR}${script}`, ...(options.args ?? [])];
  const logFd = options.logFile ? openSync(options.logFile, 'a') : null;
  const proc: ChildProcess = spawn('/bin/sh', ['-c', 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$@"', 'sh', node, ...argv], {
    env: { ...process.env, ...options.env },
    stdio: ['ignore', logFd ?? 'inherit', logFd ?? 'inherit', 'ipc'],
  });
  if (logFd !== null) closeSync(logFd);

  let nextId = 1;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; method: string }>();
  const listeners = new Map<string, ((data: unknown) => void)[]>();
  let exited: string | null = null;

  proc.on('message', (message: Reply | ChildEvent) => {
    if ('rpc' in message) {
      const waiter = pending.get(message.rpc);
      if (!waiter) return;
      pending.delete(message.rpc);
      if (message.error !== undefined) waiter.reject(new Error(`${name}.${waiter.method}: ${message.error}`));
      else waiter.resolve(message.result);
    } else if ('event' in message) {
      for (const listener of listeners.get(message.event) ?? []) listener(message.data);
    }
  });
  const exitPromise = new Promise<void>((resolve) => {
    proc.once('exit', (code, signal) => {
      exited = `exited with ${signal ?? code}`;
      for (const waiter of pending.values()) waiter.reject(new Error(`${name} ${exited} during ${waiter.method}`));
      pending.clear();
      resolve();
    });
  });

  const ready = await new Promise<unknown>((resolve, reject) => {
    const onReady = (data: unknown) => resolve(data);
    listeners.set('ready', [onReady]);
    proc.once('exit', () => reject(new Error(`${name} ${exited ?? 'exited'} before it was ready${options.logFile ? ` (see ${options.logFile})` : ''}`)));
    proc.once('error', reject);
  });

  const child: Child = {
    name,
    pid: proc.pid!,
    ready,
    call<T>(method: string, params?: unknown): Promise<T> {
      if (exited) return Promise.reject(new Error(`${name} ${exited}; cannot call ${method}`));
      const rpc = nextId++;
      return new Promise<T>((resolve, reject) => {
        pending.set(rpc, { resolve: resolve as (v: unknown) => void, reject, method });
        proc.send({ rpc, method, params } satisfies Request);
      });
    },
    on(event, listener) {
      listeners.set(event, [...(listeners.get(event) ?? []), listener]);
    },
    async stop(graceMs = 5_000) {
      running.delete(child);
      if (exited) return;
      proc.send({ rpc: 0, method: 'exit', params: null } satisfies Request);
      const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
      await exitPromise;
      clearTimeout(timer);
    },
  };
  running.add(child);
  return child;
}

/** Kills every child still running (after a failure). */
export function killAllChildren(): void {
  for (const child of running) {
    try {
      process.kill(child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  running.clear();
}

/**
 * The child side: answers the parent's calls with `handlers`, always with `cpu`, `memory` and `exit`,
 * then sends `ready` with `readyData`. The process exits when the parent goes away.
 */
export function serveRpc(handlers: Record<string, Handler>, readyData: unknown = {}): void {
  if (!process.send) throw new Error('a benchmark child must be started by the benchmark (no IPC channel)');
  const all: Record<string, Handler> = {
    cpu: () => cpuNow(),
    memory: () => memoryAfterGc(),
    exit: () => setImmediate(() => process.exit(0)),
    profileStart: ({ samplingIntervalMicros }: { samplingIntervalMicros: number }) => profileStart(samplingIntervalMicros),
    profileStop: ({ path }: { path: string }) => profileStop(path),
    ...handlers,
  };
  process.on('message', async (message: Request) => {
    const handler = all[message.method];
    let reply: Reply;
    try {
      if (!handler) throw new Error(`no method ${message.method}`);
      reply = { rpc: message.rpc, result: (await handler(message.params)) ?? null };
    } catch (error) {
      reply = { rpc: message.rpc, error: error instanceof Error ? error.message : String(error) };
    }
    if (message.rpc !== 0) process.send!(reply);
  });
  process.on('disconnect', () => process.exit(0));
  emit('ready', readyData);
}

let profiler: Session | null = null;

/** Starts a V8 CPU profile (the format `node --cpu-prof` writes) of this process. */
async function profileStart(samplingIntervalMicros: number): Promise<void> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: samplingIntervalMicros });
  await session.post('Profiler.start');
  profiler = session;
}

/** Stops the profile and writes it to `path`. */
async function profileStop(path: string): Promise<void> {
  if (!profiler) throw new Error('no profile running');
  const { profile } = await profiler.post('Profiler.stop');
  profiler.disconnect();
  profiler = null;
  await writeFile(path, JSON.stringify(profile));
}

/** Sends an event to the parent. */
export function emit(event: string, data: unknown): void {
  process.send?.({ event, data } satisfies ChildEvent);
}

export interface CpuSample {
  /** User + system CPU time of the process so far, in µs. */
  cpuMicros: number;
  /** The user and system parts of it, in µs. */
  userMicros: number;
  systemMicros: number;
  /** Wall clock (monotonic) at the sample, in ms. */
  wallMs: number;
}

function cpuNow(): CpuSample {
  const usage = process.cpuUsage();
  return { cpuMicros: usage.user + usage.system, userMicros: usage.user, systemMicros: usage.system, wallMs: performance.now() };
}

export interface MemorySample {
  heapUsed: number;
  /** external + arrayBuffers: socket buffers and the like live here. */
  external: number;
  rss: number;
}

function memoryAfterGc(): MemorySample {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  const m = process.memoryUsage();
  return { heapUsed: m.heapUsed, external: m.external + m.arrayBuffers, rss: m.rss };
}

/** Wall-clock time in ms with sub-millisecond resolution, comparable between processes of one machine. */
export function epochMs(): number {
  return performance.timeOrigin + performance.now();
}

/** Serves a GraphQL server (`handler`) on a free local port, and reports it ready with its `/graphql` URL. */
export async function serveGraphqlChild(handler: RequestListener): Promise<void> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  serveRpc({}, { url: `http://127.0.0.1:${port}/graphql` });
}
