import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../fixtures/harness.js';
import type { DocumentNode } from 'graphql';
import { WatchJobDocument } from '../generated/graphql.js';
import { cluster, mutate, newK8sClusterId, provisionedNodeNames, uniqueName } from './helpers.js';
import { member, MUTATIONS, type MutationField } from './operations.js';

/** Error paths: typed union members for what a client can act on, GraphQL errors for the rest. */

let h: Harness;
beforeAll(async () => {
  // EMS_MAX_RETRIES=2: reads are retried, writes must still be sent once.
  h = await startHarness({ sim: { clockSpeed: 0 }, env: { EMS_MAX_RETRIES: '2' } });
});
afterAll(async () => {
  await h?.close();
});
beforeEach(() => {
  h.sim.stats.reset();
});
afterEach(() => {
  h.sim.resetFaults();
});

describe('invalid input makes zero upstream calls', () => {
  const bad = 'not-a-uuid';
  const cases: [MutationField, Record<string, unknown>, string[]][] = [
    [
      'createCluster',
      { name: 'X', k8s: { k8sClusterId: bad, nodeCount: 1000 }, memory: { hugePageCount: 1 }, idempotencyKey: '' },
      ['name', 'k8s.k8sClusterId', 'k8s.nodeCount', 'memory.hugePageCount', 'idempotencyKey'],
    ],
    [
      'enrollCluster',
      { name: 'ok-name', clusterId: bad, k8s: { k8sClusterId: randomUUID(), namespace: 'ems', ltsConnectType: 'ICAGENT' }, ltsAccessConfigs: [bad] },
      ['clusterId', 'ltsAccessConfigs.0'],
    ],
    ['expandCluster', { clusterId: bad, nodeNames: ['n1', 'n1'] }, ['clusterId', 'nodeNames']],
    ['shrinkCluster', { clusterId: randomUUID(), nodeNames: [] }, ['nodeNames']],
    ['deleteCluster', { clusterId: bad }, ['clusterId']],
    ['authorizeCluster', { clusterId: '../../v1/jobs' }, ['clusterId']],
    ['cancelJobs', { jobIds: ['short-ok', 'job 2'] }, ['jobIds.1']],
    ['createCredential', { projectId: 'has-dash' }, ['projectId']],
  ];

  it.each(cases)('%s', async (name, input, fields) => {
    const value = member(await mutate(h, name, input as never), 'ValidationError');
    expect(value.code).toBe('VALIDATION_FAILED');
    expect([...new Set(value.fields.map((f: { field: string }) => f.field))].sort()).toEqual([...fields].sort());
    for (const f of value.fields) {
      expect(f.path.slice(0, 1)).toEqual(['input']);
      expect(f.message.length).toBeGreaterThan(0);
    }
    expect(h.sim.stats.count()).toBe(0);
  });
});

