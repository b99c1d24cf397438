import { afterEach, describe, expect, it } from 'vitest';
import { EmsJob } from './reference-wire.js';
import type { EmsSimulator } from '../../src/simulator/index.js';
import { call, clusterNamed, createBody, k8sIdOf, startSim } from './helpers.js';

let sim: EmsSimulator;
afterEach(() => sim?.stop());

const job = async (id: string) => EmsJob.parse((await call(sim, 'GET', `/v1/jobs/${id}`)).body);
const cluster = async (id: string) => (await call(sim, 'GET', `/v1/clusters/${id}`)).body;

describe('job engine', () => {
  it('moves a create job INIT → RUNNING → COMPLETED with progress and tasks, and the cluster CREATING → RUNNING', async () => {
    sim = await startSim();
    const k8sId = await k8sIdOf(sim, 'cce-prod-bj4-b');
    const created = await call(sim, 'POST', '/v1/clusters', { body: createBody('jobs-create-01', k8sId, { k8s: { node_count: 5 } }) });
    const { job_id: jobId, cluster_id: clusterId } = created.body;

    let j = await job(jobId);
    // Times not yet reached are "", as the EMS reference describes.
    expect(j).toMatchObject({ name: 'CreateCluster', status: 'INIT', progress: 0, cluster_id: clusterId, begin_at: '', end_at: '' });
    expect(j.task_list.every((t) => t.begin_at === '' && t.end_at === '')).toBe(true);
    expect(j.task_list.every((t) => t.status === 'INIT')).toBe(true);
    expect((await cluster(clusterId)).cluster_metadata).toMatchObject({ status: 'CREATING', available_node_count: 0 });

    sim.clock.advance(30_000);
    j = await job(jobId);
    expect(j.status).toBe('RUNNING');
    expect(j.progress).toBeGreaterThan(0);
    expect(j.progress).toBeLessThan(100);
    expect(j.task_list.map((t) => t.status)).toEqual(['COMPLETED', 'RUNNING', 'INIT', 'INIT', 'INIT', 'INIT']);

    sim.clock.advance(60_000);
    const later = await job(jobId);
    expect(later.progress).toBeGreaterThan(j.progress);
    expect((await cluster(clusterId)).cluster_metadata.status).toBe('CREATING');

    sim.clock.advance(30_000);
    j = await job(jobId);
    expect(j).toMatchObject({ status: 'COMPLETED', progress: 100 });
    expect(j.end_at).not.toBe('');
    expect(j.task_list.every((t) => t.status === 'COMPLETED')).toBe(true);
    const c = await cluster(clusterId);
    expect(c.cluster_metadata).toMatchObject({ status: 'RUNNING', reason: 'Available', available_node_count: 5, updated_at: j.end_at });
  });

  it('is deterministic for a given clock: a short job takes 20 s, a long one 120 s', async () => {
    sim = await startSim();
    const c = await clusterNamed(sim, 'kvcache-prod-02');
    const { job_id } = (await call(sim, 'POST', `/v1/clusters/${c.cluster_metadata.id}/expand`, { body: { node_name_list: ['n-x1', 'n-x2'] } })).body;
    sim.clock.advance(19_999);
    expect((await job(job_id)).status).toBe('RUNNING');
    sim.clock.advance(1);
    expect((await job(job_id)).status).toBe('COMPLETED');
    const after = await cluster(c.cluster_metadata.id);
    expect(after.cluster_metadata).toMatchObject({ status: 'RUNNING', available_node_count: 18 });
    expect(after.cluster_specification.k8s_cluster_specification.node_count).toBe(18);
  });

  it('runs with the clock speed: at 1000x a short job completes in tens of milliseconds', async () => {
    sim = await startSim({ clockSpeed: 1000 });
    const c = await clusterNamed(sim, 'kvcache-prod-01');
    const { job_id } = (await call(sim, 'POST', `/v1/clusters/${c.cluster_metadata.id}/expand`, { body: { node_name_list: ['fast-1'] } })).body;
    await new Promise((r) => setTimeout(r, 60));
    expect((await job(job_id)).status).toBe('COMPLETED');
    sim.clock.setSpeed(0);
    const t = sim.clock.now().getTime();
    await new Promise((r) => setTimeout(r, 20));
    expect(sim.clock.now().getTime()).toBe(t);
  });

  it('advances the seeded in-progress clusters to their next state', async () => {
    sim = await startSim();
    const before = new Map<string, any>();
    for (const name of ['kvcache-prod-04', 'pangu-serving-cache', 'kvcache-staging-02', 'kvcache-canary-01', 'kvcache-test-tmp']) {
      before.set(name, await clusterNamed(sim, name));
    }
    sim.clock.advance(10 * 60_000);
    expect((await clusterNamed(sim, 'kvcache-prod-04')).cluster_metadata).toMatchObject({ status: 'RUNNING', available_node_count: 28 });
    expect((await clusterNamed(sim, 'pangu-serving-cache')).cluster_metadata).toMatchObject({ status: 'RUNNING', available_node_count: 10 });
    const upgraded = await clusterNamed(sim, 'kvcache-staging-02');
    expect(upgraded.cluster_metadata.status).toBe('RUNNING');
    expect(upgraded.cluster_specification.k8s_cluster_specification.version).toBe('25.12.0');
    expect((await clusterNamed(sim, 'kvcache-canary-01')).cluster_metadata).toMatchObject({ status: 'RUNNING', available_node_count: 8 });
    expect((await clusterNamed(sim, 'kvcache-test-tmp')).cluster_metadata).toMatchObject({ status: 'DELETED', available_node_count: 0 });
    const running = [...(await call(sim, 'GET', '/v1/jobs')).body.jobs, ...(await call(sim, 'GET', '/v1/jobs?job_type=long')).body.jobs];
    expect(running.filter((j: any) => j.status === 'RUNNING' || j.status === 'INIT')).toEqual([]);
  });

  it('cancels running jobs to STOPPED with frozen progress; unknown and terminal ids fail', async () => {
    sim = await startSim();
    const c = await clusterNamed(sim, 'deepseek-r1-kvcache');
    const id = c.cluster_metadata.id;
    const { job_id } = (await call(sim, 'POST', `/v1/clusters/${id}/shrink`, { body: { node_name_list: ['deepseek-r1-kvcache-n064'] } })).body;
    sim.clock.advance(10_000);
    const completed = (await call(sim, 'GET', '/v1/jobs?job_type=long')).body.jobs.find((j: any) => j.status === 'COMPLETED').id;
    const res = await call(sim, 'POST', '/v1/jobs/cancel', {
      body: { job_ids: [job_id, completed, 'short-does-not-exist'] },
    });
    expect(res.body).toEqual({ success_rows: 1, failed_rows: 2, failed_ids: [completed, 'short-does-not-exist'] });
    const stopped = await job(job_id);
    expect(stopped).toMatchObject({ status: 'STOPPED', message: 'Job stopped by user' });
    expect(stopped.task_list!.map((t) => t.status)).toEqual(['COMPLETED', 'STOPPED', 'STOPPED']);
    sim.clock.advance(60_000);
    expect((await job(job_id)).progress).toBe(stopped.progress);
    expect((await cluster(id)).cluster_metadata).toMatchObject({ status: 'RUNNING', available_node_count: 64 });
    const again = await call(sim, 'POST', '/v1/jobs/cancel', { body: { job_ids: [job_id] } });
    expect(again.body).toEqual({ success_rows: 0, failed_rows: 1, failed_ids: [job_id] });
  });

  it('rolls a cancelled creation back to DELETED and frees its name', async () => {
    sim = await startSim();
    const k8sId = await k8sIdOf(sim, 'cce-prod-bj4-a');
    const { job_id, cluster_id } = (await call(sim, 'POST', '/v1/clusters', { body: createBody('jobs-cancel-create', k8sId) })).body;
    sim.clock.advance(5_000);
    await call(sim, 'POST', '/v1/jobs/cancel', { body: { job_ids: [job_id] } });
    expect((await cluster(cluster_id)).cluster_metadata.status).toBe('DELETED');
    expect((await call(sim, 'POST', '/v1/clusters', { body: createBody('jobs-cancel-create', k8sId) })).status).toBe(202);
  });

  it('fails every job with jobFailureRate 1: message is an ems code and the cluster state is sensible', async () => {
    sim = await startSim({ faults: { jobFailureRate: 1 } });
    const k8sId = await k8sIdOf(sim, 'cce-prod-bj4-a');
    const { job_id, cluster_id } = (await call(sim, 'POST', '/v1/clusters', { body: createBody('jobs-fail-01', k8sId) })).body;
    sim.clock.advance(200_000);
    const j = await job(job_id);
    expect(j.status).toBe('FAILED');
    expect(j.message).toMatch(/^ems\.000\d+$/);
    expect(j.progress).toBeLessThan(100);
    expect(j.task_list.filter((t) => t.status === 'FAILED')).toHaveLength(1);
    expect((await cluster(cluster_id)).cluster_metadata.status).toBe('DELETED');

    const running = await clusterNamed(sim, 'kvcache-prod-02');
    const exp = (await call(sim, 'POST', `/v1/clusters/${running.cluster_metadata.id}/expand`, { body: { node_name_list: ['f-1'] } })).body;
    sim.clock.advance(30_000);
    expect((await job(exp.job_id)).status).toBe('FAILED');
    expect((await cluster(running.cluster_metadata.id)).cluster_metadata).toMatchObject({ status: 'RUNNING', available_node_count: 16 });

    const del = (await call(sim, 'DELETE', `/v1/clusters/${running.cluster_metadata.id}`)).body;
    sim.clock.advance(200_000);
    expect((await job(del.job_id)).message).toBe('ems.00030003');
    expect((await cluster(running.cluster_metadata.id)).cluster_metadata.status).toBe('RUNNING');
  });
});

