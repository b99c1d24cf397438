import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { EmsApi, EmsAuth, EmsOperation } from '../../src/ems/api.js';
import { createEmsClient, type EmsCallEvent, type EmsClient, type EmsClientOptions } from '../../src/ems/client.js';
import { EmsBadResponseError, EmsError, EmsHttpError, EmsNetworkError, EmsTimeoutError } from '../../src/ems/errors.js';
import { UUID_PATTERN } from '../../src/ems/models/index.js';
import { readable, type ClusterRecord } from '../../src/ems/read/index.js';
import { createSimulator, type EmsSimulator } from '../../src/simulator/index.js';

/**
 * The EMS client against the EMS simulator over real HTTP: the 16 operations, every documented
 * error code, authentication, and each fault knob. Upstream attempts are counted at sim.stats.
 */

let sim: EmsSimulator;
let client: EmsClient;
let api: EmsApi;
let calls: EmsCallEvent[] = [];
const extraClients: EmsClient[] = [];

/** Small timeouts and delays keep the suite fast. */
const FAST: Partial<EmsClientOptions> = { requestTimeoutMs: 2_000, retryMinDelayMs: 5, retryMaxDelayMs: 50 };

beforeAll(async () => {
  // A frozen clock: jobs move only when a test advances it (see finish()).
  sim = createSimulator({ clockSpeed: 0, seed: 7 });
  await sim.start();
  client = createEmsClient({ endpoint: sim.url, projectId: sim.credentials.projectId, ...FAST, onCall: (e) => calls.push(e) });
  api = client.forAuth({ kind: 'token', token: sim.credentials.token });
});
afterAll(async () => {
  await client.close();
  await sim.stop();
});
afterEach(async () => {
  sim.resetFaults();
  sim.stats.reset();
  calls = [];
  await Promise.all(extraClients.splice(0).map((c) => c.close()));
});

function clientWith(options: Partial<EmsClientOptions> = {}): EmsClient {
  const c = createEmsClient({ endpoint: sim.url, projectId: sim.credentials.projectId, ...FAST, ...options });
  extraClients.push(c);
  return c;
}

async function failure(p: Promise<unknown>): Promise<EmsError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e, 'the call should have failed').toBeInstanceOf(EmsError);
  return e as EmsError;
}

async function httpFailure(p: Promise<unknown>): Promise<EmsHttpError> {
  const e = await failure(p);
  expect(e).toBeInstanceOf(EmsHttpError);
  expect(e.requestId, 'every EMS answer carries X-Request-Id').toMatch(/\S/);
  return e as EmsHttpError;
}

/** The id of the seeded CCE cluster named `k8sName`, found through the EMS clusters on it. */
async function k8sIdOf(k8sName: string): Promise<string> {
  const { clusters } = await api.listClusters();
  const on = readable(clusters).find((c) => c.k8sName === k8sName);
  if (!on?.k8s) throw new Error(`the simulator seeded no cluster on ${k8sName}`);
  return on.k8s.k8sClusterId;
}

async function aRunningCluster(): Promise<ClusterRecord & { k8s: NonNullable<ClusterRecord['k8s']> }> {
  const { clusters } = await api.listClusters();
  const running = readable(clusters).find((c): c is ClusterRecord & { k8s: NonNullable<ClusterRecord['k8s']> } => c.status === 'RUNNING' && c.k8s !== null);
  if (!running) throw new Error('the simulator seeded no RUNNING cluster');
  return running;
}

/** Advances the simulator's clock until `jobId` has ended. */
async function finish(jobId: string): Promise<void> {
  for (let i = 0; i < 50; i++) {
    const job = await api.showJob(jobId);
    if (job.status === 'COMPLETED' || job.status === 'FAILED' || job.status === 'STOPPED') return;
    sim.clock.advance(60_000);
  }
  throw new Error(`job ${jobId} did not end`);
}

let nameCounter = 0;
const uniqueName = (): string => `client-test-${Date.now().toString(36)}-${nameCounter++}`;