describe('typed upstream errors', () => {
  it('NotFoundError for an unknown cluster (ems.00030005)', async () => {
    const id = randomUUID();
    for (const [name, input] of [
      ['expandCluster', { clusterId: id, nodeNames: ['n1'] }],
      ['deleteCluster', { clusterId: id }],
      ['authorizeCluster', { clusterId: id }],
    ] as const) {
      const value = member(await mutate(h, name, input as never), 'NotFoundError');
      expect(value).toMatchObject({ code: 'NOT_FOUND', upstreamCode: 'ems.00030005', resourceId: id });
      expect(value.requestId).toEqual(expect.any(String));
    }
  });

  it('DuplicateNameError for a taken name (ems.00030033)', async () => {
    const value = await mutate(h, 'createCluster', { name: 'kvcache-prod-01', k8s: { k8sClusterId: newK8sClusterId() } });
    expect(value).toMatchObject({
      __typename: 'DuplicateNameError',
      code: 'DUPLICATE_NAME',
      upstreamCode: 'ems.00030033',
      name: 'kvcache-prod-01',
      requestId: expect.any(String),
    });
    expect(h.sim.stats.calls.CreateCluster).toBe(1);
  });

  it('WrongStateError for expand of a cluster that is not running, and delete of one being deleted (ems.00030034)', async () => {
    const expanding = await cluster(h, 'kvcache-prod-04');
    expect(expanding.status).toBe('EXPANDING');
    const expand = member(await mutate(h, 'expandCluster', { clusterId: expanding.id, nodeNames: ['n-new-1'] }), 'WrongStateError');
    expect(expand).toMatchObject({ code: 'WRONG_STATE', upstreamCode: 'ems.00030034', currentStatus: 'EXPANDING' });
    expect(expand.message).toMatch(/not running/);

    const deleting = await cluster(h, 'kvcache-test-tmp');
    const del = await mutate(h, 'deleteCluster', { clusterId: deleting.id });
    expect(del).toMatchObject({ __typename: 'WrongStateError', currentStatus: 'DELETING', upstreamCode: 'ems.00030034' });
  });

  it('ForbiddenError for a read-only caller (403)', async () => {
    const target = await cluster(h, 'kvcache-prod-02');
    const readOnly = h.sim.credentials.readOnlyToken;
    const create = member(await mutate(h, 'createCluster', { name: uniqueName('ro'), k8s: { k8sClusterId: newK8sClusterId() } }, { token: readOnly }), 'ForbiddenError');
    expect(create).toMatchObject({ code: 'FORBIDDEN', requestId: expect.any(String) });
    expect(create.upstreamCode).toEqual(expect.any(String));
    const del = await mutate(h, 'deleteCluster', { clusterId: target.id }, { token: readOnly });
    expect(del.__typename).toBe('ForbiddenError');
    const cancel = await mutate(h, 'cancelJobs', { jobIds: ['short-x'] }, { token: readOnly });
    expect(cancel.__typename).toBe('ForbiddenError');
  });

  it('UpstreamValidationError when EMS refuses a body the gateway’s rules accept', async () => {
    // Shrinking a 3-node cluster would leave 2: common.00000400 (a range EMS checks on the result).
    const small = await cluster(h, 'kvcache-dev-01');
    const shrink = await mutate(h, 'shrinkCluster', { clusterId: small.id, nodeNames: provisionedNodeNames(small.name, 1) });
    expect(shrink).toMatchObject({ __typename: 'UpstreamValidationError', code: 'UPSTREAM_VALIDATION', upstreamCode: 'common.00000400' });

    // A node that already belongs to another cluster on the same CCE cluster: EMS.00004000.
    const other = await cluster(h, 'kvcache-prod-02');
    const taken = provisionedNodeNames('kvcache-prod-01', 1);
    const expand = member(await mutate(h, 'expandCluster', { clusterId: other.id, nodeNames: taken }), 'UpstreamValidationError');
    expect(expand).toMatchObject({ upstreamCode: 'EMS.00004000' });
    expect(expand.requestId).toEqual(expect.any(String));
  });

  it('UpstreamValidationError when the CCE cluster’s add-ons are too small (400 ems.00030002)', async () => {
    // The seeded development CCE cluster has the smallest CoreDNS flavor: at most 50 nodes.
    const dev = await cluster(h, 'kvcache-dev-01');
    const create = member(await mutate(h, 'createCluster', { name: uniqueName('big'), k8s: { k8sClusterId: dev.k8s.k8sClusterId, nodeCount: 60 } }), 'UpstreamValidationError');
    expect(create).toMatchObject({ upstreamCode: 'ems.00030002' });
    expect(create.message).toMatch(/CoreDNS/);
  });
});

describe('unexpected failures stay GraphQL errors with stable extensions', () => {
  it('401: UNAUTHENTICATED', async () => {
    const response = await h.gql(MUTATIONS.authorizeCluster, { input: { clusterId: randomUUID() } }, { token: h.sim.credentials.expiredToken });
    expect(response.data).toBeNull();
    expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', upstreamCode: 'common.01010018', retryable: false });
  });

  it('500 Failed to create cluster: UPSTREAM_ERROR with the EMS code', async () => {
    h.sim.setFaults({ createFailureRate: 1 });
    const response = await h.gql(MUTATIONS.createCluster, { input: { name: uniqueName('fails'), k8s: { k8sClusterId: newK8sClusterId() } } });
    expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_ERROR', upstreamCode: 'ems.00030002', requestId: expect.any(String) });
    expect(h.sim.stats.calls.CreateCluster).toBe(1);
  });

  it('nothing internal is sent', async () => {
    h.sim.setFaults({ errorRate: 1, operations: ['CreateCluster'] });
    const response = await h.gql(MUTATIONS.createCluster, { input: { name: uniqueName('x'), k8s: { k8sClusterId: newK8sClusterId() } } });
    const text = JSON.stringify(response.errors);
    expect(text).not.toContain(h.sim.credentials.token);
    expect(text).not.toMatch(/stack|at .*\.ts:/);
  });
});

