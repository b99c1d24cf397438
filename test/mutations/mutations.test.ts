import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../fixtures/harness.js';
import { AuthorizeThenExpandDocument, WatchJobDocument } from '../generated/graphql.js';
import { cluster, newK8sClusterId, payloadOf, provisionedNodeNames, uniqueName } from './helpers.js';
import { member, type MutationField, type MutationInput } from './operations.js';

/**
 * Every mutation end to end: GraphQL over HTTP → gateway → EMS simulator. The simulator's clock is
 * frozen (clockSpeed 0): jobs move only when a test advances it, so states are deterministic.
 */

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ sim: { clockSpeed: 0 } });
});
afterAll(async () => {
  await h?.close();
});
beforeEach(() => {
  h.sim.stats.reset();
});

/** The payload of a mutation that must succeed. */
const ok = <F extends MutationField>(field: F, input: MutationInput<F>) => payloadOf(h, field, input);

/** Advances the simulator's clock until the job ends, the way a client would poll it. */
async function watchUntilDone(jobId: string, stepMs = 10_000) {
  for (let i = 0; i < 100; i++) {
    const { data } = await h.gql(WatchJobDocument, { id: jobId });
    const job = data!.job!;
    if (['COMPLETED', 'FAILED', 'STOPPED'].includes(job.status)) return job;
    h.sim.clock.advance(stepMs);
  }
  throw new Error(`job ${jobId} did not end`);
}

describe('createCluster', () => {
  it('returns the job as EMS reports it right after submission, and the new cluster', async () => {
    const name = uniqueName('e2e-create');
    const result = await ok(
      'createCluster',
      {
        name,
        description: 'created by the mutation tests',
        chargeMode: 'PAY_PER_USE',
        k8s: { k8sClusterId: newK8sClusterId(), nodeCount: 4, ltsConnectType: 'ICAGENT', label: { key: 'ems', value: 'true' } },
        memory: { hugePageCount: 262144, hugePageSizeMb: 2 },
      },
    );
    expect(result).toMatchObject({
      __typename: 'CreateClusterPayload',
      replayed: false,
      job: { id: result.jobId, type: 'LONG', name: 'CreateCluster', status: 'INIT', progress: 0, clusterId: result.clusterId },
      cluster: { id: result.clusterId, name, status: 'CREATING', k8s: { nodeCount: 4 } },
    });
    expect(result.job!.tasks.length).toBeGreaterThan(0);
    expect(result.job!.cluster).toEqual({ id: result.clusterId, status: 'CREATING' });
    // One write, then one ShowJob and one ShowCluster shared by `cluster` and `job.cluster`.
    expect(h.sim.stats.calls).toMatchObject({ CreateCluster: 1, ShowJob: 1, ShowCluster: 1 });
    expect(h.sim.stats.count()).toBe(3);
  });

  it('create then watch: the job is queried until it completes and the cluster runs', async () => {
    const created = await ok('createCluster', { name: uniqueName('e2e-watch'), k8s: { k8sClusterId: newK8sClusterId() } });
    const job = await watchUntilDone(created.jobId!);
    expect(job).toMatchObject({ id: created.jobId, status: 'COMPLETED', progress: 100, cluster: { id: created.clusterId, status: 'RUNNING' } });
  });
});

describe('enrollCluster', () => {
  it('takes an existing deployment under management and returns its job and cluster', async () => {
    const name = uniqueName('e2e-enroll');
    const result = await ok('enrollCluster', { name, k8s: { k8sClusterId: newK8sClusterId(), namespace: 'ems-system' } });
    expect(result).toMatchObject({
      __typename: 'EnrollClusterPayload',
      job: { id: result.jobId, name: 'EnrollCluster', clusterId: result.clusterId },
      cluster: { id: result.clusterId, name },
    });
    expect(h.sim.stats.calls).toMatchObject({ EnrollCluster: 1, ShowJob: 1, ShowCluster: 1 });
    expect((await watchUntilDone(result.jobId!)).status).toBe('COMPLETED');
  });
});

describe('expandCluster and shrinkCluster', () => {
  it('expands a RUNNING cluster', async () => {
    const target = await cluster(h, 'kvcache-prod-01');
    h.sim.stats.reset();
    const result = await ok('expandCluster', { clusterId: target.id, nodeNames: ['gpu-node-201', 'gpu-node-202'] });
    expect(result).toMatchObject({
      __typename: 'ExpandClusterPayload',
      clusterId: target.id,
      job: { id: result.jobId, type: 'SHORT', status: 'INIT', clusterId: target.id },
      cluster: { id: target.id, status: 'EXPANDING' },
    });
    expect(result.jobId).toMatch(/^ems-custom-/);
    expect(h.sim.stats.calls).toMatchObject({ ExpandCluster: 1, ShowJob: 1, ShowCluster: 1 });
    const done = await watchUntilDone(result.jobId!, 5_000);
    expect(done).toMatchObject({ status: 'COMPLETED', cluster: { status: 'RUNNING' } });
    expect((await cluster(h, 'kvcache-prod-01')).k8s.nodeCount).toBe(target.k8s.nodeCount! + 2);
  });

  it('shrinks a RUNNING cluster', async () => {
    const target = await cluster(h, 'kvcache-staging-01');
    const [first] = provisionedNodeNames(target.name, 1);
    const result = await ok('shrinkCluster', { clusterId: target.id, nodeNames: [first!] });
    expect(result).toMatchObject({
      __typename: 'ShrinkClusterPayload',
      job: { id: result.jobId, type: 'SHORT', clusterId: target.id },
      cluster: { id: target.id, status: 'SHRINKING' },
    });
    await watchUntilDone(result.jobId!, 5_000);
    expect((await cluster(h, 'kvcache-staging-01')).k8s.nodeCount).toBe(target.k8s.nodeCount! - 1);
  });
});

