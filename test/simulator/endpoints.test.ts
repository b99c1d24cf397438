import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EmsCancelJobsResponse,
  EmsCluster,
  EmsClusterJobResponse,
  EmsCredential,
  EmsErrorBody,
  EmsJob,
  EmsJobResponse,
  EmsListClustersResponse,
  EmsListFeaturesResponse,
  EmsListJobsResponse,
  EmsListLabelsResponse,
  EmsListReleasesResponse,
  EmsShowCredentialsResponse,
} from './reference-wire.js';
import type { EmsSimulator } from '../../src/simulator/index.js';
import { call, clusterNamed, createBody, k8sIdOf, startSim, UUID_RE } from './helpers.js';

let sim: EmsSimulator;
beforeAll(async () => {
  sim = await startSim();
});
afterAll(() => sim.stop());

describe('the 16 endpoints', () => {
  it('ListReleases returns the three releases with 25.12.0 preferred', async () => {
    const res = await call(sim, 'GET', '/v1/releases');
    expect(res.status).toBe(200);
    const body = EmsListReleasesResponse.parse(res.body);
    expect(body.total).toBe(3);
    expect(body.releases.map((r) => r.version)).toEqual(['25.6.0', '25.9.0', '25.12.0']);
    expect(body.releases.find((r) => r.tag === 'PREFERRED_VERSION')?.version).toBe('25.12.0');
  });

  it('ListFeatures returns the project id and about eight features', async () => {
    const res = await call(sim, 'GET', '/v1/features?limit=3&offset=1');
    expect(res.status).toBe(200);
    const body = EmsListFeaturesResponse.parse(res.body);
    expect(body.project_id).toBe(sim.credentials.projectId);
    expect(body.total).toBe(8);
    expect(body.features).toHaveLength(3);
  });

  it('ListClusters returns 20 seeded clusters in mixed states on fewer CCE clusters', async () => {
    const res = await call(sim, 'GET', '/v1/clusters');
    expect(res.status).toBe(200);
    const { clusters } = EmsListClustersResponse.parse(res.body);
    expect(clusters).toHaveLength(20);
    const states = new Set(clusters.map((c) => c.cluster_metadata.status));
    for (const s of ['RUNNING', 'CREATING', 'EXPANDING', 'SHRINKING', 'DELETING', 'DELETED', 'FREEZE', 'UPGRADING']) {
      expect(states).toContain(s);
    }
    const k8s = new Set(clusters.map((c) => c.cluster_specification.k8s_cluster_specification.k8s_cluster_id));
    expect(k8s.size).toBeLessThan(clusters.length);
    const versions = new Set(clusters.map((c) => c.cluster_specification.k8s_cluster_specification.version));
    expect([...versions].sort()).toEqual(['25.12.0', '25.6.0', '25.9.0']);
    expect(clusters.every((c) => c.cluster_metadata.project_id === sim.credentials.projectId)).toBe(true);
  });

  it('ListClustersLabels returns the node labels of a CCE cluster', async () => {
    const k8sId = await k8sIdOf(sim, 'cce-prod-bj4-a');
    const res = await call(sim, 'GET', `/v1/clusters/labels?k8s_cluster_id=${k8sId}`);
    expect(res.status).toBe(200);
    const body = EmsListLabelsResponse.parse(res.body);
    expect(body.total).toBeGreaterThan(5);
    expect(body.labels).toContainEqual({ key: 'ems', value: 'true' });
    const paged = await call(sim, 'GET', `/v1/clusters/labels?k8s_cluster_id=${k8sId}&limit=2&offset=1`);
    expect(paged.body.labels).toEqual(body.labels.slice(1, 3));
    expect(paged.body.total).toBe(body.total);
  });

  it('ListClustersLabels of an unknown CCE cluster is empty', async () => {
    const res = await call(sim, 'GET', '/v1/clusters/labels?k8s_cluster_id=00000000-0000-4000-8000-000000000000');
    expect(res.body).toEqual({ total: 0, labels: [] });
  });

  it('ShowCluster returns one cluster; an unknown id is 404 ems.00030005', async () => {
    const c = await clusterNamed(sim, 'kvcache-prod-01');
    const res = await call(sim, 'GET', `/v1/clusters/${c.cluster_metadata.id}`);
    expect(res.status).toBe(200);
    expect(EmsCluster.parse(res.body)).toEqual(c);
    const missing = await call(sim, 'GET', '/v1/clusters/11111111-2222-4333-8444-555555555555');
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ error_code: 'ems.00030005', error_msg: 'Cluster not found: [11111111-2222-4333-8444-555555555555].' });
  });

  it('CreateCluster answers 202 with job and cluster ids, and fills documented defaults', async () => {
    const k8sId = await k8sIdOf(sim, 'cce-prod-bj4-a');
    const res = await call(sim, 'POST', '/v1/clusters', { body: createBody('endpoint-create-01', k8sId) });
    expect(res.status).toBe(202);
    const body = EmsClusterJobResponse.parse(res.body);
    expect(body.job_id).toMatch(/^long-[0-9a-f-]{36}$/);
    expect(body.cluster_id).toMatch(UUID_RE);
    const shown = EmsCluster.parse((await call(sim, 'GET', `/v1/clusters/${body.cluster_id}`)).body);
    expect(shown.cluster_metadata.status).toBe('CREATING');
    expect(shown.cluster_metadata.k8s_name).toBe('cce-prod-bj4-a');
    expect(shown.cluster_specification.k8s_cluster_specification).toMatchObject({
      label: { key: 'ems', value: 'true' },
      version: '25.12.0',
      lts_enable: true,
      lts_connect_type: 0,
      monitor_enable: true,
      node_type: 0,
      node_count: 3,
    });
    expect(shown.cluster_specification.memory_specification).toEqual({ huge_page_num: 131072, huge_page_flavor: 2 });
  });

  it('EnrollCluster answers 202 with job and cluster ids', async () => {
    const k8sId = await k8sIdOf(sim, 'cce-staging-bj4');
    const res = await call(sim, 'POST', '/v1/clusters/enroll', {
      body: { name: 'endpoint-enroll-01', k8s_cluster_specification: { k8s_cluster_id: k8sId, namespace: 'ems-system' } },
    });
    expect(res.status).toBe(202);
    const body = EmsClusterJobResponse.parse(res.body);
    expect(body.job_id).toMatch(/^long-/);
    const job = EmsJob.parse((await call(sim, 'GET', `/v1/jobs/${body.job_id}`)).body);
    expect(job.name).toBe('EnrollCluster');
    expect(job.cluster_id).toBe(body.cluster_id);
  });

  it('DeleteClusterById answers 202 with a long job id', async () => {
    const c = await clusterNamed(sim, 'kvcache-dev-02');
    const res = await call(sim, 'DELETE', `/v1/clusters/${c.cluster_metadata.id}`);
    expect(res.status).toBe(202);
    expect(EmsJobResponse.parse(res.body).job_id).toMatch(/^long-/);
  });

  it('AuthorizeCluster answers 204 without a body but with X-Request-Id', async () => {
    const c = await clusterNamed(sim, 'kvcache-prod-02');
    const res = await call(sim, 'POST', `/v1/clusters/${c.cluster_metadata.id}/authorization`);
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect(res.headers.get('x-request-id')).toMatch(UUID_RE);
  });

  it('ExpandCluster and ShrinkCluster answer 202 with ems-custom job ids listed as short jobs', async () => {
    const c = await clusterNamed(sim, 'llm-infer-prod-01');
    const id = c.cluster_metadata.id;
    const exp = await call(sim, 'POST', `/v1/clusters/${id}/expand`, { body: { node_name_list: ['extra-node-a'] } });
    expect(exp.status).toBe(202);
    const jobId = EmsJobResponse.parse(exp.body).job_id;
    expect(jobId).toMatch(/^ems-custom-[0-9a-f-]{36}$/);
    const shortJobs = EmsListJobsResponse.parse((await call(sim, 'GET', '/v1/jobs?job_type=short')).body).jobs;
    expect(shortJobs.map((j) => j.id)).toContain(jobId);
    sim.clock.advance(25_000);
    const shr = await call(sim, 'POST', `/v1/clusters/${id}/shrink`, { body: { node_name_list: ['extra-node-a'] } });
    expect(shr.status).toBe(202);
    expect(shr.body.job_id).toMatch(/^ems-custom-/);
  });

  it('CreateCredentialInfo and ShowCredentialInfo use camelCase fields', async () => {
    const pid = sim.credentials.projectId;
    const created = await call(sim, 'POST', `/v1/ems/${pid}/credentials`);
    expect(created.status).toBe(200);
    const cred = EmsCredential.parse(created.body);
    expect(Object.keys(created.body).sort()).toEqual(['cdKey', 'createAt', 'projectId']);
    expect(cred.projectId).toBe(pid);
    const list = await call(sim, 'GET', `/v1/ems/${pid}/credentials`);
    expect(list.status).toBe(200);
    const creds = EmsShowCredentialsResponse.parse(list.body);
    expect(creds).toHaveLength(3);
    expect(creds).toContainEqual(cred);
  });

  it('ListJobs defaults to short jobs and lists long ones on request', async () => {
    const short = EmsListJobsResponse.parse((await call(sim, 'GET', '/v1/jobs')).body).jobs;
    const long = EmsListJobsResponse.parse((await call(sim, 'GET', '/v1/jobs?job_type=long')).body).jobs;
    expect(short.length).toBeGreaterThan(3);
    expect(short.every((j) => j.id.startsWith('ems-custom-'))).toBe(true);
    expect(long.length).toBeGreaterThan(15);
    expect(long.every((j) => j.id.startsWith('long-'))).toBe(true);
    const statuses = new Set([...short, ...long].map((j) => j.status));
    for (const s of ['RUNNING', 'COMPLETED', 'FAILED', 'STOPPED']) expect(statuses).toContain(s);
  });

  it('ShowJob returns a job; an unknown id is 404 ems.00030006', async () => {
    const [first] = (await call(sim, 'GET', '/v1/jobs?job_type=long&limit=1')).body.jobs;
    const res = await call(sim, 'GET', `/v1/jobs/${first.id}`);
    expect(res.status).toBe(200);
    expect(EmsJob.parse(res.body).id).toBe(first.id);
    const missing = await call(sim, 'GET', '/v1/jobs/long-00000000-0000-4000-8000-000000000000');
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ error_code: 'ems.00030006', error_msg: 'Job not found: [long-00000000-0000-4000-8000-000000000000].' });
  });

  it('CancelJobs reports successes and failures', async () => {
    const res = await call(sim, 'POST', '/v1/jobs/cancel', { body: { job_ids: ['long-00000000-0000-4000-8000-000000000000'] } });
    expect(res.status).toBe(200);
    expect(EmsCancelJobsResponse.parse(res.body)).toEqual({
      success_rows: 0,
      failed_rows: 1,
      failed_ids: ['long-00000000-0000-4000-8000-000000000000'],
    });
  });
});

