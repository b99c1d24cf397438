import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signRequest, type SigningCredentials } from '../../src/ems/signer.js';
import type { EmsSimulator } from '../../src/simulator/index.js';
import { call, clusterNamed, createBody, k8sIdOf, startSim } from './helpers.js';

let sim: EmsSimulator;
beforeAll(async () => {
  sim = await startSim();
});
afterAll(() => sim.stop());

/** Sends a request signed with SDK-HMAC-SHA256 (and no token). */
async function signed(
  method: string,
  path: string,
  opts: { body?: unknown; creds?: Partial<SigningCredentials>; now?: Date; tamper?: (h: Record<string, string>, body?: string) => string | undefined } = {},
) {
  const url = new URL(`${sim.url}${path}`);
  const body = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  const headers: Record<string, string> = body === undefined ? {} : { 'content-type': 'application/json;charset=utf-8' };
  const creds: SigningCredentials = { ak: sim.credentials.ak, sk: sim.credentials.sk, ...opts.creds };
  Object.assign(headers, signRequest({ method, url, headers, body }, creds, opts.now));
  const sent = opts.tamper ? opts.tamper(headers, body) : body;
  const res = await fetch(url, { method, headers, body: sent });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
}

describe('token authentication', () => {
  it('accepts the main token', async () => {
    expect((await call(sim, 'GET', '/v1/clusters')).status).toBe(200);
  });

  it('answers 401 common.01010018 for an unknown or expired token', async () => {
    const unknown = await call(sim, 'GET', '/v1/clusters', { token: 'MIIforged' });
    expect(unknown.status).toBe(401);
    expect(unknown.body.error_code).toBe('common.01010018');
    expect(unknown.body.error_msg).toMatch(/^Auth token failed, reason is:\{.+\}$/);
    const expired = await call(sim, 'GET', '/v1/clusters', { token: sim.credentials.expiredToken });
    expect(expired.status).toBe(401);
    expect(expired.body).toEqual({ error_code: 'common.01010018', error_msg: 'Auth token failed, reason is:{the token has expired}' });
  });

  it('answers 401 without credentials or with another scheme', async () => {
    const none = await call(sim, 'GET', '/v1/releases', { token: null });
    expect(none.status).toBe(401);
    expect(none.body.error_code).toBe('APIGW.0301');
    const bearer = await call(sim, 'GET', '/v1/releases', { token: null, headers: { authorization: 'Bearer abc' } });
    expect(bearer.status).toBe(401);
  });

  it('lets a read-only token read but answers 403 on every write', async () => {
    const ro = sim.credentials.readOnlyToken;
    expect((await call(sim, 'GET', '/v1/clusters', { token: ro })).status).toBe(200);
    expect((await call(sim, 'GET', '/v1/jobs', { token: ro })).status).toBe(200);
    const c = await clusterNamed(sim, 'kvcache-prod-01');
    const id = c.cluster_metadata.id;
    const k8sId = await k8sIdOf(sim, 'cce-prod-bj4-a');
    for (const [method, path, body] of [
      ['POST', '/v1/clusters', createBody('ro-create', k8sId)],
      ['DELETE', `/v1/clusters/${id}`, undefined],
      ['POST', `/v1/clusters/${id}/authorization`, undefined],
      ['POST', `/v1/clusters/${id}/expand`, { node_name_list: ['x'] }],
      ['POST', `/v1/clusters/${id}/shrink`, { node_name_list: ['x'] }],
      ['POST', '/v1/clusters/enroll', { name: 'ro-enroll', k8s_cluster_specification: { k8s_cluster_id: k8sId, namespace: 'ems' } }],
      ['POST', `/v1/ems/${sim.credentials.projectId}/credentials`, undefined],
      ['POST', '/v1/jobs/cancel', { job_ids: ['long-x'] }],
    ] as const) {
      const res = await call(sim, method, path, { token: ro, body });
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.body.error_msg).toMatch(/^Policy doesn't allow ems:\w+:\w+ to be performed\.$/);
    }
    expect((await call(sim, 'GET', `/v1/clusters/${id}`)).body.cluster_metadata.status).toBe('RUNNING');
  });

  it('answers 500 ems.00040003 when X-Project-Id is not the caller project', async () => {
    const ok = await call(sim, 'GET', '/v1/clusters', { headers: { 'x-project-id': sim.credentials.projectId } });
    expect(ok.status).toBe(200);
    const res = await call(sim, 'GET', '/v1/clusters', { headers: { 'x-project-id': sim.credentials.otherProjectId } });
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ error_code: 'ems.00040003', error_msg: 'Failed to match tenant project id' });
  });
});