describe('POST and DELETE are never retried once they may have reached EMS', () => {
  const writes = [
    ['createCluster', 'CreateCluster', async () => ({ name: uniqueName('retry'), k8s: { k8sClusterId: newK8sClusterId() } })],
    ['enrollCluster', 'EnrollCluster', async () => ({ name: uniqueName('retry'), k8s: { k8sClusterId: newK8sClusterId(), namespace: 'ems' } })],
    ['expandCluster', 'ExpandCluster', async () => ({ clusterId: (await cluster(h, 'qwen3-235b-kvcache')).id, nodeNames: ['retry-node'] })],
    ['shrinkCluster', 'ShrinkCluster', async () => ({ clusterId: (await cluster(h, 'qwen3-235b-kvcache')).id, nodeNames: provisionedNodeNames('qwen3-235b-kvcache', 1) })],
    ['deleteCluster', 'DeleteClusterById', async () => ({ clusterId: (await cluster(h, 'deepseek-r1-kvcache')).id })],
    ['authorizeCluster', 'AuthorizeCluster', async () => ({ clusterId: (await cluster(h, 'deepseek-r1-kvcache')).id })],
    ['cancelJobs', 'CancelJobs', async () => ({ jobIds: ['short-abc'] })],
    ['createCredential', 'CreateCredentialInfo', async () => ({})],
  ] as const;

  for (const fault of [
    { errorRate: 1, what: '503', code: 'UPSTREAM_UNAVAILABLE' },
    { resetRate: 1, what: 'connection reset', code: 'UPSTREAM_UNAVAILABLE' },
    { rateLimitRate: 1, what: '429', code: 'RATE_LIMITED' },
  ]) {
    it.each(writes)(`%s is sent once on ${fault.what}`, async (name, operation, input) => {
      const variables = { input: await input() };
      h.sim.stats.reset();
      const { what: _what, code, ...faults } = fault;
      h.sim.setFaults({ ...faults, retryAfterSeconds: 0, operations: [operation] });
      const response = await h.gql(MUTATIONS[name] as DocumentNode, variables);
      expect(response.errors?.[0]?.extensions).toMatchObject({ code, retryable: true });
      expect(h.sim.stats.calls[operation]).toBe(1);
    });
  }

  it('while a read (GET) is retried', async () => {
    h.sim.setFaults({ errorRate: 1, operations: ['ShowJob'] });
    const response = await h.gql(WatchJobDocument, { id: 'short-abc' });
    expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    expect(h.sim.stats.calls.ShowJob).toBe(3);
  });

  it('a write EMS accepted stays accepted when its job cannot be read: the payload has its ids, `job` is null with the error on its path', async () => {
    const target = await cluster(h, 'metrics-kvcache-01');
    h.sim.stats.reset();
    h.sim.setFaults({ errorRate: 1, operations: ['ShowJob'] });
    const response = await h.gql(MUTATIONS.expandCluster, { input: { clusterId: target.id, nodeNames: ['metrics-node-9'] } });
    expect(h.sim.stats.calls.ExpandCluster).toBe(1);
    const payload = member(response.data!.expandCluster, 'ExpandClusterPayload');
    expect(payload).toMatchObject({
      jobId: expect.stringMatching(/^ems-custom-/),
      clusterId: target.id,
      job: null,
      cluster: { id: target.id, status: 'EXPANDING' },
    });
    expect(response.errors).toHaveLength(1);
    expect(response.errors![0]!.path).toEqual(['expandCluster', 'job']);
    expect(response.errors![0]!.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', upstreamCode: 'APIGW.0201', retryable: true });
  });
});
