import { builder } from '../builder.js';
import { CLUSTER_STATUSES, UUID_PATTERN, type EmsCluster, type EmsClusterStatus } from '../ems/models/index.js';
import { quote, userInputError } from '../errors.js';
import {
  AFTER_DESCRIPTION,
  FIRST_DESCRIPTION,
  connectionFromList,
  connectionFromPage,
  offsetWindow,
  resolveTotalCount,
  selectsField,
} from './connection.js';
import { toDate } from './dates.js';
import { JobConnection, JobStatus, JobType, filterByStatus, nullWhenNotFound } from './job.js';
import { Label } from './label.js';
import { Release } from './release.js';

type EmsK8sSpec = EmsCluster['cluster_specification']['k8s_cluster_specification'];
type EmsMemorySpec = NonNullable<EmsCluster['cluster_specification']['memory_specification']>;

export const ClusterStatus = builder.enumType('ClusterStatus', {
  description: 'Lifecycle status of an EMS cluster.',
  values: CLUSTER_STATUSES,
});

export const ChargeMode = builder.enumType('ChargeMode', {
  description: 'Billing mode (`charge_mode`).',
  values: { PAY_PER_USE: { value: 0 as const, description: 'charge_mode 0' } },
});

export const LtsConnectType = builder.enumType('LtsConnectType', {
  description: 'How logs reach LTS (`lts_connect_type`).',
  values: {
    LOGAGENT: { value: 0 as const, description: 'lts_connect_type 0 (the default)' },
    ICAGENT: { value: 1 as const, description: 'lts_connect_type 1' },
  },
});

/** Known wire values of an int-coded enum; anything else reads as null rather than failing the field. */
function known<T extends number>(value: number | null | undefined, values: readonly T[]): T | null {
  return value != null && (values as readonly number[]).includes(value) ? (value as T) : null;
}

export const K8sClusterSpec = builder.objectRef<EmsK8sSpec>('K8sClusterSpec').implement({
  description: 'The CCE cluster an EMS cluster runs on, and how EMS is deployed there.',
  fields: (t) => ({
    k8sClusterId: t.exposeID('k8s_cluster_id', { nullable: false, description: 'UUID of the CCE cluster.' }),
    namespace: t.string({ nullable: true, resolve: (k) => k.namespace ?? null }),
    label: t.field({
      type: Label,
      nullable: true,
      description: 'The node label selecting the nodes EMS runs on.',
      resolve: (k) => k.label ?? null,
    }),
    nodeCount: t.int({ nullable: true, resolve: (k) => k.node_count ?? null }),
    flavor: t.string({ nullable: true, description: 'Node flavor.', resolve: (k) => k.flavor ?? null }),
    version: t.string({ nullable: true, description: 'EMS version (see `releases`).', resolve: (k) => k.version ?? null }),
    ltsEnabled: t.boolean({ nullable: true, description: 'Ship logs to LTS.', resolve: (k) => k.lts_enable ?? null }),
    ltsConnectType: t.field({ type: LtsConnectType, nullable: true, resolve: (k) => known(k.lts_connect_type, [0, 1] as const) }),
    monitorEnabled: t.boolean({ nullable: true, resolve: (k) => k.monitor_enable ?? null }),
    nodeType: t.int({ nullable: true, description: '0, 1 or 2.', resolve: (k) => k.node_type ?? null }),
  }),
});

export const MemorySpec = builder.objectRef<EmsMemorySpec>('MemorySpec').implement({
  description: 'Huge-page memory of a cluster.',
  fields: (t) => ({
    hugePageCount: t.int({ nullable: true, resolve: (m) => m.huge_page_num ?? null }),
    hugePageSizeMb: t.int({ nullable: true, description: 'Page size in MB (2 or 1024).', resolve: (m) => m.huge_page_flavor ?? null }),
    totalBytes: t.float({
      nullable: true,
      description: 'hugePageCount × hugePageSizeMb MiB, in bytes.',
      resolve: (m) => (m.huge_page_num != null && m.huge_page_flavor != null ? m.huge_page_num * m.huge_page_flavor * 2 ** 20 : null),
    }),
  }),
});

/** An EMS cluster; id = the EMS cluster UUID, as-is. */
export const Cluster = builder.objectRef<EmsCluster>('Cluster');