describe('the 16 operations', () => {
  it('lists releases and features', async () => {
    const releases = await api.listReleases({ limit: 10, offset: 0 });
    expect(releases.total).toBeGreaterThan(0);
    expect(typeof readable(releases.releases)[0]!.version).toBe('string');
    const features = await api.listFeatures();
    expect(features.total).toBeGreaterThanOrEqual(features.features.length);
    expect(typeof readable(features.features)[0]?.enabled).toBe('boolean');
    expect(sim.stats.count('ListReleases')).toBe(1);
    expect(sim.stats.count('ListFeatures')).toBe(1);
    expect(sim.stats.log[0]!.path).toBe('/v1/releases?limit=10&offset=0');
  });

  it('lists and shows clusters, and the labels of their CCE cluster', async () => {
    const { clusters } = await api.listClusters({ limit: 100 });
    expect(clusters.length).toBeGreaterThan(0);
    expect(readable(clusters)).toHaveLength(clusters.length);
    const first = readable(clusters)[0]!;
    expect(first.id).toMatch(UUID_PATTERN);
    const shown = await api.showCluster(first.id);
    expect(shown.name).toBe(first.name);
    const labels = await api.listClusterLabels({ k8sClusterId: first.k8s!.k8sClusterId });
    expect(labels.total).toBeGreaterThanOrEqual(labels.labels.length);
    expect(readable(labels.labels)).toHaveLength(labels.labels.length);
    expect(sim.stats.count()).toBe(3);
  });

  it('creates, authorizes, expands, shrinks and deletes a cluster, and follows its jobs', async () => {
    const running = await aRunningCluster();
    const k8sId = running.k8s.k8sClusterId;
    const created = await api.createCluster({
      name: uniqueName(),
      k8s_cluster_specification: { k8s_cluster_id: k8sId, node_count: 3 },
    });
    expect(created).toMatchObject({ clusterId: expect.stringMatching(UUID_PATTERN), jobId: expect.any(String), accepted: { problem: null } });
    const jobId = created.jobId!;
    const clusterId = created.clusterId!;
    const job = await api.showJob(jobId);
    expect(job).toMatchObject({ id: jobId, type: 'long', clusterId });
    const jobs = await api.listJobs({ jobType: 'long', limit: 1000 });
    expect(readable(jobs.jobs).some((j) => j.id === jobId && j.type === 'long')).toBe(true);
    expect(sim.stats.log.find((l) => l.operation === 'ListJobs')!.path).toBe('/v1/jobs?limit=1000&job_type=long');
    await finish(jobId);
    expect((await api.showCluster(clusterId)).status).toBe('RUNNING');

    await expect(api.authorizeCluster(clusterId)).resolves.toBeUndefined();
    const expanded = await api.expandCluster(clusterId, { node_name_list: ['client-test-node-a'] });
    expect(typeof expanded.jobId).toBe('string');
    await finish(expanded.jobId!);
    const shrunk = await api.shrinkCluster(clusterId, { node_name_list: ['client-test-node-a'] });
    await finish(shrunk.jobId!);
    const deleted = await api.deleteCluster(clusterId);
    expect(typeof deleted.jobId).toBe('string');

    for (const op of ['CreateCluster', 'AuthorizeCluster', 'ExpandCluster', 'ShrinkCluster', 'DeleteClusterById'] as const) {
      expect(sim.stats.count(op), op).toBe(1);
    }
  });

  it('enrolls a cluster', async () => {
    const running = await aRunningCluster();
    const enrolled = await api.enrollCluster({
      name: uniqueName(),
      k8s_cluster_specification: {
        k8s_cluster_id: running.k8s.k8sClusterId,
        namespace: 'ems-system',
      },
    });
    expect(enrolled.clusterId).toMatch(UUID_PATTERN);
    expect(typeof enrolled.jobId).toBe('string');
    expect(sim.stats.count('EnrollCluster')).toBe(1);
  });

  it('cancels jobs', async () => {
    const running = await aRunningCluster();
    const created = await api.createCluster({
      name: uniqueName(),
      k8s_cluster_specification: { k8s_cluster_id: running.k8s.k8sClusterId, node_count: 3 },
    });
    const result = await api.cancelJobs({ job_ids: [created.jobId!, 'short-does-not-exist'] });
    expect(result).toMatchObject({ successRows: 1, failedRows: 1, failedIds: ['short-does-not-exist'] });
    expect(sim.stats.count('CancelJobs')).toBe(1);
  });

  it('creates and shows credentials', async () => {
    const { projectId } = sim.credentials;
    const { credential: created } = await api.createCredential(projectId);
    expect(created!.projectId).toBe(projectId);
    expect(created!.cdKey).toMatch(/^[A-Za-z0-9]{32,36}$/);
    expect(typeof created!.createdAtMs).toBe('number');
    const shown = await api.showCredentials(projectId);
    expect(readable(shown).map((c) => c.cdKey)).toContain(created!.cdKey);
    expect(sim.stats.count('CreateCredentialInfo')).toBe(1);
    expect(sim.stats.count('ShowCredentialInfo')).toBe(1);
  });

  it('reports every operation to onCall with status, duration and request id', async () => {
    await api.listReleases();
    await failure(api.showCluster(randomUUID()));
    expect(calls).toEqual([
      { operation: 'ListReleases', method: 'GET', status: 200, durationMs: expect.any(Number), requestId: expect.stringMatching(/\S/) },
      {
        operation: 'ShowCluster',
        method: 'GET',
        status: 404,
        durationMs: expect.any(Number),
        requestId: expect.stringMatching(/\S/),
        error: expect.any(EmsHttpError),
      },
    ]);
  });
});

