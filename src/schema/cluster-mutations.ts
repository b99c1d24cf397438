import { builder } from '../builder.js';
import type { Context } from '../context.js';
import { acceptedWithout, missingFieldError, type AcceptedWrite } from '../ems/read/index.js';
import { invalidateAfterWrite, loadCluster } from '../mutations/refresh.js';
import { reconcileClusterChange, reconcileClusterCreation } from '../mutations/reconcile.js';
import { runMutation } from '../mutations/run.js';
import {
  validateClusterId,
  validateCreateCluster,
  validateEnrollCluster,
  validateNodeNames,
  type NodeNamesInput,
} from '../mutations/validation.js';
import { ChargeMode, Cluster, LtsConnectType } from './cluster.js';
import { mutationErrors } from './error.js';
import { Job } from './job.js';

/**
 * Cluster writes: createCluster, enrollCluster, expandCluster, shrinkCluster, deleteCluster,
 * authorizeCluster. Each validates its input against the EMS request schema before any upstream
 * call and submits exactly once (see runMutation). Once EMS answered 2xx the write is accepted:
 * the payload carries the ids EMS gave, and `job` and `cluster` are read afterwards, each failing
 * (null, with an error on its path) on its own.
 */

export const IDEMPOTENCY_KEY_DESCRIPTION =
  'Optional. Repeats of the same key by the same caller for the same mutation within 10 minutes return the first result without submitting again (concurrent repeats wait for the first). Reusing a key with a different input fails with IdempotencyKeyReusedError. 1–255 printable ASCII characters, e.g. a UUID.';

// ---------------------------------------------------------------------------------------------
// Inputs

export const LabelInput = builder.inputType('LabelInput', {
  description: 'A Kubernetes node label.',
  fields: (t) => ({
    key: t.string({ required: true, description: '1–63 letters, digits, "-", "_", ".", "/"; starts and ends alphanumeric.' }),
    value: t.string({ required: true, description: '0–63 characters.' }),
  }),
});

export const K8sClusterSpecInput = builder.inputType('K8sClusterSpecInput', {
  description: 'The CCE cluster to deploy EMS on, and how.',
  fields: (t) => ({
    k8sClusterId: t.id({ required: true, description: 'UUID of the CCE cluster.' }),
    namespace: t.string({ description: 'Namespace EMS is deployed in (1–63 characters).' }),
    label: t.field({ type: LabelInput, description: 'Label selecting the nodes EMS runs on (EMS default ems=true).' }),
    nodeCount: t.int({ description: 'Number of nodes, 3–512.' }),
    flavor: t.string({ description: 'Node flavor (1–64 characters).' }),
    version: t.string({ description: 'EMS version (see `releases`).' }),
    ltsEnabled: t.boolean({ description: 'Ship logs to LTS (EMS default true).' }),
    ltsConnectType: t.field({ type: LtsConnectType, description: 'EMS default LOGAGENT.' }),
    monitorEnabled: t.boolean({ description: 'EMS default true.' }),
    nodeType: t.int({ description: '0, 1 or 2 (EMS default 0).' }),
  }),
});

export const MemorySpecInput = builder.inputType('MemorySpecInput', {
  description: 'Huge-page memory of the cluster.',
  fields: (t) => ({
    hugePageCount: t.int({ description: '131072–2147483647 pages (EMS default 131072).' }),
    hugePageSizeMb: t.int({ description: 'Page size in MB: 2 or 1024 (EMS default 2).' }),
  }),
});

export const CreateClusterInput = builder.inputType('CreateClusterInput', {
  fields: (t) => ({
    name: t.string({
      required: true,
      description: '4–128 lowercase letters, digits and "-", starting with a letter, not ending with "-"; unique in the project.',
    }),
    description: t.string({ description: 'At most 256 characters.' }),
    chargeMode: t.field({ type: ChargeMode }),
    k8s: t.field({ type: K8sClusterSpecInput, required: true }),
    memory: t.field({ type: MemorySpecInput }),
    idempotencyKey: t.string({ description: IDEMPOTENCY_KEY_DESCRIPTION }),
  }),
});

export const EnrollK8sClusterSpecInput = builder.inputType('EnrollK8sClusterSpecInput', {
  description: 'Where the existing EMS deployment runs.',
  fields: (t) => ({
    k8sClusterId: t.id({ required: true, description: 'UUID of the CCE cluster.' }),
    namespace: t.string({ required: true, description: 'Namespace of the EMS deployment (1–63 characters).' }),
    label: t.field({ type: LabelInput }),
    flavor: t.string(),
    version: t.string({ description: 'EMS default "v1".' }),
    ltsEnabled: t.boolean(),
    ltsConnectType: t.field({ type: LtsConnectType }),
    monitorEnabled: t.boolean(),
  }),
});

