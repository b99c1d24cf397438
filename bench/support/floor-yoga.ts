/**
 * Child: the floor of a GraphQL gateway over EMS, for the two documents the benchmark sends and
 * nothing else. A bare graphql-yoga server (Yoga's defaults, no plugins; run with
 * NODE_ENV=production like the gateway) over a hand-written schema that covers exactly the fields of
 * CLUSTER_QUERY and NESTED_QUERY (bench/support/queries.ts), resolving from the simulator's JSON:
 *
 * - one undici Pool to EMS, keep-alive, as many connections as the gateway's EMS client (32);
 * - the caller's `x-auth-token` passed on, with the project id, as the gateway does with a token;
 * - the gateway's upstream plan and no more: `cluster(id)` is one ShowCluster; `clusters(first)` is
 *   one ListClusters (first + 1, as the gateway asks, to know whether a page follows), then, when
 *   the document selects them, the jobs of every listed cluster from the two ListJobs lists (short
 *   and long, pages of 1,000 until a short one) and the releases from one ListReleases, each
 *   fetched once per request and started in the same tick, so they run concurrently;
 * - every body parsed (undici's `body.json()`) and mapped once to plain objects with the schema's
 *   field names, served by graphql-js's default resolvers (only `Cluster.jobs` and `Cluster.release`
 *   have resolvers, to reach the request's lists); no reading rules, no tolerance of bad bodies, no
 *   limits, no metrics, no logging, no auth beyond passing the token on.
 *
 * It is what any GraphQL front has to do for these documents, so the gateway's cost over it is the
 * cost of what the gateway does besides.
 */
import { createSchema, createYoga } from 'graphql-yoga';
import { Pool } from 'undici';
import { serveGraphqlChild } from './child.js';

const EMS = process.env.EMS_ENDPOINT;
const PROJECT_ID = process.env.EMS_PROJECT_ID ?? '';
if (!EMS) throw new Error('floor-yoga needs EMS_ENDPOINT');

const typeDefs = /* GraphQL */ `
  type Query {
    cluster(id: ID!): Cluster
    clusters(first: Int): ClusterConnection!
  }
  type ClusterConnection { edges: [ClusterEdge!]! }
  type ClusterEdge { node: Cluster }
  enum ClusterStatus { CREATING RUNNING FREEZE EXPANDING SHRINKING DELETING DELETED UNKNOWN }
  type Cluster {
    id: ID!
    name: String!
    status: ClusterStatus!
    reason: String
    availableNodeCount: Int
    k8s: K8sClusterSpec!
    memory: MemorySpec
    jobs: JobConnection
    release: Release
  }
  type K8sClusterSpec { k8sClusterId: ID! version: String nodeCount: Int }
  type MemorySpec { hugePageCount: Int totalBytes: Float }
  type JobConnection { edges: [JobEdge!]! }
  type JobEdge { node: Job }
  enum JobStatus { INIT RUNNING STOPPED FAILED COMPLETED UNKNOWN }
  type Job { id: ID! status: JobStatus! progress: Float! tasks: [Task]! }
  type Task { id: ID! status: JobStatus! }
  type Release { version: String! }
`;

// The EMS wire, only as far as the documents read it.
type Wire = Record<string, any>;

const pool = new Pool(EMS, { connections: 32 });
const PAGE = 1000;

/** One EMS GET, its body parsed; a non-2xx answer is an error (its body is not read further). */
async function get(path: string, token: string): Promise<Wire> {
  const res = await pool.request({
    method: 'GET',
    path,
    headers: { accept: 'application/json', 'x-auth-token': token, 'x-project-id': PROJECT_ID },
  });
  const body = (await res.body.json()) as Wire;
  if (res.statusCode >= 300) throw new Error(`EMS answered GET ${path} with ${res.statusCode}`);
  return body;
}

function toCluster(w: Wire) {
  const meta = w.cluster_metadata;
  const spec = w.cluster_specification;
  const k8s = spec.k8s_cluster_specification;
  const memory = spec.memory_specification;
  return {
    id: meta.id as string,
    name: spec.name,
    status: meta.status,
    reason: meta.reason,
    availableNodeCount: meta.available_node_count,
    k8s: { k8sClusterId: k8s.k8s_cluster_id, version: k8s.version, nodeCount: k8s.node_count },
    memory: memory && { hugePageCount: memory.huge_page_num, totalBytes: memory.huge_page_num * memory.huge_page_flavor * 2 ** 20 },
  };
}

type Cluster = ReturnType<typeof toCluster>;

function toJob(w: Wire) {
  return { id: w.id, status: w.status, progress: w.progress, tasks: w.task_list };
}

/** Per request: the caller's token and the lists fetched at most once for the request. */
class FloorContext {
  private jobs: Promise<Map<string, ReturnType<typeof toJob>[]>> | null = null;
  private releases: Promise<Map<string, Wire>> | null = null;

  constructor(readonly token: string) {}

  async jobsOf(clusterId: string) {
    this.jobs ??= this.listJobs();
    return { edges: ((await this.jobs).get(clusterId) ?? []).map((node) => ({ node })) };
  }

  async releaseOf(version: string | null) {
    if (!version) return null;
    this.releases ??= get(`/v1/releases?limit=${PAGE}&offset=0`, this.token).then(
      (body) => new Map((body.releases as Wire[]).map((r) => [r.version as string, r])),
    );
    return (await this.releases).get(version) ?? null;
  }

  /** Both ListJobs lists at once, short jobs then long ones per cluster, as the gateway orders them. */
  private async listJobs() {
    const lists = await Promise.all(['short', 'long'].map((type) => this.walkJobs(type)));
    const byCluster = new Map<string, ReturnType<typeof toJob>[]>();
    for (const list of lists) {
      for (const w of list) {
        const group = byCluster.get(w.cluster_id);
        if (group) group.push(toJob(w));
        else byCluster.set(w.cluster_id, [toJob(w)]);
      }
    }
    return byCluster;
  }

  private async walkJobs(type: string): Promise<Wire[]> {
    const all: Wire[] = [];
    for (let offset = 0; ; offset += PAGE) {
      const page = (await get(`/v1/jobs?limit=${PAGE}&offset=${offset}&job_type=${type}`, this.token)).jobs as Wire[];
      all.push(...page);
      if (page.length < PAGE) return all;
    }
  }
}

const yoga = createYoga<{}, { floor: FloorContext }>({
  schema: createSchema<{ floor: FloorContext }>({
    typeDefs,
    resolvers: {
      Query: {
        cluster: async (_root, { id }: { id: string }, { floor }) => toCluster(await get(`/v1/clusters/${id}`, floor.token)),
        clusters: async (_root, { first }: { first?: number | null }, { floor }) => {
          const limit = first ?? 100;
          const body = await get(`/v1/clusters?limit=${limit + 1}&offset=0`, floor.token);
          return { edges: (body.clusters as Wire[]).slice(0, limit).map((c) => ({ node: toCluster(c) })) };
        },
      },
      // The only fields with resolvers of their own: the lists behind them are fetched when selected.
      Cluster: {
        jobs: (c: Cluster, _args: unknown, { floor }: { floor: FloorContext }) => floor.jobsOf(c.id),
        release: (c: Cluster, _args: unknown, { floor }: { floor: FloorContext }) => floor.releaseOf(c.k8s.version),
      },
    },
  }),
  context: ({ request }) => ({ floor: new FloorContext(request.headers.get('x-auth-token') ?? '') }),
  landingPage: false,
  graphiql: false,
  logging: false,
});
await serveGraphqlChild(yoga);
