import { builder } from '../builder.js';
import type { Context } from '../context.js';
import {
  CLUSTER_NAME_MAX,
  CLUSTER_NAME_MIN,
  DEFAULT_NODE_LABEL,
  DESCRIPTION_MAX,
  EmsCreateClusterRequest,
  EmsEnrollClusterRequest,
  EmsNodeNameListRequest,
  EmsUuid,
  ENROLL_DEFAULT_VERSION,
  ENROLL_MIN_VERSION,
  FLAVOR_MAX,
  HUGE_PAGE_FLAVORS,
  HUGE_PAGE_FLAVOR_DEFAULT,
  HUGE_PAGE_NUM_DEFAULT,
  HUGE_PAGE_NUM_MAX,
  HUGE_PAGE_NUM_MIN,
  LABEL_KEY_MAX,
  LABEL_KEY_RULE,
  LABEL_VALUE_MAX,
  NAMESPACE_MAX,
  NODE_COUNT_MAX,
  NODE_COUNT_MIN,
  NODE_NAME_MAX,
  NODE_TYPES,
} from '../ems/models/index.js';
import { acceptedWithout, missingFieldError, type AcceptedWrite, type JobAccepted } from '../ems/read/index.js';
import { invalidateAfterWrite, loadCluster } from '../mutations/refresh.js';
import { reconcileClusterChange, reconcileClusterCreation, type Reconciled } from '../mutations/reconcile.js';
import { runMutation } from '../mutations/run.js';
import { validateInput, type EmsMapping } from '../mutations/validation.js';
import { ChargeMode, Cluster, LtsConnectType } from './cluster.js';
import { Job } from './job.js';
import { idempotencyKeyField, mutationField, regionInputField, replayedField } from './mutation.js';
import { loadersOf } from '../regional.js';

/**
 * Cluster writes: createCluster, enrollCluster, expandCluster, shrinkCluster, deleteCluster,
 * authorizeCluster. Each input type is declared with its EMS mapping (GraphQL field → EMS field),
 * from which the request body is built and validation errors find their way back to the input
 * field (src/mutations/validation.ts). Every write is validated against the EMS request model
 * before any upstream call and submitted exactly once (see runMutation). Once EMS answered 2xx the
 * write is accepted: the payload carries the ids EMS gave, and `job` and `cluster` are read
 * afterwards, each failing (null, with an error on its path) on its own.
 */

const or = (values: readonly unknown[]) => `${values.slice(0, -1).join(', ')} or ${String(values.at(-1))}`;

// ---------------------------------------------------------------------------------------------
// Inputs, each with its EMS mapping

export const LabelInput = builder.inputType('LabelInput', {
  description: 'A Kubernetes node label.',
  fields: (t) => ({
    key: t.string({ required: true, description: `1–${LABEL_KEY_MAX} ${LABEL_KEY_RULE}.` }),
    value: t.string({ required: true, description: `0–${LABEL_VALUE_MAX} characters.` }),
  }),
});
const LABEL: EmsMapping<typeof LabelInput.$inferInput> = { key: 'key', value: 'value' };

export const K8sClusterSpecInput = builder.inputType('K8sClusterSpecInput', {
  description: 'The CCE cluster to deploy EMS on, and how.',
  fields: (t) => ({
    k8sClusterId: t.id({ required: true, description: 'UUID of the CCE cluster.' }),
    namespace: t.string({ description: `Namespace EMS is deployed in (1–${NAMESPACE_MAX} characters).` }),
    label: t.field({
      type: LabelInput,
      description: `Label selecting the nodes EMS runs on (EMS default ${DEFAULT_NODE_LABEL.key}=${DEFAULT_NODE_LABEL.value}).`,
    }),
    nodeCount: t.int({ description: `Number of nodes, ${NODE_COUNT_MIN}–${NODE_COUNT_MAX}.` }),
    flavor: t.string({ description: `Node flavor (1–${FLAVOR_MAX} characters).` }),
    version: t.string({ description: 'EMS version (see `releases`).' }),
    ltsEnabled: t.boolean({ description: 'Ship logs to LTS (EMS default true).' }),
    ltsConnectType: t.field({ type: LtsConnectType, description: 'EMS default LOGAGENT.' }),
    monitorEnabled: t.boolean({ description: 'EMS default true.' }),
    nodeType: t.int({ description: `${or(NODE_TYPES)} (EMS default ${NODE_TYPES[0]}).` }),
  }),
});
const K8S: EmsMapping<typeof K8sClusterSpecInput.$inferInput> = {
  k8sClusterId: 'k8s_cluster_id',
  namespace: 'namespace',
  label: ['label', LABEL],
  nodeCount: 'node_count',
  flavor: 'flavor',
  version: 'version',
  ltsEnabled: 'lts_enable',
  ltsConnectType: 'lts_connect_type',
  monitorEnabled: 'monitor_enable',
  nodeType: 'node_type',
};

