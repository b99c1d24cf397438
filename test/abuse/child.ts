import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';

export async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface Gateway {
  url: string;
  origin: string;
  token: string;
  child: ChildProcess;
  /** Everything the child printed. */
  output(): string;
  /** V8 heap in use, from /metrics (prom-client's nodejs_heap_size_used_bytes). */
  heapUsed(): Promise<number>;
  /** Whether the process is still running and answering /healthz. */
  alive(): Promise<boolean>;
  /** Sum of ems_upstream_requests_total, optionally of one outcome code and one operation. */
  upstreamCalls(code?: string, operation?: string): Promise<number>;
  /** Each ems_upstream_requests_total series (its labels) and its count: what an unexpected call was. */
  upstreamSeries(): Promise<Record<string, number>>;
  stop(): Promise<number | null>;
}

export const METRICS_TOKEN = 'abuse-suite-metrics-token';

/**
 * `npm start` as a child process with a small heap (`--max-old-space-size`), on the embedded
 * simulator: a request that leaks or blows up memory crashes it, which the suite observes.
 */
export async function startGateway(env: Record<string, string>, heapMb = 256): Promise<Gateway> {
  const [port, simPort] = [await freePort(), await freePort()];
  const child = spawn(process.execPath, [`--max-old-space-size=${heapMb}`, '--import', 'tsx', 'src/main.ts'], {
    env: {
      ...process.env,
      EMS_ENDPOINT: '',
      PORT: String(port),
      HOST: '127.0.0.1',
      SIMULATOR_PORT: String(simPort),
      LOG_LEVEL: 'warn',
      AUDIT_LOG: 'off',
      METRICS_TOKEN,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => (output += c));
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (output += c));
  // Until it prints its token or exits: no deadline of our own (a cold start under tsx on a loaded
  // machine takes what it takes); the caller's hook timeout stands against a hang.
  while (!/X-Auth-Token header: (\S+)/.test(output)) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`gateway did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const token = /X-Auth-Token header: (\S+)/.exec(output)![1]!;
  const origin = `http://127.0.0.1:${port}`;
  const metrics = async () =>
    (await fetch(`${origin}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
  return {
    url: `${origin}/graphql`,
    origin,
    token,
    child,
    output: () => output,
    async heapUsed() {
      const match = /^nodejs_heap_size_used_bytes (\d+(?:\.\d+)?(?:e\+\d+)?)$/m.exec(await metrics());
      return Number(match?.[1] ?? NaN);
    },
    async alive() {
      if (child.exitCode !== null || child.signalCode !== null) return false;
      try {
        return (await fetch(`${origin}/healthz`, { signal: AbortSignal.timeout(10_000) })).status === 200;
      } catch {
        return false;
      }
    },
    async upstreamCalls(code, operation) {
      let total = 0;
      for (const line of (await metrics()).split('\n')) {
        if (!line.startsWith('ems_upstream_requests_total{')) continue;
        if (code && !line.includes(`code="${code}"`)) continue;
        if (operation && !line.includes(`operation="${operation}"`)) continue;
        total += Number(line.split(' ').at(-1));
      }
      return total;
    },
    async upstreamSeries() {
      const series: Record<string, number> = {};
      for (const line of (await metrics()).split('\n')) {
        if (!line.startsWith('ems_upstream_requests_total{')) continue;
        const at = line.lastIndexOf(' ');
        series[line.slice('ems_upstream_requests_total'.length, at)] = Number(line.slice(at + 1));
      }
      return series;
    },
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const [code] = await once(child, 'exit');
      return code as number | null;
    },
  };
}

/**
 * A well-behaved client that keeps asking a small query while an attack runs; each answer must be
 * a 200 with data. It comes from its own address (X-Forwarded-For, with TRUST_PROXY_HOPS=1), so
 * per-address throttling of the attacker does not touch it.
 */
export function wellBehavedClient(g: Gateway) {
  let running = true;
  const answers: number[] = [];
  const failures: string[] = [];
  const loop = (async () => {
    while (running) {
      try {
        const response = await fetch(g.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-auth-token': g.token, 'x-forwarded-for': '198.51.100.7' },
          body: JSON.stringify({ query: '{ releases(first: 1) { totalCount } }' }),
          signal: AbortSignal.timeout(60_000),
        });
        const body = (await response.json()) as { data?: { releases?: { totalCount?: number } } };
        if (response.status === 200 && body.data?.releases?.totalCount === 3) answers.push(response.status);
        else failures.push(`${response.status} ${JSON.stringify(body).slice(0, 200)}`);
      } catch (error) {
        failures.push(String(error));
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { answered: answers.length, failures };
    },
  };
}
