import { builder } from '../builder.js';
import { CLUSTER_STATUSES, EmsUuid, type EmsClusterStatus } from '../ems/models/index.js';
import { isUnreadable, missingFieldError, type ClusterRecord, type K8sSpecRecord, type Listed, type MemorySpecRecord } from '../ems/read/index.js';
import { checkArgument } from '../errors.js';
import { connectionFromList, connectionFromPage, itemsOf, listConnection, offsetWindow, pageArgs, selectsField } from './connection.js';
import { toDate } from './dates.js';
import { JobConnection, JobStatus, JobType, filterByStatus, nullWhenNotFound } from './job.js';
import { Label } from './label.js';
import { Release } from './release.js';
import { STATUS_TEXT_DESCRIPTION, withUnknown } from './unknown.js';
import { loadersOf, locate, orNullWhenNotFound } from '../regional.js';
import { regionArg, regionalConnection, regionsArg, sliceOf } from './region.js';

export const ClusterStatus = builder.enumType('ClusterStatus', {
  description: 'Lifecycle status of an EMS cluster. A status EMS adds later reads as UNKNOWN, with its text in `statusText`.',
  values: withUnknown(CLUSTER_STATUSES),
});

export const ChargeMode = builder.enumType('ChargeMode', {
  description: 'Billing mode (`charge_mode`). A mode this schema does not list reads as null.',
  values: { PAY_PER_USE: { value: 0 as const, description: 'charge_mode 0' } },
});

export const LtsConnectType = builder.enumType('LtsConnectType', {
  description: 'How logs reach LTS (`lts_connect_type`). A code this schema does not list reads as null.',
  values: {
    LOGAGENT: { value: 0 as const, description: 'lts_connect_type 0 (the default)' },
    ICAGENT: { value: 1 as const, description: 'lts_connect_type 1' },
  },
});

export const K8sClusterSpec = builder.objectRef<K8sSpecRecord>('K8sClusterSpec').implement({
  description: 'The CCE cluster an EMS cluster runs on, and how EMS is deployed there.',
  fields: (t) => ({
    k8sClusterId: t.exposeID('k8sClusterId', { nullable: false, description: 'UUID of the CCE cluster.' }),
    namespace: t.exposeString('namespace', { nullable: true }),
    label: t.field({
      type: Label,
      nullable: true,
      description: 'The node label selecting the nodes EMS runs on.',
      resolve: (k) => k.label,
    }),
    nodeCount: t.exposeInt('nodeCount', { nullable: true }),
    flavor: t.exposeString('flavor', { nullable: true, description: 'Node flavor.' }),
    version: t.exposeString('version', { nullable: true, description: 'EMS version (see `releases`).' }),
    ltsEnabled: t.exposeBoolean('ltsEnabled', { nullable: true, description: 'Ship logs to LTS.' }),
    ltsConnectType: t.field({ type: LtsConnectType, nullable: true, resolve: (k) => k.ltsConnectType }),
    monitorEnabled: t.exposeBoolean('monitorEnabled', { nullable: true }),
    nodeType: t.exposeInt('nodeType', { nullable: true, description: '0, 1 or 2.' }),
  }),
});

export const MemorySpec = builder.objectRef<MemorySpecRecord>('MemorySpec').implement({
  description: 'Huge-page memory of a cluster.',
  fields: (t) => ({
    hugePageCount: t.exposeInt('hugePageCount', { nullable: true }),
    hugePageSizeMb: t.exposeInt('hugePageSizeMb', { nullable: true, description: 'Page size in MB (2 or 1024).' }),
    totalBytes: t.float({
      nullable: true,
      description: 'hugePageCount × hugePageSizeMb MiB, in bytes.',
      resolve: (m) => (m.hugePageCount != null && m.hugePageSizeMb != null ? m.hugePageCount * m.hugePageSizeMb * 2 ** 20 : null),
    }),
  }),
});

/** An EMS cluster; id = the EMS cluster UUID, as-is. */
export const Cluster = builder.objectRef<ClusterRecord>('Cluster');

