import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmsSimulator } from '../../src/simulator/index.js';
import { call, clusterNamed, createBody, k8sIdOf, startSim } from './helpers.js';

let sim: EmsSimulator;
let k8sId: string;
beforeAll(async () => {
  sim = await startSim();
  k8sId = await k8sIdOf(sim, 'cce-prod-bj4-a');
});
afterAll(() => sim.stop());

const PAGINATION = { error_code: 'EMS.00004000', error_msg: 'invalid pagination parameters' };

describe('pagination', () => {
  it.each([
    '/v1/releases?limit=-1',
    '/v1/releases?limit=1001',
    '/v1/releases?limit=abc',
    '/v1/releases?limit=1.5',
    '/v1/releases?offset=-3',
    '/v1/releases?limit=',
    '/v1/features?limit=5&limit=6',
    '/v1/clusters?limit=1001',
    '/v1/jobs?offset=x',
    '/v1/clusters/labels?k8s_cluster_id=00000000-0000-4000-8000-000000000000&limit=0',
    '/v1/clusters/labels?k8s_cluster_id=00000000-0000-4000-8000-000000000000&limit=2001',
    '/v1/clusters/labels?k8s_cluster_id=00000000-0000-4000-8000-000000000000&offset=2001',
  ])('refuses %s with 400 EMS.00004000', async (path) => {
    const res = await call(sim, 'GET', path);
    expect(res.status).toBe(400);
    expect(res.body).toEqual(PAGINATION);
  });

  it('applies per-endpoint defaults and accepts the maxima', async () => {
    expect((await call(sim, 'GET', '/v1/releases?limit=1000&offset=0')).status).toBe(200);
    expect((await call(sim, 'GET', '/v1/releases?limit=0')).body.releases).toEqual([]);
    expect((await call(sim, 'GET', '/v1/releases?offset=2')).body.releases).toHaveLength(1);
    expect((await call(sim, 'GET', `/v1/clusters/labels?k8s_cluster_id=${k8sId}&limit=2000&offset=2000`)).status).toBe(200);
    expect((await call(sim, 'GET', '/v1/clusters?limit=5&offset=3')).body.clusters).toHaveLength(5);
  });

  it('requires a UUID k8s_cluster_id on ListClustersLabels and a known job_type on ListJobs', async () => {
    const missing = await call(sim, 'GET', '/v1/clusters/labels');
    expect(missing.body).toEqual({ error_code: 'EMS.00004000', error_msg: 'invalid parameter: k8s_cluster_id: is required' });
    const bad = await call(sim, 'GET', '/v1/clusters/labels?k8s_cluster_id=abc');
    expect(bad.status).toBe(400);
    expect(bad.body.error_msg).toMatch(/^invalid parameter: k8s_cluster_id: must be one UUID/);
    const type = await call(sim, 'GET', '/v1/jobs?job_type=medium');
    expect(type.status).toBe(400);
    expect(type.body.error_msg).toMatch(/^invalid parameter: job_type/);
  });
});