describe('documented EMS errors', () => {
  it('400 EMS.00004000 on bad pagination', async () => {
    const e = await httpFailure(api.listReleases({ limit: -1 }));
    expect(e).toMatchObject({ status: 400, upstreamCode: 'EMS.00004000', code: 'BAD_REQUEST', retryable: false });
  });

  it('400 common.00000400 on a field out of range', async () => {
    const running = await aRunningCluster();
    const e = await httpFailure(
      api.createCluster({
        name: uniqueName(),
        k8s_cluster_specification: { k8s_cluster_id: running.k8s.k8sClusterId, node_count: 1000 },
      }),
    );
    expect(e).toMatchObject({ status: 400, upstreamCode: 'common.00000400', code: 'BAD_REQUEST', retryable: false });
    expect(e.upstreamMessage).toContain('[node_count]');
  });

  it("400 ems.00030002 when the CCE cluster's CoreDNS is too small or its CIE collector conflicts", async () => {
    const dns = await httpFailure(
      api.createCluster({ name: uniqueName(), k8s_cluster_specification: { k8s_cluster_id: await k8sIdOf('cce-dev-bj4'), node_count: 60 } }),
    );
    expect(dns).toMatchObject({ status: 400, upstreamCode: 'ems.00030002', code: 'BAD_REQUEST', retryable: false });
    expect(dns.upstreamMessage).toMatch(/^CoreDNS add-on specification check failed/);
    const cie = await httpFailure(
      api.createCluster({ name: uniqueName(), k8s_cluster_specification: { k8s_cluster_id: await k8sIdOf('cce-observability-bj4'), node_count: 3 } }),
    );
    expect(cie).toMatchObject({ status: 400, upstreamCode: 'ems.00030002', code: 'BAD_REQUEST', retryable: false });
    expect(cie.upstreamMessage).toMatch(/^CIE-collector add-on specification check failed/);
  });

  it('400 ems.00030033 on a duplicate cluster name, as CONFLICT', async () => {
    const running = await aRunningCluster();
    const e = await httpFailure(
      api.createCluster({
        name: running.name!,
        k8s_cluster_specification: { k8s_cluster_id: running.k8s.k8sClusterId, node_count: 3 },
      }),
    );
    expect(e).toMatchObject({ status: 400, upstreamCode: 'ems.00030033', code: 'CONFLICT', retryable: false });
  });

  it('400 ems.00030034 when deleting a cluster already DELETING, as CONFLICT', async () => {
    const running = await aRunningCluster();
    await api.deleteCluster(running.id);
    const e = await httpFailure(api.deleteCluster(running.id));
    expect(e).toMatchObject({ status: 400, upstreamCode: 'ems.00030034', code: 'CONFLICT', retryable: false });
    expect(sim.stats.count('DeleteClusterById')).toBe(2);
  });

  it('404 ems.00030005 for an unknown cluster, as NOT_FOUND', async () => {
    const id = randomUUID();
    const e = await httpFailure(api.showCluster(id));
    expect(e).toMatchObject({ status: 404, upstreamCode: 'ems.00030005', code: 'NOT_FOUND', retryable: false });
    expect(e.message).toContain(id);
    expect(sim.stats.count('ShowCluster')).toBe(1);
  });

  it('404 for an unknown job, as NOT_FOUND', async () => {
    const e = await httpFailure(api.showJob('long-00000000-0000-0000-0000-000000000000'));
    expect(e).toMatchObject({ status: 404, code: 'NOT_FOUND', retryable: false });
  });

  it('500 ems.00030002 when creation fails, 500 ems.00030003 when deletion fails; neither is retried', async () => {
    sim.setFaults({ createFailureRate: 1, deleteFailureRate: 1 });
    const running = await aRunningCluster();
    const e1 = await httpFailure(
      api.createCluster({
        name: uniqueName(),
        k8s_cluster_specification: { k8s_cluster_id: running.k8s.k8sClusterId, node_count: 3 },
      }),
    );
    expect(e1).toMatchObject({ status: 500, upstreamCode: 'ems.00030002', code: 'UPSTREAM_ERROR', retryable: false });
    const e2 = await httpFailure(api.deleteCluster(running.id));
    expect(e2).toMatchObject({ status: 500, upstreamCode: 'ems.00030003', code: 'UPSTREAM_ERROR', retryable: false });
    expect(sim.stats.count('CreateCluster')).toBe(1);
    expect(sim.stats.count('DeleteClusterById')).toBe(1);
  });

  it('500 ems.00040003 when the project id does not match', async () => {
    const e = await httpFailure(
      clientWith({ projectId: sim.credentials.otherProjectId }).forAuth({ kind: 'token', token: sim.credentials.token }).listClusters(),
    );
    expect(e).toMatchObject({ status: 500, upstreamCode: 'ems.00040003', code: 'UPSTREAM_ERROR' });
  });
});

