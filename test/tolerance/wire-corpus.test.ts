import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { DEVIATION_KINDS } from '../../src/ems/read/index.js';
import { fixture, startFixtureServer, type FixtureServer } from '../fixtures/ems-fixtures.js';
import { subscribeSse, until } from '../subscriptions/live-helpers.js';
import { ClusterStatusDocument, JobProgressDocument } from '../generated/graphql.js';

/**
 * The gateway against hand-written EMS answers (test/fixtures/ems/*.json) that hold what the EMS
 * reference allows and what an evolving EMS may send: `""` times, real Kubernetes label sets,
 * unlisted statuses, absent and null optional objects, extra fields, numbers and booleans as
 * strings, and elements that cannot be read at all. Every read and write operation is run through
 * GraphQL; each test asserts the values and exactly where errors appear.
 */

const C1 = '5b0e4c1a-1f2d-4e3a-9b8c-7d6e5f4a3b21';
const C2 = '6c1f5d2b-2e3f-4f4b-8c9d-8e7f6a5b4c32';
const C3 = '7d2a6e3c-3f4a-4a5c-9dae-9f8a7b6c5d43';
const C6 = '8e3b7f4d-4a5b-4b6d-8ebf-aa9b8c7d6e54';
const C7 = '9f4c8a5e-5b6c-4c7e-9fca-bbacad8e7f65';
const K1 = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const PROJECT = '0f9e8d7c6b5a49382716f5e4d3c2b1a0';
const SHOWN_JOB = 'long-8c9d0e1f-2a3b-4c4d-8e5f-6a7b8c9d0e1f';
const J1 = 'ems-custom-3f1c2b4a-5d6e-4f70-8a9b-0c1d2e3f4a5b';
const J4 = 'short-1e2f3a4b';
const LONG_JOB = 'long-2d3e4f5a-6b7c-4d8e-9f0a-1b2c3d4e5f6a';

let ems: FixtureServer;
let app: App;
let url: string;

async function start(env: Record<string, string> = {}): Promise<{ app: App; url: string }> {
  const config = loadConfig({
    EMS_ENDPOINT: ems.url,
    EMS_PROJECT_ID: PROJECT,
    EMS_AUTH_TOKEN: 'fixture-token',
    GATEWAY_AUTH: 'none',
    AUDIT_LOG: 'off',
    EMS_MAX_RETRIES: '0',
    EMS_CIRCUIT_THRESHOLD: '0',
    LOG_LEVEL: 'silent',
    ...env,
  });
  const built = await buildApp(config, { logger: pino({ level: 'silent' }) });
  return { app: built, url: await built.start(0, '127.0.0.1') };
}

beforeAll(async () => {
  ems = await startFixtureServer();
  ({ app, url } = await start());
});
afterAll(async () => {
  await app?.stop();
  await ems?.close();
});
afterEach(() => ems.reset());

interface Result {
  data?: any;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
}