export const MemorySpecInput = builder.inputType('MemorySpecInput', {
  description: 'Huge-page memory of the cluster.',
  fields: (t) => ({
    hugePageCount: t.int({ description: `${HUGE_PAGE_NUM_MIN}–${HUGE_PAGE_NUM_MAX} pages (EMS default ${HUGE_PAGE_NUM_DEFAULT}).` }),
    hugePageSizeMb: t.int({ description: `Page size in MB: ${or(HUGE_PAGE_FLAVORS)} (EMS default ${HUGE_PAGE_FLAVOR_DEFAULT}).` }),
  }),
});
const MEMORY: EmsMapping<typeof MemorySpecInput.$inferInput> = { hugePageCount: 'huge_page_num', hugePageSizeMb: 'huge_page_flavor' };

export const CreateClusterInput = builder.inputType('CreateClusterInput', {
  fields: (t) => ({
    name: t.string({
      required: true,
      description: `${CLUSTER_NAME_MIN}–${CLUSTER_NAME_MAX} lowercase letters, digits and "-", starting with a letter, not ending with "-"; unique in the project.`,
    }),
    description: t.string({ description: `At most ${DESCRIPTION_MAX} characters.` }),
    chargeMode: t.field({ type: ChargeMode }),
    k8s: t.field({ type: K8sClusterSpecInput, required: true }),
    memory: t.field({ type: MemorySpecInput }),
    idempotencyKey: idempotencyKeyField(t),
    region: regionInputField(t, 'to create the cluster in'),
  }),
});
const CREATE_CLUSTER: EmsMapping<typeof CreateClusterInput.$inferInput> = {
  name: 'name',
  description: 'description',
  chargeMode: 'charge_mode',
  k8s: ['k8s_cluster_specification', K8S],
  memory: ['memory_specification', MEMORY],
  idempotencyKey: null,
  region: null,
};
export const CREATE_CLUSTER_RULES = { mapping: CREATE_CLUSTER, body: EmsCreateClusterRequest };

export const EnrollK8sClusterSpecInput = builder.inputType('EnrollK8sClusterSpecInput', {
  description: 'Where the existing EMS deployment runs.',
  fields: (t) => ({
    k8sClusterId: t.id({ required: true, description: 'UUID of the CCE cluster.' }),
    namespace: t.string({ required: true, description: `Namespace of the EMS deployment (1–${NAMESPACE_MAX} characters).` }),
    label: t.field({ type: LabelInput }),
    flavor: t.string(),
    version: t.string({ description: `EMS default ${JSON.stringify(ENROLL_DEFAULT_VERSION)}.` }),
    ltsEnabled: t.boolean(),
    ltsConnectType: t.field({ type: LtsConnectType }),
    monitorEnabled: t.boolean(),
  }),
});
const ENROLL_K8S: EmsMapping<typeof EnrollK8sClusterSpecInput.$inferInput> = {
  k8sClusterId: 'k8s_cluster_id',
  namespace: 'namespace',
  label: ['label', LABEL],
  flavor: 'flavor',
  version: 'version',
  ltsEnabled: 'lts_enable',
  ltsConnectType: 'lts_connect_type',
  monitorEnabled: 'monitor_enable',
};