describe('transport conventions', () => {
  it('puts X-Request-Id and the JSON content type on successes and errors', async () => {
    for (const [method, path, token] of [
      ['GET', '/v1/clusters', undefined],
      ['GET', '/v1/clusters', 'nope'],
      ['GET', '/v1/nothing-here', undefined],
    ] as const) {
      const res = await call(sim, method, path, { token });
      expect(res.headers.get('x-request-id')).toMatch(UUID_RE);
      expect(res.headers.get('content-type')).toBe('application/json;charset=utf-8');
    }
  });

  it('gives every response its own X-Request-Id', async () => {
    const a = await call(sim, 'GET', '/v1/releases');
    const b = await call(sim, 'GET', '/v1/releases');
    expect(a.headers.get('x-request-id')).not.toBe(b.headers.get('x-request-id'));
  });

  it('answers unknown routes and methods with 404 APIGW.0101', async () => {
    for (const [method, path] of [
      ['GET', '/v2/clusters'],
      ['PUT', '/v1/clusters'],
      ['PATCH', '/v1/jobs/cancel'],
      ['GET', '/'],
    ] as const) {
      const res = await call(sim, method, path);
      expect(res.status).toBe(404);
      expect(EmsErrorBody.parse(res.body).error_code).toBe('APIGW.0101');
    }
  });

  it('answers a malformed JSON body with 400 EMS.00004000', async () => {
    const res = await call(sim, 'POST', '/v1/clusters', { raw: '{"name": "abc",' });
    expect(res.status).toBe(400);
    expect(res.body.error_code).toBe('EMS.00004000');
    expect(res.body.error_msg).toMatch(/^invalid parameter: malformed JSON body/);
    const empty = await call(sim, 'POST', '/v1/jobs/cancel', { raw: '' });
    expect(empty.status).toBe(400);
    expect(empty.body.error_msg).toBe('invalid parameter: request body is required');
  });

  it('tolerates a trailing slash', async () => {
    expect((await call(sim, 'GET', '/v1/releases/')).status).toBe(200);
  });
});