async function gql(query: string, variables?: Record<string, unknown>, at = url): Promise<Result> {
  const res = await fetch(at, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
  return (await res.json()) as Result;
}

/** The errors of a result as `path → code`, in path order. */
function errorsAt(result: Result): Record<string, string> {
  return Object.fromEntries((result.errors ?? []).map((e) => [(e.path ?? []).join('.'), String(e.extensions?.code)]));
}

const bad = (path: (string | number)[], message: RegExp) =>
  expect.objectContaining({
    path,
    message: expect.stringMatching(message),
    extensions: expect.objectContaining({ code: 'UPSTREAM_BAD_RESPONSE', requestId: expect.stringMatching(/^fx-\d+$/), retryable: false }),
  });

/** The result's errors in path order (fields resolve concurrently, so errors arrive in any order). */
function sortedErrors(result: Result) {
  const key = (e: { path?: (string | number)[] }) => (e.path ?? []).map((p) => (typeof p === 'number' ? String(p).padStart(4, '0') : p)).join('.');
  return [...(result.errors ?? [])].sort((a, b) => (key(a) < key(b) ? -1 : 1));
}

const CLUSTER_FIELDS = `id name description status statusText reason projectId createdAt updatedAt k8sName availableNodeCount chargeMode
  k8s { k8sClusterId namespace label { key value } nodeCount flavor version ltsEnabled ltsConnectType monitorEnabled nodeType }
  memory { hugePageCount hugePageSizeMb totalBytes }`;

describe('ListClusters', () => {
  it('reads every cluster it can, element by element, and puts an error on the path of each one it cannot', async () => {
    const result = await gql(`{ clusters(first: 10) { edges { cursor node { ${CLUSTER_FIELDS} } } pageInfo { hasNextPage } } }`);
    const edges = result.data.clusters.edges;
    expect(edges).toHaveLength(7);
    expect(result.data.clusters.pageInfo.hasNextPage).toBe(false);
    expect(edges.every((e: any) => typeof e.cursor === 'string')).toBe(true);
    const nodes = edges.map((e: any) => e.node);

    // As the reference describes it.
    expect(nodes[0]).toEqual({
      id: C1,
      name: 'kvcache-prod-01',
      description: 'KV cache for the chat service',
      status: 'RUNNING',
      statusText: 'RUNNING',
      reason: 'Available',
      projectId: PROJECT,
      createdAt: '2025-11-02T08:15:00Z',
      updatedAt: '2026-01-20T16:40:12Z',
      k8sName: 'cce-prod-a',
      availableNodeCount: 16,
      chargeMode: 'PAY_PER_USE',
      k8s: {
        k8sClusterId: K1,
        namespace: 'ems-system',
        label: { key: 'ems', value: 'true' },
        nodeCount: 16,
        flavor: 'c7.16xlarge.4',
        version: '25.12.0',
        ltsEnabled: true,
        ltsConnectType: 'LOGAGENT',
        monitorEnabled: true,
        nodeType: 0,
      },
      memory: { hugePageCount: 262144, hugePageSizeMb: 2, totalBytes: 262144 * 2 * 2 ** 20 },
    });
    // An unlisted status, numbers and booleans as strings, a time with an offset, extra fields.
    expect(nodes[1]).toMatchObject({
      id: C2,
      status: 'UNKNOWN',
      statusText: 'HIBERNATING',
      createdAt: '2025-12-01T01:00:00Z',
      availableNodeCount: 0,
      chargeMode: 'PAY_PER_USE',
      k8s: { label: { key: 'node.kubernetes.io/instance-type', value: 'c7.8xlarge.4' }, nodeCount: 8, ltsEnabled: true, ltsConnectType: 'ICAGENT', monitorEnabled: false, nodeType: 0 },
      memory: { hugePageCount: 131072, hugePageSizeMb: 2 },
    });
    // `""`, null and absent alike: a null memory specification, no node label, an empty time.
    expect(nodes[2]).toEqual({
      id: C3,
      name: 'kvcache-canary-03',
      description: null,
      status: 'CREATING',
      statusText: 'CREATING',
      reason: null,
      projectId: null,
      createdAt: '2026-01-21T10:00:00Z',
      updatedAt: null,
      k8sName: null,
      availableNodeCount: 0,
      chargeMode: null,
      k8s: { k8sClusterId: K1, namespace: null, label: null, nodeCount: 3, flavor: null, version: '25.12.0', ltsEnabled: null, ltsConnectType: null, monitorEnabled: null, nodeType: null },
      memory: null,
    });
    // Values that cannot be read null their field alone.
    expect(nodes[5]).toMatchObject({
      id: C6,
      name: '12345',
      createdAt: null,
      updatedAt: null,
      k8sName: '42',
      availableNodeCount: null,
      chargeMode: null,
      k8s: { label: null, nodeCount: 4, ltsConnectType: null, monitorEnabled: null },
      memory: { hugePageCount: null, hugePageSizeMb: 2, totalBytes: null },
    });
    // No id, not an object, no name: the node is null, the error says where and why.
    expect(nodes[3]).toBeNull();
    expect(nodes[4]).toBeNull();
    expect(nodes[6]).toBeNull();
    expect(sortedErrors(result)).toEqual([
      bad(['clusters', 'edges', 3, 'node'], /^EMS ListClusters sent clusters\[3\] without a readable cluster_metadata\.id$/),
      bad(['clusters', 'edges', 4, 'node'], /^EMS ListClusters sent clusters\[4\] that is not a JSON object$/),
      bad(['clusters', 'edges', 6, 'node', 'name'], new RegExp(`^EMS ListClusters sent cluster ${C7} without a readable cluster_specification.name$`)),
    ]);
    expect(ems.calls).toEqual({ ListClusters: 1 });
  });

  it('filters by status, UNKNOWN included, leaving out what cannot be read', async () => {
    const result = await gql('{ clusters(first: 10, status: [UNKNOWN, CREATING]) { totalCount edges { node { id status statusText } } } }');
    expect(result.errors).toBeUndefined();
    expect(result.data.clusters).toEqual({
      totalCount: 2,
      edges: [{ node: { id: C2, status: 'UNKNOWN', statusText: 'HIBERNATING' } }, { node: { id: C3, status: 'CREATING', statusText: 'CREATING' } }],
    });
  });
});

describe('ShowCluster and what hangs off a cluster', () => {
  it('reads an unlisted status and null parts, lists real Kubernetes labels, and nulls one field per failed part', async () => {
    const result = await gql(`query ($id: ID!) { cluster(id: $id) {
      id status statusText availableNodeCount updatedAt description
      k8s { ltsEnabled label { key } } memory { hugePageCount }
      labels { key value } release { version } jobs { totalCount edges { node { id type } } } } }`, { id: C1 });
    const c = result.data.cluster;
    expect(c).toMatchObject({ id: C1, status: 'UNKNOWN', statusText: 'MAINTENANCE', availableNodeCount: 15, updatedAt: null, description: null, memory: null });
    expect(c.k8s).toEqual({ ltsEnabled: false, label: null });
    const labels = fixture('list-labels.json').labels as { key?: string; value?: string | null }[];
    expect(c.labels).toEqual([
      { key: 'kubernetes.io/hostname', value: '192.168.0.12' },
      { key: 'topology.kubernetes.io/zone', value: 'cn-north-4a' },
      { key: 'node-role.kubernetes.io/worker', value: '' },
      { key: labels[3]!.key, value: '' },
      { key: 'node.kubernetes.io/exclude-from-external-load-balancers', value: '' },
      null,
      { key: 'cce.cloud.com/cce-nodepool', value: 'kvcache-pool-a' },
      { key: 'ems', value: 'true' },
    ]);
    expect(labels[3]!.key).toHaveLength(253 + 1 + 63);
    // Its jobs: both lists, only readable jobs of this cluster, each of the type it was listed under.
    expect(c.jobs).toEqual({
      totalCount: 3,
      edges: [{ node: { id: J1, type: 'SHORT' } }, { node: { id: J4, type: 'SHORT' } }, { node: { id: LONG_JOB, type: 'LONG' } }],
    });
    // 25.12.0 is not among the releases EMS could be read for, and one of them cannot be read: it may be that one.
    expect(c.release).toBeNull();
    expect(sortedErrors(result)).toEqual([
      bad(['cluster', 'labels', 5], /^EMS ListClustersLabels sent labels\[5\] without a readable key$/),
      bad(['cluster', 'release'], /^EMS ListReleases sent releases\[2\] without a readable version$/),
    ]);
    expect(ems.calls).toEqual({ ShowCluster: 1, ListClustersLabels: 1, ListReleases: 1, ListJobs: 2 });
  });

  it('costs one ShowCluster for each id a list with unreadable elements does not hold', async () => {
    const result = await gql(`{ a: cluster(id: "${C1}") { id } b: cluster(id: "${C2}") { id } c: cluster(id: "${C3}") { id } d: cluster(id: "00000000-0000-4000-8000-000000000001") { id } }`);
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ a: { id: C1 }, b: { id: C2 }, c: { id: C3 }, d: null });
    expect(ems.calls).toEqual({ ListClusters: 1, ShowCluster: 1 });
  });

  it('falls back to one ShowCluster per id when the list cannot be read at all', async () => {
    ems.answer('ListClusters', { status: 200, body: '{"clusters": "temporarily unavailable"}' });
    const result = await gql(`{ a: cluster(id: "${C1}") { id statusText } b: cluster(id: "${C2}") { id } c: cluster(id: "${C3}") { id } d: cluster(id: "${C6}") { id } }`);
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ a: { id: C1, statusText: 'MAINTENANCE' }, b: { id: C2 }, c: { id: C3 }, d: { id: C6 } });
    expect(ems.calls).toEqual({ ListClusters: 1, ShowCluster: 4 });
  });

  it('keeps the fallback within the call budget (MAX_UPSTREAM_CALLS)', async () => {
    const budget = await start({ MAX_UPSTREAM_CALLS: '3' });
    try {
      ems.answer('ListClusters', { status: 200, body: '{"clusters": 7}' });
      const result = await gql(`{ a: cluster(id: "${C1}") { id } b: cluster(id: "${C2}") { id } c: cluster(id: "${C3}") { id } d: cluster(id: "${C6}") { id } }`, undefined, budget.url);
      expect(result.data).toEqual({ a: { id: C1 }, b: { id: C2 }, c: null, d: null });
      expect(errorsAt(result)).toEqual({ c: 'UPSTREAM_CALL_BUDGET_EXCEEDED', d: 'UPSTREAM_CALL_BUDGET_EXCEEDED' });
      expect(ems.calls).toEqual({ ListClusters: 1, ShowCluster: 2 });
    } finally {
      await budget.app.stop();
    }
  });
});

