import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HARNESS_CLOCK_SPEED, startHarness, type Harness } from '../fixtures/harness.js';
import { subscribe, until, wsClient } from '../subscriptions/live-helpers.js';
import { ClusterStatusDocument, JobProgressDocument } from '../generated/graphql.js';

/**
 * The gateway against the simulator in `variant` wire mode (SIMULATOR_WIRE=variant): a live EMS
 * that sends unlisted statuses, numbers and booleans as strings, extra fields, null and absent
 * optional objects, null and absent times, real Kubernetes labels, and string totals, on every
 * operation and on every poll of a subscription.
 */
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ sim: { wire: 'variant' }, env: { POLL_ACTIVE_MS: '100', POLL_IDLE_MS: '500' } });
});
afterAll(async () => {
  await h?.close();
});

const NESTED = `query ($first: Int) { clusters(first: $first) { totalCount edges { node {
  id name status statusText availableNodeCount createdAt
  k8s { k8sClusterId nodeCount ltsEnabled ltsConnectType version label { key value } }
  memory { hugePageCount hugePageSizeMb totalBytes }
  labels { key value }
  release { version preferred }
  jobs { totalCount edges { node { id type status statusText progress beginAt endAt tasks { id status beginAt endAt } } } }
} } } }`;

describe('the simulator in variant mode', () => {
  it('clusters(first: 100) with jobs { tasks }, labels, release and memory: every cluster, without an error', async () => {
    const result = await h.gql(NESTED, { first: 100 });
    expect(result.errors).toBeUndefined();
    const clusters = result.data.clusters.edges.map((e: any) => e.node);
    expect(clusters).toHaveLength(20);
    expect(result.data.clusters.totalCount).toBe(20);
    for (const c of clusters) {
      expect(c.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(c.release?.version).toMatch(/^25\.\d+\.0$/);
      expect(c.labels.length).toBeGreaterThan(10);
      expect(c.jobs.totalCount).toBeGreaterThan(0);
      for (const { node: job } of c.jobs.edges) {
        expect(typeof job.progress).toBe('number');
        if (job.status === 'INIT') expect(job.beginAt).toBeNull();
        if (!['COMPLETED', 'FAILED', 'STOPPED', 'UNKNOWN'].includes(job.status)) expect(job.endAt).toBeNull();
      }
    }
    // The FREEZE cluster reports a status the schema does not list.
    const suspended = clusters.filter((c: any) => c.status === 'UNKNOWN');
    expect(suspended).toEqual([expect.objectContaining({ name: 'kvcache-arrears-01', statusText: 'SUSPENDED' })]);
    // Real Kubernetes labels: hostnames, empty values, a 253 + 1 + 63 character prefixed key.
    const labels = clusters.flatMap((c: any) => c.labels);
    expect(labels).toContainEqual({ key: 'kubernetes.io/hostname', value: expect.stringMatching(/-node-001$/) });
    expect(labels).toContainEqual({ key: 'node-role.kubernetes.io/worker', value: '' });
    expect(labels.some((l: any) => l.key.length === 317 && l.value === '')).toBe(true);
    // Numbers and booleans sent as strings, null memory specifications, unlisted codes.
    expect(clusters.some((c: any) => c.memory === null)).toBe(true);
    expect(clusters.some((c: any) => c.memory !== null && c.memory.totalBytes === c.memory.hugePageCount * c.memory.hugePageSizeMb * 2 ** 20)).toBe(true);
    expect(clusters.some((c: any) => c.k8s.label === null)).toBe(true);
    expect(clusters.every((c: any) => typeof c.k8s.nodeCount === 'number' && typeof c.k8s.ltsEnabled === 'boolean')).toBe(true);
    expect(clusters.some((c: any) => c.k8s.ltsConnectType === null)).toBe(true);
    // Old completed jobs EMS reports with a status the schema does not list.
    const jobs = clusters.flatMap((c: any) => c.jobs.edges.map((e: any) => e.node));
    expect(jobs.some((j: any) => j.status === 'UNKNOWN' && j.statusText === 'SUCCEEDED' && j.tasks.length === 0)).toBe(true);
  });

  it('createCluster returns its job, and jobProgress streams it to completion', async () => {
    // Held still while the payload is read, so the job is still INIT.
    h.sim.clock.setSpeed(0);
    const created = await h.gql(
      `mutation ($input: CreateClusterInput!) { createCluster(input: $input) { __typename
        ... on CreateClusterPayload { jobId clusterId job { id type status progress beginAt endAt tasks { id status beginAt } } cluster { id status } }
        ... on Error { code message } } }`,
      { input: { name: 'variant-create-01', k8s: { k8sClusterId: '3f0c2a4e-8b1d-4c6f-9a7e-5d2b1c0e9f8a' } } },
    );
    expect(created.errors).toBeUndefined();
    const payload = created.data.createCluster;
    expect(payload).toMatchObject({
      __typename: 'CreateClusterPayload',
      jobId: expect.stringMatching(/^long-/),
      clusterId: expect.any(String),
      job: { type: 'LONG', status: 'INIT', progress: 0, beginAt: null, endAt: null },
      cluster: { status: 'CREATING' },
    });
    expect(payload.job.id).toBe(payload.jobId);
    expect(payload.job.tasks.length).toBeGreaterThan(0);

    h.sim.clock.setSpeed(HARNESS_CLOCK_SPEED);
    const client = wsClient(h.url, h.token);
    const sub = subscribe(client, JobProgressDocument, { id: payload.jobId });
    await sub.done;
    expect(sub.error).toBeNull();
    expect(sub.completed).toBe(true);
    expect(sub.results.every((r) => r.errors === undefined)).toBe(true);
    expect(sub.values.at(-1)).toMatchObject({ status: 'COMPLETED', progress: 100, endAt: expect.any(String) });
    const progress = sub.values.map((j) => j.progress);
    expect([...progress].sort((a, b) => a - b)).toEqual(progress);
    await client.dispose();

    const cluster = await h.gql('query ($id: ID!) { cluster(id: $id) { status } }', { id: payload.clusterId });
    expect(cluster.data.cluster.status).toBe('RUNNING');
  });

  it('clusterStatus reads the unlisted status on every poll', async () => {
    const id = (await h.gql('{ clusters(first: 100, status: [UNKNOWN]) { edges { node { id } } } }')).data.clusters.edges[0].node.id;
    const client = wsClient(h.url, h.token);
    const sub = subscribe(client, ClusterStatusDocument, { id });
    await until(() => sub.values.length === 1, 5_000, 'the first state');
    expect(sub.values[0]).toMatchObject({ id, status: 'UNKNOWN' });
    expect(sub.results[0]!.errors).toBeUndefined();
    await client.dispose();
  });

  it('counts what it tolerated in /metrics', async () => {
    const metrics = await (await fetch(new URL('/metrics', h.url))).text();
    for (const line of [
      /^ems_response_deviations_total\{operation="ListClusters",field="clusters\[\]\.cluster_metadata\.status",kind="unknown_enum"\} \d+/m,
      /^ems_response_deviations_total\{operation="ListClusters",field="clusters\[\]\.cluster_specification\.memory_specification",kind="null_object"\} \d+/m,
      /^ems_response_deviations_total\{operation="ListClusters",field="clusters\[\]\.cluster_metadata\.available_node_count",kind="numeric_string"\} \d+/m,
      /^ems_response_deviations_total\{operation="ListJobs",field="jobs\[\]\.status",kind="unknown_enum"\} \d+/m,
      /^ems_response_deviations_total\{operation="ShowCluster",field="cluster_metadata\.status",kind="unknown_enum"\} \d+/m,
      /^ems_response_deviations_total\{operation="ListReleases",field="total",kind="numeric_string"\} \d+/m,
    ]) {
      expect(metrics).toMatch(line);
    }
  });
});