describe('deleteCluster', () => {
  it('returns the delete job and the cluster DELETING, which ends DELETED', async () => {
    const target = await cluster(h, 'kvcache-dev-02');
    h.sim.stats.reset();
    const result = await ok('deleteCluster', { clusterId: target.id });
    expect(result).toMatchObject({
      __typename: 'DeleteClusterPayload',
      clusterId: target.id,
      job: { id: result.jobId, name: 'DeleteCluster', clusterId: target.id },
      cluster: { id: target.id, status: 'DELETING' },
    });
    expect(h.sim.stats.calls).toMatchObject({ DeleteClusterById: 1, ShowJob: 1, ShowCluster: 1 });
    const done = await watchUntilDone(result.jobId!);
    expect(done).toMatchObject({ status: 'COMPLETED' });
    expect((await cluster(h, 'kvcache-dev-02')).status).toBe('DELETED');
  });
});

describe('authorizeCluster', () => {
  it('authorizes and returns the cluster', async () => {
    const target = await cluster(h, 'llm-infer-prod-01');
    h.sim.stats.reset();
    const result = await ok('authorizeCluster', { clusterId: target.id });
    expect(result).toEqual({
      __typename: 'AuthorizeClusterPayload',
      clusterId: target.id,
      replayed: false,
      cluster: expect.objectContaining({ id: target.id, status: 'RUNNING' }),
    });
    expect(h.sim.stats.calls).toMatchObject({ AuthorizeCluster: 1, ShowCluster: 1 });
    expect(h.sim.stats.count()).toBe(2);
  });
});

describe('cancelJobs', () => {
  it('reports cancelled = requested − failed, and the job ends STOPPED', async () => {
    const created = await ok('createCluster', { name: uniqueName('e2e-cancel'), k8s: { k8sClusterId: newK8sClusterId() } });
    h.sim.stats.reset();
    const result = await ok('cancelJobs', { jobIds: [created.jobId!, 'short-does-not-exist'] });
    expect(result).toEqual({
      __typename: 'CancelJobsPayload',
      cancelled: [created.jobId],
      failed: ['short-does-not-exist'],
      replayed: false,
    });
    expect(h.sim.stats.calls.CancelJobs).toBe(1);
    expect(h.sim.stats.count()).toBe(1);
    const { data } = await h.gql(WatchJobDocument, { id: created.jobId! });
    expect(data?.job?.status).toBe('STOPPED');
  });
});

describe('createCredential', () => {
  it('creates a cdKey for the gateway’s project by default, or the given one', async () => {
    const result = await ok('createCredential', {});
    expect(result).toMatchObject({
      __typename: 'CreateCredentialPayload',
      replayed: false,
      credential: { projectId: h.sim.credentials.projectId, cdKey: expect.stringMatching(/^[A-Za-z0-9]{32,36}$/) },
    });
    expect(h.sim.stats.calls.CreateCredentialInfo).toBe(1);
    expect(h.sim.stats.count()).toBe(1);
    const explicit = await ok('createCredential', { projectId: h.sim.credentials.projectId });
    expect(explicit.credential?.cdKey).not.toBe(result.credential?.cdKey);
  });
});

describe('the loaders of the request see the write', () => {
  it('a payload after an earlier read of the same cluster shows the new status and job', async () => {
    const target = await cluster(h, 'rag-embed-cache-01');
    const result = await h.gql(AuthorizeThenExpandDocument, {
      authorize: { clusterId: target.id },
      expand: { clusterId: target.id, nodeNames: ['rag-node-extra-1'] },
    });
    expect(result.errors).toBeUndefined();
    const authorize = member(result.data!.authorizeCluster, 'AuthorizeClusterPayload');
    const expand = member(result.data!.expandCluster, 'ExpandClusterPayload');
    const jobIds = (jobs: { edges: { node: { id: string } | null }[] } | null | undefined) => jobs?.edges.map((e) => e.node?.id);
    // The first field loaded the cluster (RUNNING) and its job list before the write ...
    expect(authorize.cluster?.status).toBe('RUNNING');
    // ... the second sees the cluster and its jobs after it.
    expect(expand.cluster?.status).toBe('EXPANDING');
    expect(expand.job?.cluster?.status).toBe('EXPANDING');
    expect(jobIds(expand.cluster?.jobs)).toContain(expand.job?.id);
    expect(jobIds(authorize.cluster?.jobs)).not.toContain(expand.job?.id);
  });
});