describe('ListJobs and ShowJob', () => {
  it('reads "" and null times as null, numbers as strings, unlisted statuses and extra fields; errors sit on the element or field that cannot be read', async () => {
    const result = await gql(`{ jobs(type: SHORT, first: 10) { edges { node {
      id type name status statusText progress message createdAt beginAt endAt clusterId
      tasks { id status statusText message beginAt endAt } } } } }`);
    const nodes = result.data.jobs.edges.map((e: any) => e.node);
    expect(nodes).toHaveLength(5);
    expect(nodes[0]).toEqual({
      id: J1,
      type: 'SHORT',
      name: 'ExpandCluster',
      status: 'RUNNING',
      statusText: 'RUNNING',
      progress: 45.5,
      message: null,
      createdAt: '2026-01-21T10:00:00Z',
      beginAt: '2026-01-21T10:00:01Z',
      endAt: null,
      clusterId: C1,
      tasks: [
        { id: 'short-a1', status: 'COMPLETED', statusText: 'COMPLETED', message: 'Check and label the new nodes', beginAt: '2026-01-21T10:00:01Z', endAt: '2026-01-21T10:00:05Z' },
        { id: 'short-a2', status: 'RUNNING', statusText: 'RUNNING', message: 'Deploy EMS on the new nodes', beginAt: '2026-01-21T10:00:05Z', endAt: null },
        { id: 'short-a3', status: 'INIT', statusText: 'INIT', message: 'Rebalance the memory pool', beginAt: null, endAt: null },
        null,
      ],
    });
    expect(nodes[1]).toEqual({
      id: 'short-7a8b9c0d',
      type: 'SHORT',
      name: 'HibernateCluster',
      status: 'UNKNOWN',
      statusText: 'PAUSED',
      progress: 12.5,
      message: null,
      createdAt: '2026-01-21T02:00:00Z',
      beginAt: null,
      endAt: null,
      clusterId: C2,
      tasks: [],
    });
    expect(nodes.slice(2)).toEqual([null, null, null]);
    expect(sortedErrors(result)).toEqual([
      bad(['jobs', 'edges', 0, 'node', 'tasks', 3], /^EMS ListJobs sent jobs\[0\]\.task_list\[3\] without a readable id$/),
      bad(['jobs', 'edges', 2, 'node'], /^EMS ListJobs sent jobs\[2\] without a readable id$/),
      bad(['jobs', 'edges', 3, 'node', 'name'], /^EMS ListJobs sent job short-9c0d1e2f without a readable name$/),
      bad(['jobs', 'edges', 4, 'node', 'progress'], /^EMS ListJobs sent job short-1e2f3a4b without a readable progress$/),
    ]);
  });

  it('reads a job the reference way ("" until begun or ended), with its type from its id', async () => {
    const result = await gql(`query ($id: ID!) { job(id: $id) { id type status progress beginAt endAt tasks { id beginAt endAt } cluster { id statusText } } }`, { id: SHOWN_JOB });
    expect(result.errors).toBeUndefined();
    expect(result.data.job).toEqual({
      id: SHOWN_JOB,
      type: 'LONG',
      status: 'INIT',
      progress: 0,
      beginAt: null,
      endAt: null,
      tasks: [
        { id: 'long-s1', beginAt: null, endAt: null },
        { id: 'long-s2', beginAt: null, endAt: null },
      ],
      cluster: { id: C1, statusText: 'MAINTENANCE' },
    });
  });

  it('falls back to one ShowJob per id when the list cannot be read', async () => {
    ems.answer('ListJobs', { status: 200, body: '{"jobs": {"items": []}}' });
    const ids = [J1, J4, 'short-7a8b9c0d', 'short-0000gone'];
    const result = await gql(`{ ${ids.map((id, i) => `j${i}: job(id: "${id}") { id status }`).join(' ')} }`);
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ j0: { id: J1, status: 'RUNNING' }, j1: { id: J4, status: 'FAILED' }, j2: { id: 'short-7a8b9c0d', status: 'UNKNOWN' }, j3: null });
    expect(ems.calls).toEqual({ ListJobs: 1, ShowJob: 4 });
  });

  it('an ems-custom- job read by id is SHORT, as it is listed', async () => {
    const result = await gql(`{ listed: jobs(type: SHORT, first: 1) { edges { node { id type } } } byId: job(id: "${J1}") { id type } }`);
    expect(result.data.listed.edges[0].node).toEqual({ id: J1, type: 'SHORT' });
    expect(result.data.byId).toEqual({ id: J1, type: 'SHORT' });
  });
});