Cluster.implement({
  description: 'An EMS cluster.',
  fields: (t) => ({
    id: t.id({ nullable: false, resolve: (c) => c.cluster_metadata.id }),
    name: t.string({ nullable: false, resolve: (c) => c.cluster_specification.name }),
    description: t.string({ nullable: true, resolve: (c) => c.cluster_specification.description ?? null }),
    status: t.field({ type: ClusterStatus, nullable: false, resolve: (c) => c.cluster_metadata.status }),
    reason: t.string({
      nullable: true,
      description: 'Why the cluster is in its status ("Available" when healthy).',
      resolve: (c) => c.cluster_metadata.reason ?? null,
    }),
    projectId: t.string({ nullable: true, resolve: (c) => c.cluster_metadata.project_id ?? null }),
    createdAt: t.field({ type: 'DateTime', nullable: true, resolve: (c) => toDate(c.cluster_metadata.created_at) }),
    updatedAt: t.field({ type: 'DateTime', nullable: true, resolve: (c) => toDate(c.cluster_metadata.updated_at) }),
    k8sName: t.string({ nullable: true, description: 'Name of the CCE cluster.', resolve: (c) => c.cluster_metadata.k8s_name ?? null }),
    availableNodeCount: t.int({ nullable: true, resolve: (c) => c.cluster_metadata.available_node_count ?? null }),
    chargeMode: t.field({ type: ChargeMode, nullable: true, resolve: (c) => known(c.cluster_specification.charge_mode, [0] as const) }),
    k8s: t.field({ type: K8sClusterSpec, nullable: false, resolve: (c) => c.cluster_specification.k8s_cluster_specification }),
    memory: t.field({ type: MemorySpec, nullable: false, resolve: (c) => c.cluster_specification.memory_specification ?? {} }),
    jobs: t.field({
      type: JobConnection,
      nullable: false,
      description: 'Jobs of this cluster (without `type`, short jobs then long ones).',
      args: {
        type: t.arg({ type: JobType }),
        status: t.arg({ type: [JobStatus], description: 'Keep jobs in any of these statuses.' }),
        first: t.arg.int({ description: FIRST_DESCRIPTION }),
        after: t.arg.string({ description: AFTER_DESCRIPTION }),
      },
      resolve: async (c, args, ctx) => {
        const window = offsetWindow(args, ctx.config.limits);
        const jobs = await ctx.loaders.jobsByClusterId.load({ clusterId: c.cluster_metadata.id, type: args.type ?? null });
        return connectionFromList(filterByStatus(jobs, args.status), window);
      },
    }),
    labels: t.field({
      type: [Label],
      nullable: false,
      description: 'Node labels of the CCE cluster behind this cluster.',
      resolve: (c, _args, ctx) => ctx.loaders.labelsByK8sClusterId.load(c.cluster_specification.k8s_cluster_specification.k8s_cluster_id),
    }),
    release: t.field({
      type: Release,
      nullable: true,
      description: 'The EMS release matching the cluster’s version; null when EMS lists none.',
      resolve: (c, _args, ctx) => {
        const version = c.cluster_specification.k8s_cluster_specification.version;
        return version ? ctx.loaders.releaseByVersion.load(version) : null;
      },
    }),
  }),
});

export const ClusterConnection = builder.connectionObject(
  {
    type: Cluster,
    name: 'ClusterConnection',
    fields: (t) => ({ totalCount: t.int({ nullable: false, resolve: resolveTotalCount }) }),
  },
  { name: 'ClusterEdge' },
);

/** Keeps clusters whose status is one of `statuses` (all when null or empty). */
function filterClusters(clusters: readonly EmsCluster[], statuses: readonly EmsClusterStatus[] | null | undefined) {
  if (!statuses?.length) return clusters;
  const wanted = new Set(statuses);
  return clusters.filter((c) => wanted.has(c.cluster_metadata.status));
}

builder.queryFields((t) => ({
  clusters: t.field({
    type: ClusterConnection,
    nullable: false,
    description:
      'Clusters of the caller’s project (ListClusters), in EMS order. `status` filters in the gateway (EMS cannot); ' +
      'with a filter or `totalCount`, the project’s clusters are listed once for the request and sliced.',
    args: {
      first: t.arg.int({ description: FIRST_DESCRIPTION }),
      after: t.arg.string({ description: AFTER_DESCRIPTION }),
      status: t.arg({ type: [ClusterStatus], description: 'Keep clusters in any of these statuses.' }),
    },
    resolve: async (_root, args, ctx, info) => {
      const window = offsetWindow(args, ctx.config.limits);
      // ListClusters has no total and no filter: those need the whole list; a plain page is one call.
      if (args.status?.length || selectsField(info, 'totalCount') || ctx.loaders.allClustersStarted()) {
        return connectionFromList(filterClusters(await ctx.loaders.allClusters(), args.status), window);
      }
      const page = await ctx.loaders.clusterPage(window.offset, window.limit);
      return connectionFromPage(page.items, window, page.hasMore, async () => (await ctx.loaders.allClusters()).length);
    },
  }),
  cluster: t.field({
    type: Cluster,
    nullable: true,
    description: 'One cluster (ShowCluster); null when EMS does not know it.',
    args: { id: t.arg.id({ required: true, description: 'The EMS cluster UUID.' }) },
    resolve: (_root, { id }, ctx) => {
      if (!UUID_PATTERN.test(id)) {
        throw userInputError(`"id" must be a UUID (8-4-4-4-12 hexadecimal digits), got ${quote(id)}`, { argument: 'id' });
      }
      return ctx.loaders.clusterById.load(id).catch(nullWhenNotFound);
    },
  }),
}));