describe('cluster state machine', () => {
  it('expands and shrinks node lists; names must (not) be members and counts stay within 3..512', async () => {
    sim = await startSim();
    const c = await clusterNamed(sim, 'kvcache-dev-01');
    const id = c.cluster_metadata.id;
    const path = (op: string) => `/v1/clusters/${id}/${op}`;

    const member = await call(sim, 'POST', path('expand'), { body: { node_name_list: ['kvcache-dev-01-n001'] } });
    expect(member.status).toBe(400);
    expect(member.body.error_code).toBe('EMS.00004000');
    expect(member.body.error_msg).toContain('already a member');

    const neighbour = await call(sim, 'POST', path('expand'), { body: { node_name_list: ['kvcache-dev-02-n001'] } });
    expect(neighbour.status).toBe(400);
    expect(neighbour.body.error_msg).toContain('already belongs to EMS cluster');

    const tooFew = await call(sim, 'POST', path('shrink'), { body: { node_name_list: ['kvcache-dev-01-n001'] } });
    expect(tooFew.status).toBe(400);
    expect(tooFew.body).toEqual({
      error_code: 'common.00000400',
      error_msg: '[k8s_cluster_specification].[node_count]: must be greater than or equal to [3]',
    });

    const notMember = await call(sim, 'POST', path('shrink'), { body: { node_name_list: ['stranger'] } });
    expect(notMember.body.error_msg).toContain('is not a member');

    expect((await call(sim, 'POST', path('expand'), { body: { node_name_list: ['dev-extra-1', 'dev-extra-2'] } })).status).toBe(202);
    expect((await cluster(id)).cluster_metadata.status).toBe('EXPANDING');
    const busy = await call(sim, 'POST', path('shrink'), { body: { node_name_list: ['dev-extra-1'] } });
    expect(busy.status).toBe(400);
    expect(busy.body).toEqual({ error_code: 'ems.00030034', error_msg: 'Cluster is not running, current state: [EXPANDING]' });

    sim.clock.advance(20_000);
    expect((await cluster(id)).cluster_metadata).toMatchObject({ status: 'RUNNING', available_node_count: 5 });
    expect((await call(sim, 'POST', path('shrink'), { body: { node_name_list: ['dev-extra-1', 'kvcache-dev-01-n002'] } })).status).toBe(202);
    expect((await cluster(id)).cluster_metadata.status).toBe('SHRINKING');
    sim.clock.advance(20_000);
    const done = await cluster(id);
    expect(done.cluster_metadata).toMatchObject({ status: 'RUNNING', available_node_count: 3 });
    expect(done.cluster_specification.k8s_cluster_specification.node_count).toBe(3);
  });

  it('refuses to grow a cluster past 512 nodes', async () => {
    sim = await startSim();
    const c = await clusterNamed(sim, 'deepseek-r1-kvcache');
    const names = Array.from({ length: 449 }, (_, i) => `big-${i}`);
    const res = await call(sim, 'POST', `/v1/clusters/${c.cluster_metadata.id}/expand`, { body: { node_name_list: names } });
    expect(res.body).toEqual({ error_code: 'common.00000400', error_msg: '[k8s_cluster_specification].[node_count]: must be less than or equal to [512]' });
  });

  it('deletes RUNNING → DELETING → DELETED, keeps DELETED visible and refuses a second delete', async () => {
    sim = await startSim();
    const c = await clusterNamed(sim, 'rag-embed-cache-01');
    const id = c.cluster_metadata.id;
    expect((await call(sim, 'DELETE', `/v1/clusters/${id}`)).status).toBe(202);
    expect((await cluster(id)).cluster_metadata.status).toBe('DELETING');
    const twice = await call(sim, 'DELETE', `/v1/clusters/${id}`);
    expect(twice.body).toEqual({ error_code: 'ems.00030034', error_msg: 'Cluster cannot be deleted in current state: [DELETING]' });
    sim.clock.advance(120_000);
    expect((await cluster(id)).cluster_metadata).toMatchObject({ status: 'DELETED', available_node_count: 0 });
    const listed = (await call(sim, 'GET', '/v1/clusters')).body.clusters.find((x: any) => x.cluster_metadata.id === id);
    expect(listed.cluster_metadata.status).toBe('DELETED');
    expect((await call(sim, 'DELETE', `/v1/clusters/${id}`)).body.error_msg).toBe('Cluster cannot be deleted in current state: [DELETED]');
    expect((await call(sim, 'POST', `/v1/clusters/${id}/authorization`)).body.error_code).toBe('ems.00030034');
  });

  it('lets a delete supersede a running creation', async () => {
    sim = await startSim();
    const c = await clusterNamed(sim, 'kvcache-canary-01');
    const jobs = (await call(sim, 'GET', '/v1/jobs?job_type=long')).body.jobs;
    const createJob = jobs.find((j: any) => j.cluster_id === c.cluster_metadata.id && j.name === 'CreateCluster');
    expect(createJob.status).toBe('RUNNING');
    const del = await call(sim, 'DELETE', `/v1/clusters/${c.cluster_metadata.id}`);
    expect(del.status).toBe(202);
    expect(await job(createJob.id)).toMatchObject({ status: 'STOPPED', message: 'Stopped: cluster deleted' });
    sim.clock.advance(120_000);
    expect((await cluster(c.cluster_metadata.id)).cluster_metadata.status).toBe('DELETED');
  });

  it('checks duplicate names among non-DELETED clusters only', async () => {
    sim = await startSim();
    const k8sId = await k8sIdOf(sim, 'cce-prod-bj4-a');
    const dup = await call(sim, 'POST', '/v1/clusters', { body: createBody('kvcache-prod-01', k8sId) });
    expect(dup.status).toBe(400);
    expect(dup.body).toEqual({ error_code: 'ems.00030033', error_msg: 'the cluster name: [kvcache-prod-01] exist, please change cluster name' });
    expect((await call(sim, 'POST', '/v1/clusters', { body: createBody('kvcache-legacy-01', k8sId) })).status).toBe(202);
  });
});