export const EnrollClusterInput = builder.inputType('EnrollClusterInput', {
  fields: (t) => ({
    clusterId: t.id({ description: 'UUID of the cluster, when re-enrolling.' }),
    name: t.string({ required: true, description: 'Same rule as CreateClusterInput.name.' }),
    description: t.string({ description: `At most ${DESCRIPTION_MAX} characters.` }),
    k8s: t.field({ type: EnrollK8sClusterSpecInput, required: true }),
    vpcEndpointId: t.id({ description: 'UUID.' }),
    vpcSecurityGroupIds: t.idList({ description: 'UUIDs.' }),
    ltsHostGroup: t.id({ description: 'UUID.' }),
    ltsGroup: t.id({ description: 'UUID.' }),
    ltsStreams: t.idList({ description: 'UUIDs.' }),
    ltsAccessConfigs: t.idList({ description: 'UUIDs.' }),
    idempotencyKey: idempotencyKeyField(t),
    region: regionInputField(t, 'to enroll the cluster in'),
  }),
});
const ENROLL_CLUSTER: EmsMapping<typeof EnrollClusterInput.$inferInput> = {
  clusterId: 'cluster_id',
  name: 'name',
  description: 'description',
  k8s: ['k8s_cluster_specification', ENROLL_K8S],
  vpcEndpointId: 'vpc_endpoint_id',
  vpcSecurityGroupIds: 'vpc_security_group_ids',
  ltsHostGroup: 'lts_host_group',
  ltsGroup: 'lts_group',
  ltsStreams: 'lts_streams',
  ltsAccessConfigs: 'lts_access_configs',
  idempotencyKey: null,
  region: null,
};
export const ENROLL_CLUSTER_RULES = { mapping: ENROLL_CLUSTER, body: EmsEnrollClusterRequest };

const nodeNamesInput = (name: string, verb: string) =>
  builder.inputType(name, {
    fields: (t) => ({
      clusterId: t.id({ required: true, description: 'UUID of a RUNNING cluster.' }),
      nodeNames: t.stringList({
        required: true,
        description: `Names of the CCE nodes to ${verb}: 1–${NODE_COUNT_MAX} distinct names of 1–${NODE_NAME_MAX} characters.`,
      }),
      idempotencyKey: idempotencyKeyField(t),
      region: regionInputField(t, 'of the cluster'),
    }),
  });

export const ExpandClusterInput = nodeNamesInput('ExpandClusterInput', 'add');
export const ShrinkClusterInput = nodeNamesInput('ShrinkClusterInput', 'remove');
/** The cluster id is the path of the request; the names are its body. */
const NODE_NAMES: EmsMapping<typeof ExpandClusterInput.$inferInput> = { clusterId: null, nodeNames: 'node_name_list', idempotencyKey: null, region: null };
export const NODE_NAMES_RULES = { mapping: NODE_NAMES, params: { clusterId: EmsUuid }, body: EmsNodeNameListRequest };

const clusterIdInput = (name: string) =>
  builder.inputType(name, {
    fields: (t) => ({
      clusterId: t.id({ required: true, description: 'UUID of the cluster.' }),
      idempotencyKey: idempotencyKeyField(t),
      region: regionInputField(t, 'of the cluster'),
    }),
  });

export const DeleteClusterInput = clusterIdInput('DeleteClusterInput');
export const AuthorizeClusterInput = clusterIdInput('AuthorizeClusterInput');
/** Delete and authorize send no body: the cluster id is the path. */
const CLUSTER_ID: EmsMapping<typeof DeleteClusterInput.$inferInput> = { clusterId: null, idempotencyKey: null, region: null };
export const CLUSTER_ID_RULES = { mapping: CLUSTER_ID, params: { clusterId: EmsUuid } };

// ---------------------------------------------------------------------------------------------
// Payloads

/** What a repeat of an async cluster write needs: the ids EMS returned, and its answer. */
interface ClusterJobStored {
  /** null when EMS's answer named no job id the gateway could read. */
  jobId: string | null;
  /** From EMS's answer (create, enroll) or the input; null when neither gives one. */
  clusterId: string | null;
  /** EMS's 2xx answer, for errors about ids it did not give. */
  accepted: AcceptedWrite;
}

/** An async cluster write, after submission. */
export interface ClusterJobPayloadData extends ClusterJobStored {
  replayed: boolean;
  /** The region the write went to (set by mutationField); undefined = the default region. */
  region?: string;
}

/** The error on an id EMS's accepted answer did not give. */
function missingId(p: ClusterJobStored, key: string): Promise<never> {
  return Promise.reject(missingFieldError(p.accepted, acceptedWithout(p.accepted, key)));
}

/**
 * @param clusterIdFromEms the cluster id comes from EMS's answer (create, enroll), so it may be
 *   missing; otherwise it is the input's.
 */