describe('authentication', () => {
  const token = (t: string): EmsAuth => ({ kind: 'token', token: t });

  it('refuses an expired token with 401 common.01010018 and keeps the token out of the message', async () => {
    const e = await httpFailure(client.forAuth(token(sim.credentials.expiredToken)).listClusters());
    expect(e).toMatchObject({ status: 401, upstreamCode: 'common.01010018', code: 'UNAUTHENTICATED', retryable: false });
    expect(e.message).not.toContain(sim.credentials.expiredToken);
  });

  it('refuses an unknown token and a missing one with 401', async () => {
    const bad = await httpFailure(client.forAuth(token('not-a-token')).listJobs());
    expect(bad).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
    const none = await httpFailure(client.forAuth({ kind: 'none' }).listJobs());
    expect(none).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
  });

  it('refuses writes with a read-only token with 403, and allows reads', async () => {
    const ro = client.forAuth(token(sim.credentials.readOnlyToken));
    await expect(ro.listClusters()).resolves.toBeDefined();
    const running = await aRunningCluster();
    const e = await httpFailure(ro.deleteCluster(running.id));
    expect(e).toMatchObject({ status: 403, code: 'FORBIDDEN', retryable: false });
  });

  it('signs with AK/SK in a way the simulator accepts, for reads and writes', async () => {
    const { ak, sk } = sim.credentials;
    const signed = client.forAuth({ kind: 'aksk', ak, sk });
    const { clusters } = await signed.listClusters({ limit: 2 });
    expect(clusters.length).toBeGreaterThan(0);
    await expect(signed.showCluster(readable(clusters)[0]!.id)).resolves.toBeDefined();
    await expect(signed.createCredential(sim.credentials.projectId)).resolves.toBeDefined();
    const temporary = client.forAuth({ kind: 'aksk', ak, sk, securityToken: 'temporary-security-token' });
    await expect(temporary.listJobs({ jobType: 'short', limit: 1 })).resolves.toBeDefined();
    expect(sim.stats.count()).toBe(4);
  });

  it('refuses a wrong SK with 401 and never shows the SK', async () => {
    const sk = `${sim.credentials.sk}x`;
    const e = await httpFailure(client.forAuth({ kind: 'aksk', ak: sim.credentials.ak, sk }).listClusters());
    expect(e).toMatchObject({ status: 401, upstreamCode: 'APIGW.0301', code: 'UNAUTHENTICATED', retryable: false });
    expect(e.message).not.toContain(sk);
  });

  it('refuses a signature dated more than 15 minutes off with 401', async () => {
    const stale = clientWith({ now: () => new Date(Date.now() - 60 * 60_000) });
    const e = await httpFailure(stale.forAuth({ kind: 'aksk', ak: sim.credentials.ak, sk: sim.credentials.sk }).listClusters());
    expect(e).toMatchObject({ status: 401, upstreamCode: 'APIGW.0303', code: 'UNAUTHENTICATED', retryable: false });
  });
});