describe('seedClusters', () => {
  it('replaces the main project with N RUNNING clusters that one ListClusters page holds', async () => {
    sim = await startSim();
    sim.seedClusters(1000);
    const res = await call(sim, 'GET', '/v1/clusters');
    expect(res.body.clusters).toHaveLength(1000);
    expect(res.body.clusters.every((c: any) => c.cluster_metadata.status === 'RUNNING')).toBe(true);
    expect(res.body.clusters[0].cluster_specification.name).toBe('batch-kvcache-0001');
    const long = (await call(sim, 'GET', '/v1/jobs?job_type=long')).body.jobs;
    expect(long).toHaveLength(1000);
    expect((await call(sim, 'GET', '/v1/jobs')).body.jobs).toHaveLength(0);
    expect((await call(sim, 'GET', '/v1/clusters?offset=990&limit=100')).body.clusters).toHaveLength(10);
  });

  it('adds jobs per cluster on request', async () => {
    sim = await startSim();
    sim.seedClusters(10, { jobsPerCluster: 3 });
    const long = (await call(sim, 'GET', '/v1/jobs?job_type=long')).body.jobs;
    const short = (await call(sim, 'GET', '/v1/jobs')).body.jobs;
    expect(long).toHaveLength(20);
    expect(short).toHaveLength(10);
    expect(new Set(short.map((j: any) => j.cluster_id)).size).toBe(10);
  });

  it('builds the same world from the same seed and a different one from another seed', async () => {
    sim = await startSim({ seed: 7 });
    const a = (await call(sim, 'GET', '/v1/clusters')).body.clusters.map((c: any) => c.cluster_metadata.id);
    const credsA = sim.credentials;
    await sim.stop();
    sim = await startSim({ seed: 7 });
    const b = (await call(sim, 'GET', '/v1/clusters')).body.clusters.map((c: any) => c.cluster_metadata.id);
    expect(b).toEqual(a);
    expect(sim.credentials).toEqual(credsA);
    await sim.stop();
    sim = await startSim({ seed: 8 });
    const c = (await call(sim, 'GET', '/v1/clusters')).body.clusters.map((x: any) => x.cluster_metadata.id);
    expect(c).not.toEqual(a);
  });

  it('honours clusterCount', async () => {
    sim = await startSim({ clusterCount: 25 });
    const names = (await call(sim, 'GET', '/v1/clusters')).body.clusters.map((c: any) => c.cluster_specification.name);
    expect(names).toHaveLength(25);
    expect(names).toContain('kvcache-pool-025');
  });
});