describe('CreateCluster ranges and rules', () => {
  const create = (body: unknown) => call(sim, 'POST', '/v1/clusters', { body });

  it.each([
    [{ k8s: { node_count: 2 } }, '[k8s_cluster_specification].[node_count]: must be greater than or equal to [3]'],
    [{ k8s: { node_count: 513 } }, '[k8s_cluster_specification].[node_count]: must be less than or equal to [512]'],
    [{ memory_specification: { huge_page_num: 1024 } }, '[memory_specification].[huge_page_num]: must be greater than or equal to [131072]'],
    [{ memory_specification: { huge_page_num: 2147483648 } }, '[memory_specification].[huge_page_num]: must be less than or equal to [2147483647]'],
  ])('out of range %j → 400 common.00000400', async (extra, message) => {
    const res = await create(createBody('range-check', k8sId, extra));
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error_code: 'common.00000400', error_msg: message });
  });

  it.each([
    ['Bad_Name', 'name'],
    ['abc', 'name'],
    ['ends-with-dash-', 'name'],
    ['1starts-with-digit', 'name'],
    ['x'.repeat(129), 'name'],
  ])('an invalid name %s → 400 EMS.00004000 naming the field', async (name, field) => {
    const res = await create(createBody(name, k8sId));
    expect(res.status).toBe(400);
    expect(res.body.error_code).toBe('EMS.00004000');
    expect(res.body.error_msg).toMatch(new RegExp(`^invalid parameter: ${field}: `));
  });

  it('lists every non-range problem at once', async () => {
    const res = await create({ name: 'ok-name', charge_mode: 1, k8s_cluster_specification: { k8s_cluster_id: 'nope', lts_connect_type: 5 } });
    expect(res.status).toBe(400);
    expect(res.body.error_code).toBe('EMS.00004000');
    expect(res.body.error_msg).toContain('charge_mode: must be 0');
    expect(res.body.error_msg).toContain('k8s_cluster_specification.k8s_cluster_id: must be a UUID');
    expect(res.body.error_msg).toContain('k8s_cluster_specification.lts_connect_type: must be one of 0, 1');
  });

  it('requires name and k8s_cluster_specification', async () => {
    const res = await create({});
    expect(res.body.error_msg).toBe('invalid parameter: name: is required; k8s_cluster_specification: is required');
  });

  it('refuses an unknown EMS version', async () => {
    const res = await create(createBody('version-check', k8sId, { k8s: { version: '24.1.0' } }));
    expect(res.status).toBe(400);
    expect(res.body.error_msg).toContain('unknown EMS version [24.1.0]');
  });

  it('runs the CoreDNS check against the CCE cluster CoreDNS flavor', async () => {
    const dev = await k8sIdOf(sim, 'cce-dev-bj4');
    const res = await create(createBody('coredns-check', dev, { k8s: { node_count: 64 } }));
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error_code: 'ems.00030002',
      error_msg:
        'CoreDNS add-on specification check failed. Required for 64 nodes: replicas>[2], CPU>[1000m], Memory>[1024Mi]. Please upgrade the CoreDNS add-on flavor first.',
    });
    expect((await create(createBody('coredns-ok', dev, { k8s: { node_count: 50 } }))).status).toBe(202);
  });

  it('runs the CoreDNS check on expand too', async () => {
    const c = await clusterNamed(sim, 'kvcache-dev-01');
    const names = Array.from({ length: 48 }, (_, i) => `grow-${i}`);
    const res = await call(sim, 'POST', `/v1/clusters/${c.cluster_metadata.id}/expand`, { body: { node_name_list: names } });
    expect(res.status).toBe(400);
    expect(res.body.error_msg).toMatch(/^CoreDNS add-on specification check failed. Required for 51 nodes/);
  });

  it('reports the CIE-collector conflict unless monitor_enable is false', async () => {
    const obs = await k8sIdOf(sim, 'cce-observability-bj4');
    const res = await create(createBody('cie-check', obs));
    expect(res.status).toBe(400);
    expect(res.body.error_code).toBe('ems.00030002');
    expect(res.body.error_msg).toMatch(/^CIE-collector add-on specification check failed. you explicitly configured the enable_custom_metrics=true/);
    expect((await create(createBody('cie-check', obs, { k8s: { monitor_enable: false } }))).status).toBe(202);
  });
});