describe('faults', () => {
  const readAndWrite = async (c: EmsClient) => {
    const a = c.forAuth({ kind: 'token', token: sim.credentials.token });
    return { read: failure(a.listClusters()), write: failure(a.cancelJobs({ job_ids: ['short-any'] })) };
  };

  it('latency beyond the timeout is an EmsTimeoutError, retried for GET only', async () => {
    sim.setFaults({ latencyMs: 1_500 });
    const c = clientWith({ requestTimeoutMs: 300, maxRetries: 1 });
    const { read, write } = await readAndWrite(c);
    const [r, w] = await Promise.all([read, write]);
    expect(r).toBeInstanceOf(EmsTimeoutError);
    expect(r).toMatchObject({ code: 'UPSTREAM_TIMEOUT', retryable: true, status: null });
    expect(w).toBeInstanceOf(EmsTimeoutError);
    expect(sim.stats.count('ListClusters')).toBe(2);
    expect(sim.stats.count('CancelJobs')).toBe(1);
  });

  it('503 is retried for GET, then an EmsHttpError that is retryable; POST and DELETE are sent once', async () => {
    sim.setFaults({ errorRate: 1 });
    const e = await httpFailure(api.listReleases());
    expect(e).toMatchObject({ status: 503, upstreamCode: 'APIGW.0201', code: 'UPSTREAM_UNAVAILABLE', retryable: true });
    expect(e.message).toContain('after 3 attempts');
    expect(sim.stats.count('ListReleases')).toBe(3);
    const w = await httpFailure(api.cancelJobs({ job_ids: ['short-any'] }));
    expect(w).toMatchObject({ status: 503, retryable: true });
    const d = await httpFailure(api.deleteCluster(randomUUID()));
    expect(d.status).toBe(503);
    expect(sim.stats.count('CancelJobs')).toBe(1);
    expect(sim.stats.count('DeleteClusterById')).toBe(1);
  });

  it('a GET succeeds when a retry gets through', async () => {
    sim.setFaults({ errorRate: 0.5 });
    const c = clientWith({ maxRetries: 10 });
    const a = c.forAuth({ kind: 'token', token: sim.credentials.token });
    for (let i = 0; i < 5; i++) await expect(a.listFeatures()).resolves.toBeDefined();
    expect(sim.stats.count('ListFeatures')).toBeGreaterThanOrEqual(5);
  });

  it('429 waits Retry-After for GET, and is never retried for POST', async () => {
    sim.setFaults({ rateLimitRate: 1, retryAfterSeconds: 1 });
    const c = clientWith({ maxRetries: 1, retryMaxDelayMs: 5_000 });
    const a = c.forAuth({ kind: 'token', token: sim.credentials.token });
    const t0 = Date.now();
    const e = await httpFailure(a.listJobs());
    expect(Date.now() - t0).toBeGreaterThanOrEqual(950);
    expect(e).toMatchObject({ status: 429, code: 'RATE_LIMITED', retryable: true, retryAfter: 1 });
    expect(sim.stats.count('ListJobs')).toBe(2);
    const log = sim.stats.log.filter((l) => l.operation === 'ListJobs');
    expect(log[1]!.at - log[0]!.at).toBeGreaterThanOrEqual(950);

    // The POST gets the same 429 and Retry-After, and is sent once: nothing to wait for.
    const w = await httpFailure(a.cancelJobs({ job_ids: ['short-any'] }));
    expect(w).toMatchObject({ status: 429, retryAfter: 1 });
    expect(sim.stats.count('CancelJobs')).toBe(1);
  });

  it('a reset connection is an EmsNetworkError, retried for GET only', async () => {
    sim.setFaults({ resetRate: 1 });
    const { read, write } = await readAndWrite(client);
    const [r, w] = await Promise.all([read, write]);
    expect(r).toBeInstanceOf(EmsNetworkError);
    expect(r).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', retryable: true, status: null });
    expect(w).toBeInstanceOf(EmsNetworkError);
    expect(sim.stats.count('ListClusters')).toBe(3);
    expect(sim.stats.count('CancelJobs')).toBe(1);
  });

  it('a malformed 2xx body is an EmsBadResponseError and is not retried', async () => {
    const ops: EmsOperation[] = ['ListClusters', 'ListReleases', 'ListFeatures', 'ListJobs'];
    sim.setFaults({ malformedRate: 1, operations: ops });
    for (const call of [() => api.listClusters(), () => api.listReleases(), () => api.listFeatures(), () => api.listJobs()]) {
      const e = await failure(call());
      expect(e).toBeInstanceOf(EmsBadResponseError);
      expect(e).toMatchObject({ code: 'UPSTREAM_BAD_RESPONSE', retryable: false, status: 200 });
      expect(e.requestId).toMatch(/\S/);
      expect(e.message).toMatch(/malformed JSON|cannot read: the body has no/);
    }
    for (const op of ops) expect(sim.stats.count(op), op).toBe(1);
  });

  it('restricts faults to the chosen operations', async () => {
    sim.setFaults({ errorRate: 1, operations: ['ListJobs'] });
    await expect(api.listReleases()).resolves.toBeDefined();
    await httpFailure(api.listJobs());
  });
});

describe('pool', () => {
  it('keeps at most `connections` requests in flight', async () => {
    sim.setFaults({ latencyMs: 50 });
    const a = clientWith({ connections: 2 }).forAuth({ kind: 'token', token: sim.credentials.token });
    await Promise.all(Array.from({ length: 8 }, () => a.listReleases()));
    expect(sim.stats.count('ListReleases')).toBe(8);
    expect(sim.stats.maxInFlight.ListReleases).toBe(2);
  });

  it('ping is true whenever EMS answers below 500', async () => {
    expect(await client.ping({ kind: 'token', token: sim.credentials.token })).toBe(true);
    expect(await client.ping({ kind: 'token', token: 'nope' })).toBe(true);
    sim.setFaults({ errorRate: 1 });
    expect(await client.ping({ kind: 'none' })).toBe(false);
    expect(sim.stats.count('ListReleases')).toBe(3);
    expect(sim.stats.log[0]!.path).toBe('/v1/releases?limit=1');
  });
});