function clusterJobPayload(name: string, what: string, clusterIdFromEms: boolean) {
  return builder.objectRef<ClusterJobPayloadData>(name).implement({
    description: `${what} was accepted by EMS; \`job\` is the asynchronous job doing it.`,
    fields: (t) => ({
      jobId: t.id({
        nullable: true,
        description:
          'Id of the job EMS started; null, with an error on this path, when EMS’s answer named none the gateway can read (the write was still accepted).',
        resolve: (p) => p.jobId ?? missingId(p, 'job_id'),
      }),
      clusterId: clusterIdFromEms
        ? t.id({
            nullable: true,
            description: 'Id of the cluster, as EMS’s answer gives it; null, with an error on this path, when it gives none the gateway can read.',
            resolve: (p) => p.clusterId ?? missingId(p, 'cluster_id'),
          })
        : t.id({ nullable: false, resolve: (p) => p.clusterId! }),
      job: t.field({
        type: Job,
        nullable: true,
        description:
          'The job as EMS reports it after submission (status, progress, tasks); query `job(id)` to follow it. Null, with an error on this path, when it cannot be read (the write was still accepted).',
        resolve: (p, _args, ctx) => (p.jobId === null ? null : loadersOf(ctx, p).jobById.load(p.jobId)),
      }),
      cluster: t.field({
        type: Cluster,
        nullable: true,
        description:
          'The cluster as EMS shows it after the submission; null when EMS no longer knows it (or, with an error on this path, when it cannot be read).',
        resolve: (p, _args, ctx) => (p.clusterId === null ? null : loadCluster(ctx, p.clusterId, p.region)),
      }),
      replayed: replayedField(t),
    }),
  });
}

export const CreateClusterPayload = clusterJobPayload('CreateClusterPayload', 'The cluster creation', true);
export const EnrollClusterPayload = clusterJobPayload('EnrollClusterPayload', 'The enrollment', true);
export const ExpandClusterPayload = clusterJobPayload('ExpandClusterPayload', 'The expansion', false);
export const ShrinkClusterPayload = clusterJobPayload('ShrinkClusterPayload', 'The shrink', false);
export const DeleteClusterPayload = clusterJobPayload('DeleteClusterPayload', 'The deletion', false);

export interface AuthorizeClusterPayloadData {
  clusterId: string;
  replayed: boolean;
  region?: string;
}

export const AuthorizeClusterPayload = builder.objectRef<AuthorizeClusterPayloadData>('AuthorizeClusterPayload').implement({
  description: 'EMS granted the cluster the permissions it needs.',
  fields: (t) => ({
    clusterId: t.exposeID('clusterId', { nullable: false }),
    cluster: t.field({ type: Cluster, nullable: true, resolve: (p, _args, ctx) => loadCluster(ctx, p.clusterId, p.region) }),
    replayed: replayedField(t),
  }),
});

// ---------------------------------------------------------------------------------------------
// Mutations

/** The payload of an async write; drops the request's stale clusters and jobs first, so `job` and `cluster` are read afresh. */
async function renderClusterJob(ctx: Context, stored: ClusterJobStored, replayed: boolean): Promise<ClusterJobPayloadData> {
  invalidateAfterWrite(ctx);
  return { ...stored, replayed };
}

const summary = (stored: ClusterJobStored) => ({ jobId: stored.jobId, clusterId: stored.clusterId });

/** Submits an async cluster write exactly once and renders its payload. */
function clusterJob(
  ctx: Context,
  name: 'createCluster' | 'enrollCluster' | 'expandCluster' | 'shrinkCluster' | 'deleteCluster',
  spec: {
    idempotencyKey: string | null | undefined;
    request: unknown;
    subject: { clusterId?: string | null; clusterName?: string | null };
    submit(): Promise<ClusterJobStored>;
    /** Looks up in EMS what an interrupted earlier submission of the key did (see runMutation). */
    reconcile(): Promise<Reconciled<ClusterJobStored>>;
  },
): Promise<ClusterJobPayloadData> {
  return runMutation(ctx, { name, ...spec, render: (stored, replayed) => renderClusterJob(ctx, stored, replayed), summary });
}

mutationField('createCluster', {
  input: CreateClusterInput,
  payload: CreateClusterPayload,
  description: 'Creates an EMS cluster on a CCE cluster (CreateCluster). Asynchronous: follow `job`.',
  resolve: (input, ctx) => {
    const body = validateInput(input, CREATE_CLUSTER_RULES);
    return clusterJob(ctx, 'createCluster', {
      idempotencyKey: input.idempotencyKey,
      request: body,
      subject: { clusterName: body.name },
      submit: () => ctx.ems.createCluster(body),
      reconcile: () => reconcileClusterCreation(ctx.ems, 'create', { name: body.name, k8sClusterId: body.k8s_cluster_specification.k8s_cluster_id }),
    });
  },
});