describe('AK/SK authentication', () => {
  it('accepts a correctly signed GET with a query', async () => {
    const res = await signed('GET', '/v1/clusters?limit=5&offset=1');
    expect(res.status).toBe(200);
    expect(res.body.clusters).toHaveLength(5);
  });

  it('accepts a correctly signed POST with a body, and X-Project-Id and X-Security-Token', async () => {
    const k8sId = await k8sIdOf(sim, 'cce-prod-bj4-a');
    const res = await signed('POST', '/v1/clusters', {
      body: createBody('aksk-create-01', k8sId),
      creds: { projectId: sim.credentials.projectId, securityToken: 'temporary-security-token' },
    });
    expect(res.status).toBe(202);
  });

  it('answers 401 APIGW.0301 on a bad signature', async () => {
    const wrongSk = await signed('GET', '/v1/clusters', { creds: { sk: 'x'.repeat(40) } });
    expect(wrongSk.status).toBe(401);
    expect(wrongSk.body).toEqual({ error_code: 'APIGW.0301', error_msg: 'Incorrect IAM authentication information: verify aksk signature fail' });
    const k8sId = await k8sIdOf(sim, 'cce-prod-bj4-a');
    const tamperedBody = await signed('POST', '/v1/clusters', {
      body: createBody('aksk-tampered', k8sId),
      tamper: (_h, body) => body!.replace('aksk-tampered', 'aksk-tampered2'),
    });
    expect(tamperedBody.status).toBe(401);
    expect(tamperedBody.body.error_msg).toContain('verify aksk signature fail');
  });

  it('answers 401 when the signed query is changed', async () => {
    const url = new URL(`${sim.url}/v1/clusters?limit=5`);
    const headers = signRequest({ method: 'GET', url, headers: {} }, { ak: sim.credentials.ak, sk: sim.credentials.sk });
    const res = await fetch(`${sim.url}/v1/clusters?limit=6`, { headers });
    expect(res.status).toBe(401);
  });

  it('answers 401 for an unknown AK', async () => {
    const res = await signed('GET', '/v1/clusters', { creds: { ak: 'UNKNOWNAKUNKNOWNAK00' } });
    expect(res.status).toBe(401);
    expect(res.body.error_code).toBe('APIGW.0301');
  });

  it('answers 401 for an X-Sdk-Date more than 15 minutes off the wall clock', async () => {
    const old = await signed('GET', '/v1/clusters', { now: new Date(Date.now() - 16 * 60_000) });
    expect(old.status).toBe(401);
    expect(old.body.error_code).toMatch(/^APIGW\./);
    expect(old.body.error_msg).toContain('expired');
    const future = await signed('GET', '/v1/clusters', { now: new Date(Date.now() + 16 * 60_000) });
    expect(future.status).toBe(401);
    const slightlyOff = await signed('GET', '/v1/clusters', { now: new Date(Date.now() - 10 * 60_000) });
    expect(slightlyOff.status).toBe(200);
  });

  it('ignores the virtual clock for X-Sdk-Date', async () => {
    sim.clock.advance(24 * 3600_000);
    expect((await signed('GET', '/v1/releases')).status).toBe(200);
  });

  it('answers 401 for a malformed Authorization header', async () => {
    const res = await call(sim, 'GET', '/v1/releases', {
      token: null,
      headers: { authorization: 'SDK-HMAC-SHA256 Access=abc', 'x-sdk-date': '20240416T095341Z' },
    });
    expect(res.status).toBe(401);
    expect(res.body.error_code).toBe('APIGW.0301');
  });
});

describe('project isolation', () => {
  const other = () => sim.credentials.otherProjectToken;

  it('shows each project its own clusters, jobs, features, labels and credentials', async () => {
    const mine = (await call(sim, 'GET', '/v1/clusters')).body.clusters;
    const theirs = (await call(sim, 'GET', '/v1/clusters', { token: other() })).body.clusters;
    expect(theirs.length).toBeGreaterThanOrEqual(3);
    expect(theirs.length).toBeLessThan(mine.length);
    const mineIds = new Set(mine.map((c: any) => c.cluster_metadata.id));
    const mineNames = new Set(mine.map((c: any) => c.cluster_specification.name));
    for (const c of theirs) {
      expect(mineIds.has(c.cluster_metadata.id)).toBe(false);
      expect(mineNames.has(c.cluster_specification.name)).toBe(false);
      expect(c.cluster_metadata.project_id).toBe(sim.credentials.otherProjectId);
    }
    const features = (await call(sim, 'GET', '/v1/features', { token: other() })).body;
    expect(features.project_id).toBe(sim.credentials.otherProjectId);
    const mainK8s = await k8sIdOf(sim, 'cce-prod-bj4-a');
    expect((await call(sim, 'GET', `/v1/clusters/labels?k8s_cluster_id=${mainK8s}`, { token: other() })).body.total).toBe(0);
    const creds = await call(sim, 'GET', `/v1/ems/${sim.credentials.otherProjectId}/credentials`, { token: other() });
    expect(creds.status).toBe(200);
    expect(creds.body.every((c: any) => c.projectId === sim.credentials.otherProjectId)).toBe(true);
  });

  it('hides the other project clusters and jobs behind 404s and failed cancels', async () => {
    const c = await clusterNamed(sim, 'kvcache-canary-02');
    expect((await call(sim, 'GET', `/v1/clusters/${c.cluster_metadata.id}`, { token: other() })).status).toBe(404);
    expect((await call(sim, 'DELETE', `/v1/clusters/${c.cluster_metadata.id}`, { token: other() })).status).toBe(404);
    const mainJob = (await call(sim, 'GET', '/v1/jobs?job_type=long')).body.jobs[0].id;
    expect((await call(sim, 'GET', `/v1/jobs/${mainJob}`, { token: other() })).status).toBe(404);
    const cancel = await call(sim, 'POST', '/v1/jobs/cancel', { token: other(), body: { job_ids: [mainJob] } });
    expect(cancel.body.failed_ids).toEqual([mainJob]);
    const theirJobs = (await call(sim, 'GET', '/v1/jobs?job_type=long', { token: other() })).body.jobs;
    expect(theirJobs.some((j: any) => j.id === mainJob)).toBe(false);
  });

  it('checks duplicate names per project', async () => {
    const k8s = (await call(sim, 'GET', '/v1/clusters', { token: other() })).body.clusters[0].cluster_specification.k8s_cluster_specification.k8s_cluster_id;
    const res = await call(sim, 'POST', '/v1/clusters', { token: other(), body: createBody('kvcache-prod-01', k8s) });
    expect(res.status).toBe(202);
  });
});