describe('other bodies and path parameters', () => {
  it('validates expand/shrink bodies', async () => {
    const c = await clusterNamed(sim, 'kvcache-prod-02');
    const path = `/v1/clusters/${c.cluster_metadata.id}/expand`;
    expect((await call(sim, 'POST', path, { body: {} })).body.error_msg).toBe('invalid parameter: node_name_list: is required');
    expect((await call(sim, 'POST', path, { body: { node_name_list: [] } })).body.error_msg).toContain('node_name_list: must name at least one node');
    expect((await call(sim, 'POST', path, { body: { node_name_list: ['x'.repeat(49)] } })).body.error_msg).toContain(
      'node_name_list[0]: must be at most 48 characters',
    );
    expect((await call(sim, 'POST', path, { body: { node_name_list: ['a', 'a'] } })).body.error_msg).toContain('must not repeat a node name');
  });

  it('refuses a cluster id that is not a UUID, and answers 404 for an unknown one on every cluster route', async () => {
    const bad = await call(sim, 'GET', '/v1/clusters/not-a-uuid');
    expect(bad.status).toBe(400);
    expect(bad.body.error_code).toBe('EMS.00004000');
    const unknown = '11111111-2222-4333-8444-555555555555';
    for (const [method, suffix, body] of [
      ['GET', '', undefined],
      ['DELETE', '', undefined],
      ['POST', '/authorization', undefined],
      ['POST', '/expand', { node_name_list: ['a'] }],
      ['POST', '/shrink', { node_name_list: ['a'] }],
    ] as const) {
      const res = await call(sim, method, `/v1/clusters/${unknown}${suffix}`, { body });
      expect(res.status).toBe(404);
      expect(res.body.error_code).toBe('ems.00030005');
    }
  });

  it('validates job ids on ShowJob and CancelJobs', async () => {
    const show = await call(sim, 'GET', '/v1/jobs/job-123');
    expect(show.status).toBe(400);
    expect(show.body.error_msg).toMatch(/^invalid parameter: job_id: /);
    const cancel = await call(sim, 'POST', '/v1/jobs/cancel', { body: { job_ids: ['bogus'] } });
    expect(cancel.status).toBe(400);
    expect(cancel.body.error_msg).toMatch(/^invalid parameter: job_ids\[0\]: /);
    expect((await call(sim, 'POST', '/v1/jobs/cancel', { body: { job_ids: [] } })).status).toBe(400);
  });

  it('requires EMS >= 25.12.0 to enroll', async () => {
    const body = (version?: string) => ({
      name: 'enroll-version',
      k8s_cluster_specification: { k8s_cluster_id: k8sId, namespace: 'ems', ...(version ? { version } : {}) },
    });
    const old = await call(sim, 'POST', '/v1/clusters/enroll', { body: body('25.9.0') });
    expect(old.status).toBe(400);
    expect(old.body).toEqual({
      error_code: 'common.00000400',
      error_msg: '[k8s_cluster_specification].[version]: must be greater than or equal to [25.12.0]',
    });
    expect((await call(sim, 'POST', '/v1/clusters/enroll', { body: body('latest') })).body.error_code).toBe('EMS.00004000');
    expect((await call(sim, 'POST', '/v1/clusters/enroll', { body: { name: 'enroll-ns', k8s_cluster_specification: { k8s_cluster_id: k8sId } } })).body.error_msg).toBe(
      'invalid parameter: k8s_cluster_specification.namespace: is required',
    );
    const ok = await call(sim, 'POST', '/v1/clusters/enroll', { body: body('v1') });
    expect(ok.status).toBe(202);
    const shown = await call(sim, 'GET', `/v1/clusters/${ok.body.cluster_id}`);
    expect(shown.body.cluster_specification.k8s_cluster_specification.version).toBe('25.12.0');
  });

  it('re-enrolls a DELETED cluster under its id and refuses a live one', async () => {
    const gone = await clusterNamed(sim, 'kvcache-legacy-01');
    const live = await clusterNamed(sim, 'kvcache-prod-03');
    const body = (id: string, name: string) => ({ cluster_id: id, name, k8s_cluster_specification: { k8s_cluster_id: k8sId, namespace: 'ems' } });
    const refused = await call(sim, 'POST', '/v1/clusters/enroll', { body: body(live.cluster_metadata.id, 'reenroll-live') });
    expect(refused.body).toEqual({ error_code: 'ems.00030034', error_msg: 'Cluster cannot be enrolled in current state: [RUNNING]' });
    const revived = await call(sim, 'POST', '/v1/clusters/enroll', { body: body(gone.cluster_metadata.id, 'kvcache-legacy-01') });
    expect(revived.status).toBe(202);
    expect(revived.body.cluster_id).toBe(gone.cluster_metadata.id);
    sim.clock.advance(120_000);
    expect((await call(sim, 'GET', `/v1/clusters/${gone.cluster_metadata.id}`)).body.cluster_metadata.status).toBe('RUNNING');
  });

  it('validates the credentials project id', async () => {
    const bad = await call(sim, 'GET', '/v1/ems/not_valid!/credentials');
    expect(bad.status).toBe(400);
    expect(bad.body.error_code).toBe('EMS.00004000');
    const other = await call(sim, 'GET', `/v1/ems/${sim.credentials.otherProjectId}/credentials`);
    expect(other.status).toBe(500);
    expect(other.body).toEqual({ error_code: 'ems.00040003', error_msg: 'Failed to match tenant project id' });
  });
});