describe('releases, features, labels, credentials', () => {
  it('releases: a total sent as a string, null and empty tags, a version with no request-side pattern, one without a version', async () => {
    const result = await gql('{ releases(first: 10) { totalCount edges { node { version tag description preferred } } pageInfo { hasNextPage } } }');
    expect(result.data.releases).toEqual({
      totalCount: 4,
      edges: [
        { node: { version: '25.6.0', tag: null, description: 'First commercial release', preferred: false } },
        { node: { version: '25.9.0', tag: null, description: null, preferred: false } },
        { node: null },
        { node: { version: '25.12.0 (build 7)', tag: 'PREFERRED_VERSION', description: 'Preferred', preferred: true } },
      ],
      pageInfo: { hasNextPage: false },
    });
    expect(sortedErrors(result)).toEqual([bad(['releases', 'edges', 2, 'node'], /^EMS ListReleases sent releases\[2\] without a readable version$/)]);
  });

  it('features: switches as strings, values as numbers, one without a name, one without a switch', async () => {
    const result = await gql('{ features(first: 10) { totalCount projectId edges { node { name enabled type value description } } } }');
    expect(result.data.features).toEqual({
      totalCount: 4,
      projectId: PROJECT,
      edges: [
        { node: { name: 'feature.gates.batch_create_v2_loadbalancers_amount', enabled: true, type: 'INT', value: '10', description: null } },
        { node: { name: 'feature.gates.enroll_cluster', enabled: true, type: 'BOOLEAN', value: 'true', description: null } },
        { node: null },
        { node: null },
      ],
    });
    expect(sortedErrors(result)).toEqual([
      bad(['features', 'edges', 2, 'node'], /^EMS ListFeatures sent features\[2\] without a readable feature name$/),
      bad(['features', 'edges', 3, 'node', 'enabled'], /^EMS ListFeatures sent feature feature\.gates\.kvcache_ssd_tiering without a readable switch$/),
    ]);
  });

  it('clusterLabels: prefixed keys, empty and null values, one without a key', async () => {
    const result = await gql(`{ clusterLabels(k8sClusterId: "${K1}") { key value } }`);
    expect(result.data.clusterLabels).toHaveLength(8);
    expect(result.data.clusterLabels[4]).toEqual({ key: 'node.kubernetes.io/exclude-from-external-load-balancers', value: '' });
    expect(result.data.clusterLabels[5]).toBeNull();
    expect(sortedErrors(result)).toEqual([bad(['clusterLabels', 5], /^EMS ListClustersLabels sent labels\[5\] without a readable key$/)]);
  });

  it('credentials: epoch times as strings, a cdKey outside the request-side pattern, one without a cdKey, one without a project', async () => {
    const result = await gql('{ credentials { projectId cdKey createdAt } }');
    expect(result.data.credentials).toEqual([
      { projectId: PROJECT, cdKey: 'Zx8Kq2Lm5Np7Rt9Vw1Yb3Dc6Fg0Hj4Sa', createdAt: '2025-01-01T00:00:00Z' },
      { projectId: PROJECT, cdKey: 'short-key', createdAt: '2025-01-21T08:00:00Z' },
      null,
      null,
    ]);
    expect(sortedErrors(result)).toEqual([
      expect.objectContaining({ path: ['credentials', 2], message: 'EMS ShowCredentialInfo sent [2] without a readable cdKey' }),
      expect.objectContaining({ path: ['credentials', 3, 'projectId'], message: 'EMS ShowCredentialInfo sent a credential without a readable projectId' }),
    ]);
    // Nothing of a credential body is quoted in an error.
    expect(JSON.stringify(result.errors)).not.toContain('Pq3Rs4');
  });
});