mutationField('enrollCluster', {
  input: EnrollClusterInput,
  payload: EnrollClusterPayload,
  description: `Takes an existing EMS deployment under management (EnrollCluster, EMS ≥ ${ENROLL_MIN_VERSION}). Asynchronous: follow \`job\`.`,
  resolve: (input, ctx) => {
    const body = validateInput(input, ENROLL_CLUSTER_RULES);
    return clusterJob(ctx, 'enrollCluster', {
      idempotencyKey: input.idempotencyKey,
      request: body,
      subject: { clusterId: body.cluster_id ?? null, clusterName: body.name },
      submit: async () => {
        const { jobId, clusterId, accepted } = await ctx.ems.enrollCluster(body);
        // Re-enrolling names the cluster: that id stands when EMS's answer gives none.
        return { jobId, clusterId: clusterId ?? body.cluster_id ?? null, accepted };
      },
      reconcile: () =>
        reconcileClusterCreation(ctx.ems, 'enroll', {
          name: body.name,
          k8sClusterId: body.k8s_cluster_specification.k8s_cluster_id,
          clusterId: body.cluster_id ?? null,
        }),
    });
  },
});

/** What reconcileClusterChange looks for after each write on an existing cluster. */
const CHANGES = { expandCluster: 'expand', shrinkCluster: 'shrink', deleteCluster: 'delete' } as const;

/** An async write on a cluster the input names (expand, shrink, delete). */
function clusterWrite(
  ctx: Context,
  name: 'expandCluster' | 'shrinkCluster' | 'deleteCluster',
  input: { clusterId: string; idempotencyKey?: string | null },
  body: unknown,
  send: () => Promise<JobAccepted>,
): Promise<ClusterJobPayloadData> {
  const clusterId = input.clusterId;
  return clusterJob(ctx, name, {
    idempotencyKey: input.idempotencyKey,
    request: body === undefined ? { clusterId: clusterId.toLowerCase() } : { clusterId: clusterId.toLowerCase(), body },
    subject: { clusterId },
    submit: async () => ({ ...(await send()), clusterId }),
    reconcile: () => reconcileClusterChange(ctx.ems, CHANGES[name], clusterId),
  });
}

for (const [name, input, payload, verb, operation] of [
  ['expandCluster', ExpandClusterInput, ExpandClusterPayload, 'Adds CCE nodes to', 'ExpandCluster'],
  ['shrinkCluster', ShrinkClusterInput, ShrinkClusterPayload, 'Removes CCE nodes from', 'ShrinkCluster'],
] as const) {
  mutationField(name, {
    input,
    payload,
    description: `${verb} a RUNNING cluster (${operation}). Asynchronous: follow \`job\`.`,
    resolve: (input, ctx) => {
      const body = validateInput(input, NODE_NAMES_RULES);
      const send = name === 'expandCluster' ? ctx.ems.expandCluster : ctx.ems.shrinkCluster;
      return clusterWrite(ctx, name, input, body, () => send(input.clusterId, body));
    },
  });
}

mutationField('deleteCluster', {
  input: DeleteClusterInput,
  payload: DeleteClusterPayload,
  description: 'Deletes a cluster (DeleteClusterById). Asynchronous: follow `job`; the cluster ends DELETED.',
  resolve: (input, ctx) => {
    validateInput(input, CLUSTER_ID_RULES);
    return clusterWrite(ctx, 'deleteCluster', input, undefined, () => ctx.ems.deleteCluster(input.clusterId));
  },
});

mutationField('authorizeCluster', {
  input: AuthorizeClusterInput,
  payload: AuthorizeClusterPayload,
  description: 'Grants the cluster the permissions it needs (AuthorizeCluster).',
  resolve: (input, ctx) => {
    validateInput(input, CLUSTER_ID_RULES);
    const { clusterId } = input;
    return runMutation(ctx, {
      name: 'authorizeCluster',
      idempotencyKey: input.idempotencyKey,
      request: { clusterId: clusterId.toLowerCase() },
      subject: { clusterId },
      submit: async () => {
        await ctx.ems.authorizeCluster(clusterId);
        return { clusterId };
      },
      render: async (stored, replayed) => {
        ctx.loaders.invalidateClusters();
        return { clusterId: stored.clusterId, replayed };
      },
    });
  },
});