export const EnrollClusterInput = builder.inputType('EnrollClusterInput', {
  fields: (t) => ({
    clusterId: t.id({ description: 'UUID of the cluster, when re-enrolling.' }),
    name: t.string({ required: true, description: 'Same rule as CreateClusterInput.name.' }),
    description: t.string({ description: 'At most 256 characters.' }),
    k8s: t.field({ type: EnrollK8sClusterSpecInput, required: true }),
    vpcEndpointId: t.id({ description: 'UUID.' }),
    vpcSecurityGroupIds: t.idList({ description: 'UUIDs.' }),
    ltsHostGroup: t.id({ description: 'UUID.' }),
    ltsGroup: t.id({ description: 'UUID.' }),
    ltsStreams: t.idList({ description: 'UUIDs.' }),
    ltsAccessConfigs: t.idList({ description: 'UUIDs.' }),
    idempotencyKey: t.string({ description: IDEMPOTENCY_KEY_DESCRIPTION }),
  }),
});

const nodeNamesInput = (name: string, verb: string) =>
  builder.inputType(name, {
    fields: (t) => ({
      clusterId: t.id({ required: true, description: 'UUID of a RUNNING cluster.' }),
      nodeNames: t.stringList({
        required: true,
        description: `Names of the CCE nodes to ${verb}: 1–512 distinct names of 1–48 characters.`,
      }),
      idempotencyKey: t.string({ description: IDEMPOTENCY_KEY_DESCRIPTION }),
    }),
  });

export const ExpandClusterInput = nodeNamesInput('ExpandClusterInput', 'add');
export const ShrinkClusterInput = nodeNamesInput('ShrinkClusterInput', 'remove');

export const DeleteClusterInput = builder.inputType('DeleteClusterInput', {
  fields: (t) => ({
    clusterId: t.id({ required: true, description: 'UUID of the cluster.' }),
    idempotencyKey: t.string({ description: IDEMPOTENCY_KEY_DESCRIPTION }),
  }),
});

export const AuthorizeClusterInput = builder.inputType('AuthorizeClusterInput', {
  fields: (t) => ({
    clusterId: t.id({ required: true, description: 'UUID of the cluster.' }),
    idempotencyKey: t.string({ description: IDEMPOTENCY_KEY_DESCRIPTION }),
  }),
});

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
}

const REPLAYED_DESCRIPTION = 'True when this is the stored result of an earlier request with the same idempotencyKey (nothing was submitted).';

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
        resolve: (p, _args, ctx) => (p.jobId === null ? null : ctx.loaders.jobById.load(p.jobId)),
      }),
      cluster: t.field({
        type: Cluster,
        nullable: true,
        description:
          'The cluster as EMS shows it after the submission; null when EMS no longer knows it (or, with an error on this path, when it cannot be read).',
        resolve: (p, _args, ctx) => (p.clusterId === null ? null : loadCluster(ctx, p.clusterId)),
      }),
      replayed: t.exposeBoolean('replayed', { nullable: false, description: REPLAYED_DESCRIPTION }),
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
}

