import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../fixtures/harness.js';
import { DELETE_CLUSTER, apiKey } from './helpers.js';

const viewer = apiKey('dashboard', ['viewer']);
const operator = apiKey('ops-bot', ['operator']);
const admin = apiKey('root', ['admin']);

describe('GATEWAY_AUTH=apikey: roles viewer, operator, admin', () => {
  let h: Harness;
  let clusterId: string;
  beforeAll(async () => {
    h = await startHarness({
      env: { GATEWAY_AUTH: 'apikey', GATEWAY_API_KEYS: JSON.stringify([viewer.entry, operator.entry, admin.entry]) },
    });
    h.sim.seedClusters(5, { jobsPerCluster: 0 });
    const result = await h.gql('{ clusters(first: 1) { edges { node { id } } } }', undefined, { headers: { 'x-api-key': admin.key } });
    clusterId = result.data.clusters.edges[0].node.id;
  });
  afterAll(async () => {
    await h?.close();
  });

  const as = (key: string | null) => (key ? { headers: { 'x-api-key': key } } : {});

  it('refuses a request without a key, or with an unknown one, with 401 before any upstream call', async () => {
    h.sim.stats.reset();
    for (const key of [null, 'egk_not-a-key']) {
      const result = await h.gql('{ releases { totalCount } }', undefined, as(key));
      expect(result.status).toBe(401);
      expect(result.errors![0]!.extensions!.code).toBe('UNAUTHENTICATED');
    }
    expect(h.sim.stats.count()).toBe(0);
  });

  it('lets a viewer read, but not delete a cluster: ForbiddenError, nothing sent to EMS', async () => {
    expect((await h.gql('{ releases { totalCount } }', undefined, as(viewer.key))).errors).toBeUndefined();
    h.sim.stats.reset();
    const result = await h.gql(DELETE_CLUSTER, { id: clusterId }, as(viewer.key));
    expect(result.errors).toBeUndefined();
    expect(result.data.deleteCluster).toMatchObject({ __typename: 'ForbiddenError', code: 'FORBIDDEN' });
    expect(result.data.deleteCluster.message).toMatch(/apikey:dashboard may not use Mutation.deleteCluster: it needs the operator role/);
    expect(h.sim.stats.count()).toBe(0);
  });

  it('refuses credentials to an operator with a FORBIDDEN error, and serves them to an admin', async () => {
    h.sim.stats.reset();
    const refused = await h.gql('{ credentials { cdKey } }', undefined, as(operator.key));
    expect(refused.errors![0]!.extensions).toMatchObject({ code: 'FORBIDDEN' });
    // The caller id names the key (not a secret); the key itself never appears.
    expect(refused.errors![0]!.message).toBe('apikey:ops-bot may not use Query.credentials: it needs the admin role');
    const create = await h.gql('mutation { createCredential(input: {}) { __typename ... on Error { code } } }', undefined, as(operator.key));
    expect(create.data.createCredential).toEqual({ __typename: 'ForbiddenError', code: 'FORBIDDEN' });
    expect(h.sim.stats.count()).toBe(0);
    const allowed = await h.gql('{ credentials { projectId } }', undefined, as(admin.key));
    expect(allowed.errors).toBeUndefined();
  });

  it('lets an operator delete a cluster', async () => {
    const result = await h.gql(DELETE_CLUSTER, { id: clusterId }, as(operator.key));
    expect(result.data.deleteCluster.__typename).toBe('DeleteClusterPayload');
  });

  it('lets a viewer subscribe', async () => {
    const response = await fetch(h.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', 'x-api-key': viewer.key },
      body: JSON.stringify({ query: `subscription { clusterStatus(id: "${clusterId}") { id } }` }),
    });
    const reader = response.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    await reader.cancel();
    expect(response.status).toBe(200);
    expect(first).not.toContain('FORBIDDEN');
  });
});
