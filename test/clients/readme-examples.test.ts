import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../fixtures/harness.js';

/**
 * The README's client examples, run as written: each `<!-- example: NAME -->` code block is saved as
 * NAME in a folder inside node_modules (so its imports resolve to the project's packages) and run
 * with node against a gateway on the simulator.
 */

const ROOT = new URL('../../', import.meta.url);
const README = await readFile(new URL('README.md', ROOT), 'utf8');
const EXAMPLES = new Map([...README.matchAll(/<!-- example: ([\w.-]+) -->\n```js\n([\s\S]*?)\n```/g)].map((m) => [m[1]!, m[2]!]));
const DIR = new URL(`node_modules/.cache/readme-examples-${randomUUID().slice(0, 8)}/`, ROOT);

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(h: Harness, name: string, args: string[] = [], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [fileURLToPath(new URL(name, DIR)), ...args],
      { env: { ...process.env, GRAPHQL_URL: h.url, TOKEN: h.token, ...env }, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, stdout, stderr }),
    );
  });
}

const lines = (text: string) => text.trim().split('\n');

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
  await mkdir(DIR, { recursive: true });
  for (const [name, code] of EXAMPLES) await writeFile(new URL(name, DIR), code);
  await copyFile(new URL('schema/possible-types.json', ROOT), new URL('possible-types.json', DIR));
});
afterAll(async () => {
  await h?.close();
  await rm(DIR, { recursive: true, force: true });
});

async function createJob(): Promise<string> {
  const result = await h.gql<{ createCluster: { jobId: string } }>(
    'mutation ($input: CreateClusterInput!) { createCluster(input: $input) { ... on CreateClusterPayload { jobId } } }',
    { input: { name: `readme-${randomUUID().slice(0, 8)}`, k8s: { k8sClusterId: randomUUID() } } },
  );
  return result.data!.createCluster.jobId;
}

describe('README: Using ems-gateway from Apollo Client, urql, graphql-request and graphql-ws', () => {
  it('has the four examples', () => {
    expect([...EXAMPLES.keys()]).toEqual(['apollo-client.mjs', 'urql.mjs', 'graphql-request.mjs', 'watch-job.mjs']);
  });

  it('Apollo Client: the cache merges a page walk, and a mutation’s error code comes through', async () => {
    const { code, stdout, stderr } = await run(h, 'apollo-client.mjs');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const total = (await h.gql<{ clusters: { totalCount: number } }>('{ clusters { totalCount } }')).data!.clusters.totalCount;
    expect(lines(stdout)).toEqual([`cached ${total} of ${total} clusters`, 'VALIDATION_FAILED: Invalid input: k8s.nodeCount: must be at least 3 (got 2)']);
    expect(README).toContain(`cached 20 of 20 clusters\nVALIDATION_FAILED: Invalid input: k8s.nodeCount: must be at least 3 (got 2)`);
  });

  it('urql: creates a cluster and follows its job over graphql-ws to the end', async () => {
    const { code, stdout, stderr } = await run(h, 'urql.mjs');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const out = lines(stdout);
    expect(out[0]).toMatch(/^(INIT|RUNNING) [\d.]+%$/);
    expect(out.at(-1)).toBe('COMPLETED 100%');
  });

  it('graphql-request: a query, a typed mutation error, and a GraphQL error code', async () => {
    const { code, stdout, stderr } = await run(h, 'graphql-request.mjs');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(lines(stdout)).toEqual([
      'releases: 25.6.0, 25.9.0, 25.12.0 (preferred)',
      'VALIDATION_FAILED: jobIds.0 must start with "short-", "long-" or "ems-custom-" and contain only letters, digits and "-" (got "not a job id")',
      'refused: UNAUTHENTICATED',
    ]);
    for (const line of lines(stdout)) expect(README).toContain(line);
  });

  it('graphql-ws: watch-job.mjs follows a job to COMPLETED', async () => {
    const { code, stdout, stderr } = await run(h, 'watch-job.mjs', [await createJob()]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(lines(stdout).at(-1)).toBe('COMPLETED 100.0%');
  });

  it('graphql-ws: watch-job.mjs stops at once on 4403, with a clear message, after one attempt', async () => {
    const job = await createJob();
    h.sim.stats.reset();
    const { code, stdout, stderr } = await run(h, 'watch-job.mjs', [job], { TOKEN: 'not-a-valid-token' });
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr.trim()).toBe('The gateway refused the token (4403): set TOKEN to a valid EMS token (npm start prints one).');
    // The gateway checks a connection's token with one EMS call: one call, one connection, no retries.
    expect(h.sim.stats.count('ListReleases')).toBe(1);
    expect(h.sim.stats.count()).toBe(1);

    const missing = await run(h, 'watch-job.mjs', [job], { TOKEN: '' });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('(4403)');
  });
});