export const AuthorizeClusterPayload = builder.objectRef<AuthorizeClusterPayloadData>('AuthorizeClusterPayload').implement({
  description: 'EMS granted the cluster the permissions it needs.',
  fields: (t) => ({
    clusterId: t.exposeID('clusterId', { nullable: false }),
    cluster: t.field({ type: Cluster, nullable: true, resolve: (p, _args, ctx) => loadCluster(ctx, p.clusterId) }),
    replayed: t.exposeBoolean('replayed', { nullable: false, description: REPLAYED_DESCRIPTION }),
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

function nodeNamesMutation(
  ctx: Context,
  name: 'expandCluster' | 'shrinkCluster',
  input: NodeNamesInput,
): Promise<ClusterJobPayloadData> {
  const { clusterId, body } = validateNodeNames(input);
  return runMutation(ctx, {
    name,
    idempotencyKey: input.idempotencyKey,
    request: { clusterId: clusterId.toLowerCase(), body },
    subject: { clusterId },
    submit: async () => {
      const { jobId, accepted } =
        name === 'expandCluster' ? await ctx.ems.expandCluster(clusterId, body) : await ctx.ems.shrinkCluster(clusterId, body);
      return { jobId, clusterId, accepted };
    },
    reconcile: () => reconcileClusterChange(ctx.ems, name === 'expandCluster' ? 'expand' : 'shrink', clusterId),
    render: (stored, replayed) => renderClusterJob(ctx, stored, replayed),
    summary,
  });
}

builder.mutationFields((t) => ({
  createCluster: t.field({
    type: CreateClusterPayload,
    nullable: false,
    description: 'Creates an EMS cluster on a CCE cluster (CreateCluster). Asynchronous: follow `job`.',
    args: { input: t.arg({ type: CreateClusterInput, required: true }) },
    errors: mutationErrors('createCluster', 'CreateClusterResult'),
    resolve: (_root, { input }, ctx) => {
      const body = validateCreateCluster(input);
      return runMutation(ctx, {
        name: 'createCluster',
        idempotencyKey: input.idempotencyKey,
        request: body,
        subject: { clusterName: body.name },
        submit: async () => {
          const { jobId, clusterId, accepted } = await ctx.ems.createCluster(body);
          return { jobId, clusterId, accepted };
        },
        reconcile: () => reconcileClusterCreation(ctx.ems, 'create', { name: body.name, k8sClusterId: body.k8s_cluster_specification.k8s_cluster_id }),
        render: (stored, replayed) => renderClusterJob(ctx, stored, replayed),
        summary,
      });
    },
  }),
  enrollCluster: t.field({
    type: EnrollClusterPayload,
    nullable: false,
    description: 'Takes an existing EMS deployment under management (EnrollCluster, EMS ≥ 25.12.0). Asynchronous: follow `job`.',
    args: { input: t.arg({ type: EnrollClusterInput, required: true }) },
    errors: mutationErrors('enrollCluster', 'EnrollClusterResult'),
    resolve: (_root, { input }, ctx) => {
      const body = validateEnrollCluster(input);
      return runMutation(ctx, {
        name: 'enrollCluster',
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
        render: (stored, replayed) => renderClusterJob(ctx, stored, replayed),
        summary,
      });
    },
  }),
  expandCluster: t.field({
    type: ExpandClusterPayload,
    nullable: false,
    description: 'Adds CCE nodes to a RUNNING cluster (ExpandCluster). Asynchronous: follow `job`.',
    args: { input: t.arg({ type: ExpandClusterInput, required: true }) },
    errors: mutationErrors('expandCluster', 'ExpandClusterResult'),
    resolve: (_root, { input }, ctx) => nodeNamesMutation(ctx, 'expandCluster', input),
  }),
  shrinkCluster: t.field({
    type: ShrinkClusterPayload,
    nullable: false,
    description: 'Removes CCE nodes from a RUNNING cluster (ShrinkCluster). Asynchronous: follow `job`.',
    args: { input: t.arg({ type: ShrinkClusterInput, required: true }) },
    errors: mutationErrors('shrinkCluster', 'ShrinkClusterResult'),
    resolve: (_root, { input }, ctx) => nodeNamesMutation(ctx, 'shrinkCluster', input),
  }),
  deleteCluster: t.field({
    type: DeleteClusterPayload,
    nullable: false,
    description: 'Deletes a cluster (DeleteClusterById). Asynchronous: follow `job`; the cluster ends DELETED.',
    args: { input: t.arg({ type: DeleteClusterInput, required: true }) },
    errors: mutationErrors('deleteCluster', 'DeleteClusterResult'),
    resolve: (_root, { input }, ctx) => {
      const { clusterId } = validateClusterId(input);
      return runMutation(ctx, {
        name: 'deleteCluster',
        idempotencyKey: input.idempotencyKey,
        request: { clusterId: clusterId.toLowerCase() },
        subject: { clusterId },
        submit: async () => {
          const { jobId, accepted } = await ctx.ems.deleteCluster(clusterId);
          return { jobId, clusterId, accepted };
        },
        reconcile: () => reconcileClusterChange(ctx.ems, 'delete', clusterId),
        render: (stored, replayed) => renderClusterJob(ctx, stored, replayed),
        summary,
      });
    },
  }),
  authorizeCluster: t.field({
    type: AuthorizeClusterPayload,
    nullable: false,
    description: 'Grants the cluster the permissions it needs (AuthorizeCluster).',
    args: { input: t.arg({ type: AuthorizeClusterInput, required: true }) },
    errors: mutationErrors('authorizeCluster', 'AuthorizeClusterResult'),
    resolve: (_root, { input }, ctx) => {
      const { clusterId } = validateClusterId(input);
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
  }),
}));
