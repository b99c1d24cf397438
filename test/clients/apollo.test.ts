import { readFile } from 'node:fs/promises';
import { ApolloClient, HttpLink, InMemoryCache, gql } from '@apollo/client';
import { relayStylePagination } from '@apollo/client/utilities';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startHarness, type Harness } from '../fixtures/harness.js';

/**
 * Apollo Client 4's normalized cache against the gateway over real HTTP, configured as the README
 * says: the shipped schema/possible-types.json, relayStylePagination for connections.
 */

const possibleTypes = (JSON.parse(await readFile(new URL('../../schema/possible-types.json', import.meta.url), 'utf8')) as {
  possibleTypes: Record<string, string[]>;
}).possibleTypes;

const FLEET = gql`
  query ApolloFleet($first: Int!, $after: String) {
    clusters(first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        cursor
        node {
          id
          name
          status
          release {
            id
            version
            preferred
          }
        }
      }
    }
  }
`;

const CATALOG = gql`
  query ApolloCatalog {
    releases(first: 100) {
      edges {
        node {
          id
          version
          tag
        }
      }
    }
    features(first: 100) {
      edges {
        node {
          id
          name
          enabled
        }
      }
    }
    credentials {
      id
      projectId
      createdAt
    }
  }
`;

const CREATE = gql`
  mutation ApolloCreate($input: CreateClusterInput!) {
    createCluster(input: $input) {
      __typename
      ... on CreateClusterPayload {
        clusterId
      }
      ... on Error {
        code
        message
      }
      ... on ValidationError {
        fields {
          field
          message
        }
      }
    }
  }
`;

const CANCEL = gql`
  mutation ApolloCancel($input: CancelJobsInput!) {
    cancelJobs(input: $input) {
      __typename
      ... on CancelJobsPayload {
        cancelled
      }
      ... on Error {
        code
        message
      }
    }
  }
`;

let h: Harness;
// Collected (not printed): each test expects none, but the last, which shows what Apollo says without possibleTypes.
const warnings = vi.spyOn(console, 'warn').mockImplementation(() => {});
const errors = vi.spyOn(console, 'error').mockImplementation(() => {});

beforeAll(async () => {
  h = await startHarness({ sim: { clockSpeed: 0 } });
});
afterAll(async () => {
  await h?.close();
  warnings.mockRestore();
  errors.mockRestore();
});
afterEach(() => {
  // Apollo warns (in development builds) when it must drop cached data, e.g. objects without an id.
  expect([...warnings.mock.calls, ...errors.mock.calls].map((args) => args.map(String).join(' '))).toEqual([]);
  warnings.mockClear();
  errors.mockClear();
});

function client(options: { possibleTypes?: Record<string, string[]> } = { possibleTypes }) {
  return new ApolloClient({
    link: new HttpLink({ uri: h.url, headers: { 'x-auth-token': h.token } }),
    cache: new InMemoryCache({
      ...options,
      typePolicies: { Query: { fields: { clusters: relayStylePagination(['status']) } } },
    }),
  });
}

describe('Apollo Client InMemoryCache with the shipped possibleTypes', () => {
  it('merges a page walk of clusters into one list', async () => {
    const apollo = client();
    let after: string | null = null;
    let pages = 0;
    type Page = { clusters: { pageInfo: { hasNextPage: boolean; endCursor: string | null } } };
    do {
      const result: { data?: unknown } = await apollo.query({ query: FLEET, variables: { first: 6, after }, fetchPolicy: 'network-only' });
      const page = (result.data as Page).clusters;
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
      pages++;
    } while (after && pages < 10);
    const merged = apollo.readQuery<{ clusters: { totalCount: number; edges: { node: { id: string; name: string } }[] } }>({
      query: FLEET,
      variables: { first: 6 },
    })!;
    expect(pages).toBe(Math.ceil(merged.clusters.totalCount / 6));
    expect(merged.clusters.edges).toHaveLength(merged.clusters.totalCount);
    expect(new Set(merged.clusters.edges.map((e) => e.node.id)).size).toBe(merged.clusters.totalCount);
    // Releases are normalized by id: one entry per version, shared by every cluster on it.
    const releases = Object.keys(apollo.cache.extract() as Record<string, unknown>).filter((key) => key.startsWith('Release:'));
    expect(releases.length).toBeGreaterThan(1);
    expect(releases.length).toBeLessThan(merged.clusters.totalCount);
  });

  it('caches releases, features and credentials by id, without warnings', async () => {
    const apollo = client();
    await apollo.query({ query: CATALOG });
    const keys = Object.keys(apollo.cache.extract() as Record<string, unknown>);
    for (const type of ['Release', 'Feature', 'Credential']) expect(keys.some((k) => k.startsWith(`${type}:`)), type).toBe(true);
    // A second read is served from the cache: nothing goes upstream.
    h.sim.stats.reset();
    await apollo.query({ query: CATALOG });
    expect(h.sim.stats.count()).toBe(0);
  });

  it('reads `... on Error { code message }` of a mutation result', async () => {
    const apollo = client();
    const created = await apollo.mutate({ mutation: CREATE, variables: { input: { name: 'ok-name', k8s: { k8sClusterId: crypto.randomUUID(), nodeCount: 2 } } } });
    expect((created.data as { createCluster: unknown }).createCluster).toEqual({
      __typename: 'ValidationError',
      code: 'VALIDATION_FAILED',
      message: expect.stringContaining('k8s.nodeCount'),
      fields: [{ __typename: 'FieldError', field: 'k8s.nodeCount', message: expect.stringMatching(/at least 3/) }],
    });
    const cancelled = await apollo.mutate({ mutation: CANCEL, variables: { input: { jobIds: ['no such id'] } } });
    expect((cancelled.data as { cancelJobs: unknown }).cancelJobs).toMatchObject({ __typename: 'ValidationError', code: 'VALIDATION_FAILED' });
  });

  it('(without possibleTypes, the same fragment on Error reads nothing: what the shipped file is for)', async () => {
    const apollo = client({});
    const created = await apollo.mutate({ mutation: CREATE, variables: { input: { name: 'ok-name', k8s: { k8sClusterId: crypto.randomUUID(), nodeCount: 2 } } } });
    const value = (created.data as { createCluster: Record<string, unknown> }).createCluster;
    expect(value.__typename).toBe('ValidationError');
    expect(value.code).toBeUndefined();
    expect(warnings.mock.calls.map(String).join('\n')).toMatch(/missing `possibleTypes` entry/);
    warnings.mockClear();
    errors.mockClear();
  });
});
