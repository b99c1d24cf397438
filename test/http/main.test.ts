import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { freePort, spawnMain } from '../fixtures/processes.js';

/** Runs `npm start`'s command as a user would, with no EMS configuration. */
describe('npm start with no configuration', () => {
  it('starts the simulator, prints both URLs and a token, and answers the quick-start query', async () => {
    const [port, simPort] = [await freePort(), await freePort()];
    const main = spawnMain({ EMS_ENDPOINT: '', PORT: String(port), SIMULATOR_PORT: String(simPort), LOG_LEVEL: 'silent' });
    try {
      await main.printed(/X-Auth-Token header: (\S+)/);
      const output = main.output();
      expect(output).toContain(`http://localhost:${port}/graphql`);
      expect(output).toContain(`Dashboard: http://localhost:${port}/`);
      expect(output).toContain(`127.0.0.1:${simPort}`);
      const token = /X-Auth-Token header: (\S+)/.exec(output)![1]!;

      const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-auth-token': token },
        body: JSON.stringify({ query: '{ clusters(first: 5) { totalCount edges { node { id name status } } } }' }),
      });
      const body = (await response.json()) as any;
      expect(body.errors).toBeUndefined();
      expect(body.data.clusters.edges).toHaveLength(5);
    } finally {
      expect(await main.stop()).toBe(0);
    }
  }, 120_000);

  it('stops with one message listing every problem, the simulator’s settings included', async () => {
    const main = spawnMain({ EMS_ENDPOINT: '', PORT: 'x', SIMULATOR_PORT: 'abc', SIMULATOR_WIRE: 'loose' });
    expect(await main.exited).toBe(1);
    expect(main.stderr()).toMatch(/Invalid configuration:\n {2}- PORT: .*\n {2}- SIMULATOR_PORT: .*\(got "abc"\)\n {2}- SIMULATOR_WIRE: .*\(got "loose"\)/);
  });

  it('stops with one message listing every configuration problem', async () => {
    const main = spawnMain({ PORT: 'x', EMS_ENDPOINT: 'nope', EMS_AK: 'a' });
    expect(await main.exited).toBe(1);
    expect(main.stderr()).toMatch(/Invalid configuration:\n {2}- PORT: .*\n {2}- EMS_ENDPOINT: .*\n {2}- EMS_SK: /);
  });
});

describe('npm start with SIMULATOR_REGIONS', () => {
  it('hands each simulated region’s project id to the gateway, as EMS_PROJECT_ID_<REGION> would', async () => {
    const port = await freePort();
    const main = spawnMain({ EMS_ENDPOINT: '', EMS_REGIONS: '', SIMULATOR_REGIONS: 'cn-north-4,cn-east-3', PORT: String(port), SIMULATOR_PORT: '0', LOG_LEVEL: 'silent', AUDIT_LOG: 'off' });
    try {
      await main.printed(/X-Auth-Token header \(valid in every simulated region\): (\S+)/);
      const output = main.output();
      const token = /X-Auth-Token header \(valid in every simulated region\): (\S+)/.exec(output)![1]!;
      const printed = Object.fromEntries([...output.matchAll(/^ {2}(\S+)\s+http\S+\s+project (\S+)$/gm)].map((m) => [m[1]!, m[2]!]));
      expect(Object.keys(printed)).toEqual(['cn-north-4', 'cn-east-3']);
      const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-auth-token': token },
        body: JSON.stringify({ query: '{ regions { name projectId healthy } clusters(first: 500) { edges { node { region } } } }' }),
      });
      const body = (await response.json()) as any;
      expect(body.errors).toBeUndefined();
      expect(body.data.regions).toEqual([
        { name: 'cn-north-4', projectId: printed['cn-north-4'], healthy: true },
        { name: 'cn-east-3', projectId: printed['cn-east-3'], healthy: true },
      ]);
      // The printed token still reads every region with the project id sent.
      expect(new Set(body.data.clusters.edges.map((e: any) => e.node.region))).toEqual(new Set(['cn-north-4', 'cn-east-3']));
    } finally {
      expect(await main.stop()).toBe(0);
    }
  }, 120_000);
});

describe('npm start with a DATA_DIR it cannot use', () => {
  // mkdir -p under /proc loops forever in Node (ENOENT under a parent that exists): start-up hung.
  it.runIf(process.platform === 'linux')('fails at once with a coded message naming DATA_DIR (a path under /proc, a file in the way)', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'ems-gateway-datadir-')), 'a-file');
    writeFileSync(file, '');
    for (const [dir, code] of [
      ['/proc/nope', 'ENOENT'],
      [join(file, 'data'), 'ENOTDIR'],
    ] as const) {
      const main = spawnMain({ EMS_ENDPOINT: 'http://127.0.0.1:9', DATA_DIR: dir, PORT: '0', LOG_LEVEL: 'silent', AUDIT_LOG: 'off' });
      expect(await main.exited).toBe(1);
      expect(main.output().trim()).toMatch(new RegExp(`^ems-gateway failed to start: DATA_DIR "${dir}" is not usable \\(${code}\\): .*; set DATA_DIR to a writable directory$`));
    }
  });
});

describe('npm start with an AUDIT_LOG it cannot use', () => {
  // pino's destination made the directory with Node's recursive mkdir, which loops forever under /proc.
  it.runIf(process.platform === 'linux')('fails at once with a coded message naming AUDIT_LOG (a path under /proc, a file in the way)', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'ems-gateway-auditlog-')), 'a-file');
    writeFileSync(file, '');
    for (const [path, code] of [
      ['/proc/nope/audit.log', 'ENOENT'],
      [join(file, 'audit.log'), 'ENOTDIR'],
    ] as const) {
      const main = spawnMain({ EMS_ENDPOINT: 'http://127.0.0.1:9', DATA_DIR: mkdtempSync(join(tmpdir(), 'ems-gateway-data-')), PORT: '0', LOG_LEVEL: 'silent', AUDIT_LOG: path });
      expect(await main.exited).toBe(1);
      expect(main.output().trim()).toMatch(new RegExp(`^ems-gateway failed to start: AUDIT_LOG "${path}" is not usable \\(${code}\\): .*; set AUDIT_LOG to a writable file, stdout, stderr or off$`));
    }
  });
});

describe('npm start on a port in use', () => {
  it('names SIMULATOR_PORT when the simulator’s port is taken', async () => {
    const blocker = createServer().listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    const { port } = blocker.address() as { port: number };
    try {
      const main = spawnMain({ EMS_ENDPOINT: '', PORT: String(await freePort()), SIMULATOR_PORT: String(port), LOG_LEVEL: 'silent' });
      expect(await main.exited).toBe(1);
      expect(main.output().trim()).toBe(
        `ems-gateway failed to start: the EMS simulator's port ${port} on 127.0.0.1 is in use: set SIMULATOR_PORT to a free port (0 picks one), or EMS_ENDPOINT to use a real EMS`,
      );
    } finally {
      blocker.close();
    }
  });

  it('names PORT when the gateway’s port is taken', async () => {
    const blocker = createServer().listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    const { port } = blocker.address() as { port: number };
    try {
      const main = spawnMain({ EMS_ENDPOINT: 'http://127.0.0.1:9', PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'silent' });
      expect(await main.exited).toBe(1);
      expect(main.output().trim()).toBe(`ems-gateway failed to start: port ${port} on 127.0.0.1 is in use: set PORT to a free port`);
    } finally {
      blocker.close();
    }
  });
});