const CREATE = `mutation ($input: CreateClusterInput!) { createCluster(input: $input) { __typename
  ... on CreateClusterPayload { jobId clusterId replayed job { id type status beginAt tasks { id } } cluster { id statusText } }
  ... on Error { code message } } }`;
const createInput = { name: 'kvcache-new-01', k8s: { k8sClusterId: K1 } };

describe('writes: read minimally, accepted once EMS answered 2xx', () => {
  it('createCluster returns the ids EMS gave, the job as ShowJob reads it and the cluster', async () => {
    const result = await gql(CREATE, { input: createInput });
    expect(result.errors).toBeUndefined();
    expect(result.data.createCluster).toEqual({
      __typename: 'CreateClusterPayload',
      jobId: SHOWN_JOB,
      clusterId: C1,
      replayed: false,
      job: { id: SHOWN_JOB, type: 'LONG', status: 'INIT', beginAt: null, tasks: [{ id: 'long-s1' }, { id: 'long-s2' }] },
      cluster: { id: C1, statusText: 'MAINTENANCE' },
    });
    expect(ems.calls).toEqual({ CreateCluster: 1, ShowJob: 1, ShowCluster: 1 });
  });

  it('createCluster answered 202 without ids, or with a body that is not JSON, is still a payload: the ids are null with errors on their paths', async () => {
    for (const answer of ['create-cluster-without-ids.json', { status: 202, body: '{"job_id": "long-' }] as const) {
      ems.reset();
      ems.answer('CreateCluster', answer);
      const result = await gql(CREATE, { input: createInput });
      expect(result.data.createCluster).toEqual({ __typename: 'CreateClusterPayload', jobId: null, clusterId: null, replayed: false, job: null, cluster: null });
      expect(sortedErrors(result)).toEqual([
        bad(['createCluster', 'clusterId'], /^EMS CreateCluster sent a 2xx answer \(the write was accepted\) (with no readable cluster_id|whose body cannot be read: EMS CreateCluster returned malformed JSON)/),
        bad(['createCluster', 'jobId'], /^EMS CreateCluster sent a 2xx answer \(the write was accepted\) (with no readable job_id|whose body cannot be read: EMS CreateCluster returned malformed JSON)/),
      ]);
      expect(ems.calls).toEqual({ CreateCluster: 1 });
    }
  });

  it('enroll, expand, shrink, delete and authorize return their payloads from minimal answers with extra fields', async () => {
    const ops = [
      ['enrollCluster', 'EnrollClusterInput', { name: 'kvcache-enrolled-01', k8s: { k8sClusterId: K1, namespace: 'ems-system' } }],
      ['expandCluster', 'ExpandClusterInput', { clusterId: C1, nodeNames: ['node-17'] }],
      ['shrinkCluster', 'ShrinkClusterInput', { clusterId: C1, nodeNames: ['node-16'] }],
      ['deleteCluster', 'DeleteClusterInput', { clusterId: C1 }],
    ] as const;
    for (const [name, type, input] of ops) {
      const result = await gql(`mutation ($input: ${type}!) { ${name}(input: $input) { __typename ... on Error { code } ... on ${name[0]!.toUpperCase()}${name.slice(1)}Payload { jobId clusterId job { id } } } }`, { input });
      expect(result.errors, name).toBeUndefined();
      expect(result.data[name], name).toMatchObject({ jobId: SHOWN_JOB, clusterId: C1, job: { id: SHOWN_JOB } });
    }
    const authorized = await gql(`mutation { authorizeCluster(input: { clusterId: "${C1}" }) { __typename ... on AuthorizeClusterPayload { clusterId } } }`);
    expect(authorized.data.authorizeCluster).toEqual({ __typename: 'AuthorizeClusterPayload', clusterId: C1 });
  });

  it('cancelJobs reads failed_ids, or when EMS sends none, what its row counts say for certain', async () => {
    const cancel = `mutation ($ids: [ID!]!) { cancelJobs(input: { jobIds: $ids }) { __typename ... on CancelJobsPayload { cancelled failed } } }`;
    const ids = [J1, 'short-7a8b9c0d'];
    expect((await gql(cancel, { ids })).data.cancelJobs).toEqual({ __typename: 'CancelJobsPayload', cancelled: [J1], failed: ['short-7a8b9c0d'] });
    ems.answer('CancelJobs', 'cancel-jobs-without-ids.json');
    expect((await gql(cancel, { ids })).data.cancelJobs).toEqual({ __typename: 'CancelJobsPayload', cancelled: ids, failed: [] });
  });

  it('createCredential reads the credential EMS answered, its time sent as a string; without a cdKey the payload still arrives', async () => {
    const create = 'mutation { createCredential(input: {}) { __typename ... on CreateCredentialPayload { replayed credential { projectId cdKey createdAt } } } }';
    const result = await gql(create);
    expect(result.errors).toBeUndefined();
    expect(result.data.createCredential.credential).toEqual({ projectId: PROJECT, cdKey: 'Nm3Bv5Cx7Zl9Kj1Hg3Fd5Sa7Qw9Er1Ty', createdAt: '2025-01-21T09:00:00Z' });
    ems.answer('CreateCredentialInfo', { status: 200, body: JSON.stringify({ projectId: PROJECT, createAt: 1 }) });
    const without = await gql(create);
    expect(without.data.createCredential).toEqual({ __typename: 'CreateCredentialPayload', replayed: false, credential: null });
    expect(sortedErrors(without)).toEqual([bad(['createCredential', 'credential'], /^EMS CreateCredentialInfo sent a 2xx answer \(the write was accepted\) with no readable cdKey$/)]);
  });
});