Cluster.implement({
  description:
    'An EMS cluster. Fields that need an upstream call of their own (`jobs`, `labels`, `release`) are nullable: one failed call nulls that field alone, with an error on its path.',
  fields: (t) => ({
    id: t.exposeID('id', { nullable: false }),
    region: t.string({
      nullable: false,
      description: 'The EMS region the cluster is in (see `regions`).',
      resolve: (c, _args, ctx) => c.region ?? ctx.regions.services.default,
    }),
    name: t.string({
      nullable: false,
      resolve: (c) => c.name ?? Promise.reject(missingFieldError(c.source, `cluster ${c.id} without a readable cluster_specification.name`)),
    }),
    description: t.exposeString('description', { nullable: true }),
    status: t.field({ type: ClusterStatus, nullable: false, resolve: (c) => c.status }),
    statusText: t.exposeString('statusText', { nullable: true, description: STATUS_TEXT_DESCRIPTION }),
    reason: t.exposeString('reason', { nullable: true, description: 'Why the cluster is in its status ("Available" when healthy).' }),
    projectId: t.exposeString('projectId', { nullable: true }),
    createdAt: t.field({ type: 'DateTime', nullable: true, resolve: (c) => toDate(c.createdAt) }),
    updatedAt: t.field({ type: 'DateTime', nullable: true, resolve: (c) => toDate(c.updatedAt) }),
    k8sName: t.exposeString('k8sName', { nullable: true, description: 'Name of the CCE cluster.' }),
    availableNodeCount: t.exposeInt('availableNodeCount', { nullable: true }),
    chargeMode: t.field({ type: ChargeMode, nullable: true, resolve: (c) => c.chargeMode }),
    k8s: t.field({
      type: K8sClusterSpec,
      nullable: false,
      resolve: (c) =>
        c.k8s ?? Promise.reject(missingFieldError(c.source, `cluster ${c.id} without a readable cluster_specification.k8s_cluster_specification`)),
    }),
    memory: t.field({
      type: MemorySpec,
      nullable: true,
      description: 'Huge-page memory; null when EMS sends no memory specification.',
      resolve: (c) => c.memory,
    }),
    jobs: t.field({
      type: JobConnection,
      nullable: true,
      description: 'Jobs of this cluster (without `type`, short jobs then long ones); null, with an error, when they cannot be listed.',
      args: {
        type: t.arg({ type: JobType }),
        status: t.arg({ type: [JobStatus], description: 'Keep jobs in any of these statuses.' }),
        ...pageArgs,
      },
      resolve: async (c, args, ctx) => {
        const window = offsetWindow(args, ctx.config.limits);
        const jobs = await loadersOf(ctx, c).jobsByClusterId.load({ clusterId: c.id, type: args.type ?? null });
        return connectionFromList(filterByStatus(jobs, args.status), window);
      },
    }),
    labels: t.field({
      type: [Label],
      nullable: { list: true, items: true },
      description:
        'Node labels of the CCE cluster behind this cluster, as Kubernetes has them (prefixed keys, empty values); null, with an error, when they cannot be listed. A label EMS sent without a readable key is null, with an error on its path.',
      resolve: async (c, _args, ctx) => (c.k8s ? itemsOf(await loadersOf(ctx, c).labelsByK8sClusterId.load(c.k8s.k8sClusterId)) : null),
    }),
    release: t.field({
      type: Release,
      nullable: true,
      description: 'The EMS release matching the cluster’s version; null when EMS lists none (or, with an error, when releases cannot be listed).',
      resolve: (c, _args, ctx) => {
        const version = c.k8s?.version;
        return version ? loadersOf(ctx, c).releaseByVersion.load(version) : null;
      },
    }),
  }),
});

export const ClusterConnection = listConnection('Cluster', Cluster, 'id');

/** Keeps clusters whose status is one of `statuses` (all when null or empty; a filter keeps no unreadable element). */
function filterClusters(clusters: readonly Listed<ClusterRecord>[], statuses: readonly (EmsClusterStatus | 'UNKNOWN')[] | null | undefined) {
  if (!statuses?.length) return clusters;
  const wanted = new Set(statuses);
  return clusters.filter((c) => !isUnreadable(c) && wanted.has(c.status));
}

builder.queryFields((t) => ({
  clusters: t.field({
    type: ClusterConnection,
    nullable: false,
    description:
      'Clusters of the caller’s project (ListClusters), in EMS order. `status` filters in the gateway (EMS cannot); ' +
      'with a filter or `totalCount`, the project’s clusters are listed once for the request and sliced. ' +
      'A cluster EMS sent that cannot be read (no id) keeps its edge, with a null node and an error on its path. ' +
      'With several regions: each region’s clusters in EMS order, regions in configured order, asked at once; a region that fails is left out, ' +
      'named by an error and in `extensions.regions`.',
    args: {
      ...pageArgs,
      status: t.arg({ type: [ClusterStatus], description: 'Keep clusters in any of these statuses.' }),
      ...regionsArg,
    },
    resolve: async (_root, args, ctx, info) => {
      if (ctx.regions.services.multi) {
        return regionalConnection(ctx, info, args, async ({ loaders }, window, needTotal) => {
          if (args.status?.length || needTotal || loaders.allClustersStarted()) return sliceOf(filterClusters(await loaders.allClusters(), args.status), window);
          const page = await loaders.clusterPage(window.offset, window.limit);
          return { items: page.items, hasMore: page.hasMore, total: async () => (await loaders.allClusters()).length };
        });
      }
      ctx.regions.select('regions', args.regions);
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
    description:
      'One cluster (ShowCluster); null when EMS does not know it. With several regions and no `region`, every region is asked at once and the one that has it answers.',
    args: { id: t.arg.id({ required: true, description: 'The EMS cluster UUID.' }), ...regionArg },
    resolve: async (_root, { id, region }, ctx) => {
      checkArgument('id', id, EmsUuid);
      if (region != null) return ctx.regions.scope(ctx.regions.check('region', region)).loaders.clusterById.load(id).catch(nullWhenNotFound);
      if (!ctx.regions.services.multi) return ctx.loaders.clusterById.load(id).catch(nullWhenNotFound);
      const found = await locate(ctx, `Cluster ${id}`, ({ loaders }) => orNullWhenNotFound(loaders.clusterById.load(id)));
      return found?.value ?? null;
    },
  }),
}));