describe('subscriptions on the same answers', () => {
  it('jobProgress and clusterStatus emit the states ShowJob and ShowCluster answers read to', async () => {
    const job = subscribeSse(url, null, JobProgressDocument, { id: SHOWN_JOB });
    const cluster = subscribeSse(url, null, ClusterStatusDocument, { id: C1 });
    try {
      await until(() => job.values.length === 1 && cluster.values.length === 1, 5_000, 'the first state of both');
      expect(job.values[0]).toMatchObject({ id: SHOWN_JOB, type: 'LONG', status: 'INIT', progress: 0, beginAt: null, endAt: null });
      expect(cluster.values[0]).toEqual({ id: C1, name: 'kvcache-prod-01', status: 'UNKNOWN', reason: 'Rolling the data plane', availableNodeCount: 15 });
      expect([...job.results, ...cluster.results].every((r) => r.errors === undefined)).toBe(true);
    } finally {
      job.dispose();
      cluster.dispose();
    }
  });
});

describe('operators see drift', () => {
  it('counts every tolerated deviation in /metrics by operation, field and kind; every kind occurs in this corpus', async () => {
    const metrics = await (await fetch(new URL('/metrics', url))).text();
    const lines = metrics.split('\n').filter((l) => l.startsWith('ems_response_deviations_total{'));
    const kinds = new Set(lines.map((l) => /kind="([^"]+)"/.exec(l)?.[1]));
    expect([...kinds].sort()).toEqual([...DEVIATION_KINDS].sort());
    const count = (operation: string, field: string, kind: string) =>
      Number(lines.find((l) => l.startsWith(`ems_response_deviations_total{operation="${operation}",field="${field}",kind="${kind}"}`))?.split(' ')[1] ?? 0);
    expect(count('ListClusters', 'clusters[].cluster_metadata.status', 'unknown_enum')).toBeGreaterThanOrEqual(1);
    expect(count('ListClusters', 'clusters[]', 'bad_element')).toBeGreaterThanOrEqual(2);
    expect(count('ListJobs', 'jobs[].task_list[].end_at', 'empty_time')).toBeGreaterThanOrEqual(2);
    expect(count('ShowJob', 'end_at', 'empty_time')).toBeGreaterThanOrEqual(1);
    expect(count('ListClustersLabels', 'labels[].value', 'null_value')).toBeGreaterThanOrEqual(1);
    expect(count('CancelJobs', 'failed_ids', 'null_list')).toBeGreaterThanOrEqual(1);
  });
});
