import { z } from 'zod';
import {
  EmsCancelJobsRequest,
  EmsCreateClusterRequest,
  EmsEnrollClusterRequest,
  EmsNodeNameListRequest,
  EmsUuid,
  PROJECT_ID_PATTERN,
  valueAtPath,
} from '../ems/models/index.js';
import { ValidationError, type FieldError } from './errors.js';

/**
 * Validation of mutation inputs. The rules are not written here: each GraphQL input is mapped to the
 * EMS request it becomes and parsed with the EMS request schema of src/ems/models (the same one the
 * simulator enforces). Issue paths are then mapped back from EMS names to GraphQL input paths
 * (`k8s_cluster_specification.node_count` → `k8s.nodeCount`), so every rule lives in one place.
 */

// ---------------------------------------------------------------------------------------------
// GraphQL inputs, as the resolvers receive them (optional fields may be null or absent).

type Maybe<T> = T | null | undefined;

/** GraphQL enums carry their EMS integers as internal values (src/schema/cluster.ts): PAY_PER_USE = 0. */
export type ChargeModeValue = 0;
/** LOGAGENT = 0, ICAGENT = 1. */
export type LtsConnectTypeValue = 0 | 1;

export interface LabelInput {
  key: string;
  value: string;
}

export interface K8sClusterSpecInput {
  k8sClusterId: string;
  namespace?: Maybe<string>;
  label?: Maybe<LabelInput>;
  nodeCount?: Maybe<number>;
  flavor?: Maybe<string>;
  version?: Maybe<string>;
  ltsEnabled?: Maybe<boolean>;
  ltsConnectType?: Maybe<LtsConnectTypeValue>;
  monitorEnabled?: Maybe<boolean>;
  nodeType?: Maybe<number>;
}

export interface MemorySpecInput {
  hugePageCount?: Maybe<number>;
  hugePageSizeMb?: Maybe<number>;
}

export interface CreateClusterInput {
  name: string;
  description?: Maybe<string>;
  chargeMode?: Maybe<ChargeModeValue>;
  k8s: K8sClusterSpecInput;
  memory?: Maybe<MemorySpecInput>;
  idempotencyKey?: Maybe<string>;
}

export interface EnrollK8sClusterSpecInput {
  k8sClusterId: string;
  namespace: string;
  label?: Maybe<LabelInput>;
  flavor?: Maybe<string>;
  version?: Maybe<string>;
  ltsEnabled?: Maybe<boolean>;
  ltsConnectType?: Maybe<LtsConnectTypeValue>;
  monitorEnabled?: Maybe<boolean>;
}

export interface EnrollClusterInput {
  clusterId?: Maybe<string>;
  name: string;
  description?: Maybe<string>;
  k8s: EnrollK8sClusterSpecInput;
  vpcEndpointId?: Maybe<string>;
  vpcSecurityGroupIds?: Maybe<readonly string[]>;
  ltsHostGroup?: Maybe<string>;
  ltsGroup?: Maybe<string>;
  ltsStreams?: Maybe<readonly string[]>;
  ltsAccessConfigs?: Maybe<readonly string[]>;
  idempotencyKey?: Maybe<string>;
}

export interface NodeNamesInput {
  clusterId: string;
  nodeNames: readonly string[];
  idempotencyKey?: Maybe<string>;
}

export interface ClusterIdInput {
  clusterId: string;
  idempotencyKey?: Maybe<string>;
}

export interface CancelJobsInput {
  jobIds: readonly string[];
  idempotencyKey?: Maybe<string>;
}

export interface CreateCredentialInput {
  projectId?: Maybe<string>;
  idempotencyKey?: Maybe<string>;
}

// ---------------------------------------------------------------------------------------------
// Gateway-only rules (things that are not an EMS body).

/** `idempotencyKey`: 1–255 printable ASCII characters (a UUID is the usual choice). */
export const IDEMPOTENCY_KEY_MAX = 255;
export const IdempotencyKey = z
  .string()
  .min(1, 'must not be empty')
  .max(IDEMPOTENCY_KEY_MAX, `must be at most ${IDEMPOTENCY_KEY_MAX} characters`)
  .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces');

/** `project_id` path parameter of the credential operations. */
export const EmsProjectId = z.string().regex(PROJECT_ID_PATTERN, 'must be 1–255 letters or digits');

// ---------------------------------------------------------------------------------------------
// EMS name → GraphQL name, per request shape.

/** EMS key → GraphQL field name, or [name, map of the nested object]. Array indices pass through. */
export interface FieldMap {
  readonly [emsKey: string]: string | readonly [string, FieldMap];
}

const LABEL_MAP: FieldMap = { key: 'key', value: 'value' };

const K8S_MAP: FieldMap = {
  k8s_cluster_id: 'k8sClusterId',
  namespace: 'namespace',
  label: ['label', LABEL_MAP],
  node_count: 'nodeCount',
  flavor: 'flavor',
  version: 'version',
  lts_enable: 'ltsEnabled',
  lts_connect_type: 'ltsConnectType',
  monitor_enable: 'monitorEnabled',
  node_type: 'nodeType',
};

export const CREATE_CLUSTER_MAP: FieldMap = {
  name: 'name',
  description: 'description',
  charge_mode: 'chargeMode',
  k8s_cluster_specification: ['k8s', K8S_MAP],
  memory_specification: ['memory', { huge_page_num: 'hugePageCount', huge_page_flavor: 'hugePageSizeMb' }],
};

export const ENROLL_CLUSTER_MAP: FieldMap = {
  cluster_id: 'clusterId',
  name: 'name',
  description: 'description',
  k8s_cluster_specification: ['k8s', K8S_MAP],
  vpc_endpoint_id: 'vpcEndpointId',
  vpc_security_group_ids: 'vpcSecurityGroupIds',
  lts_host_group: 'ltsHostGroup',
  lts_group: 'ltsGroup',
  lts_streams: 'ltsStreams',
  lts_access_configs: 'ltsAccessConfigs',
};

export const NODE_NAMES_MAP: FieldMap = { node_name_list: 'nodeNames' };
export const CANCEL_JOBS_MAP: FieldMap = { job_ids: 'jobIds' };

/** Maps an EMS issue path to the GraphQL input path (relative to `input`). */
export function graphqlPath(emsPath: readonly PropertyKey[], map: FieldMap): string[] {
  const out: string[] = [];
  let current: FieldMap | null = map;
  for (const segment of emsPath) {
    if (typeof segment === 'number') {
      out.push(String(segment));
      continue;
    }
    const key = String(segment);
    const entry: FieldMap[string] | undefined = current?.[key];
    if (entry === undefined) {
      out.push(key);
      current = null;
    } else if (typeof entry === 'string') {
      out.push(entry);
      current = null;
    } else {
      out.push(entry[0]);
      current = entry[1];
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Issue collection.

/**
 * Readable messages for the zod issues whose schema gave none ("must be at least 3" rather than
 * "Too small: expected number to be >=3"). Messages set in src/ems/models take precedence.
 */
export function issueMessage(issue: z.core.$ZodRawIssue): string | undefined {
  const plural = (n: unknown, what: string) => `${String(n)} ${what}${n === 1 ? '' : 's'}`;
  switch (issue.code) {
    case 'too_small':
    case 'too_big': {
      const small = issue.code === 'too_small';
      const bound = small ? (issue as { minimum: unknown }).minimum : (issue as { maximum: unknown }).maximum;
      const inclusive = (issue as { inclusive?: boolean }).inclusive !== false;
      const origin = (issue as { origin?: string }).origin;
      const relation = small ? (inclusive ? 'at least' : 'more than') : inclusive ? 'at most' : 'less than';
      if (origin === 'string') return `must be ${relation} ${plural(bound, 'character')}`;
      if (origin === 'array' || origin === 'set') return `must have ${relation} ${plural(bound, 'item')}`;
      return `must be ${relation} ${String(bound)}`;
    }
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_union': {
      const values = issue.errors.flatMap((branch) =>
        branch.length === 1 && branch[0]?.code === 'invalid_value' ? branch[0].values : [Symbol.for('other')],
      );
      if (values.length > 0 && values.every((v) => typeof v !== 'symbol')) {
        return `must be one of ${values.map((v) => JSON.stringify(v)).join(', ')}`;
      }
      return undefined;
    }
    case 'invalid_type':
      return issue.input === undefined ? 'is required' : `must be a ${issue.expected}`;
    default:
      return undefined;
  }
}

/** Collects field errors from several checks, so one ValidationError names every bad field. */
export class InputChecker {
  readonly errors: FieldError[] = [];

  /**
   * Parses `value` with an EMS schema; issues are recorded under `prefix` + the mapped path.
   * Returns the parsed value, or undefined when it had issues.
   */
  parse<S extends z.ZodType>(schema: S, value: unknown, map: FieldMap | string, prefix: readonly string[] = []): z.output<S> | undefined {
    const result = schema.safeParse(value, { error: issueMessage });
    if (result.success) return result.data;
    for (const issue of result.error.issues) {
      const mapped = typeof map === 'string' ? [map, ...issue.path.map(String)] : graphqlPath(issue.path, map);
      this.add([...prefix, ...mapped], issue.message, valueAtPath(value, issue.path));
    }
    return undefined;
  }

  /** Records one error at a GraphQL input path (relative to `input`). */
  add(path: readonly string[], message: string, got?: unknown): void {
    const shown = describe(got);
    this.errors.push({
      path: ['input', ...path],
      field: path.join('.'),
      message: shown === null ? message : `${message} (got ${shown})`,
    });
  }

  /** Throws a ValidationError naming every recorded field, if any. */
  throwIfInvalid(): void {
    if (this.errors.length > 0) throw new ValidationError(this.errors);
  }
}


/** A short rendering of a bad scalar value for messages; null for objects, lists and absent values. */
function describe(value: unknown): string | null {
  if (typeof value === 'string') return JSON.stringify(value.length > 64 ? `${value.slice(0, 61)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return null;
}

// ---------------------------------------------------------------------------------------------
// GraphQL input → EMS request.

/** Drops null and undefined members, so EMS sees absent fields rather than nulls. */
function compact<T extends Record<string, unknown>>(obj: T): { [K in keyof T]: Exclude<T[K], null | undefined> } {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== null && v !== undefined)) as never;
}

function labelToEms(label: Maybe<LabelInput>) {
  return label ? { key: label.key, value: label.value } : undefined;
}

export function createClusterBody(input: CreateClusterInput): Record<string, unknown> {
  const k8s = input.k8s;
  return compact({
    name: input.name,
    description: input.description,
    charge_mode: input.chargeMode,
    k8s_cluster_specification: compact({
      k8s_cluster_id: k8s.k8sClusterId,
      namespace: k8s.namespace,
      label: labelToEms(k8s.label),
      node_count: k8s.nodeCount,
      flavor: k8s.flavor,
      version: k8s.version,
      lts_enable: k8s.ltsEnabled,
      lts_connect_type: k8s.ltsConnectType,
      monitor_enable: k8s.monitorEnabled,
      node_type: k8s.nodeType,
    }),
    memory_specification: input.memory
      ? compact({ huge_page_num: input.memory.hugePageCount, huge_page_flavor: input.memory.hugePageSizeMb })
      : undefined,
  });
}

export function enrollClusterBody(input: EnrollClusterInput): Record<string, unknown> {
  const k8s = input.k8s;
  return compact({
    cluster_id: input.clusterId,
    name: input.name,
    description: input.description,
    k8s_cluster_specification: compact({
      k8s_cluster_id: k8s.k8sClusterId,
      namespace: k8s.namespace,
      label: labelToEms(k8s.label),
      flavor: k8s.flavor,
      version: k8s.version,
      lts_enable: k8s.ltsEnabled,
      lts_connect_type: k8s.ltsConnectType,
      monitor_enable: k8s.monitorEnabled,
    }),
    vpc_endpoint_id: input.vpcEndpointId,
    vpc_security_group_ids: input.vpcSecurityGroupIds ? [...input.vpcSecurityGroupIds] : undefined,
    lts_host_group: input.ltsHostGroup,
    lts_group: input.ltsGroup,
    lts_streams: input.ltsStreams ? [...input.ltsStreams] : undefined,
    lts_access_configs: input.ltsAccessConfigs ? [...input.ltsAccessConfigs] : undefined,
  });
}

// ---------------------------------------------------------------------------------------------
// One validator per mutation: GraphQL input → the validated EMS request, or a ValidationError.

function checkIdempotencyKey(checker: InputChecker, key: Maybe<string>): void {
  if (key !== null && key !== undefined) checker.parse(IdempotencyKey, key, 'idempotencyKey');
}

function checkClusterId(checker: InputChecker, clusterId: string): void {
  checker.parse(EmsUuid, clusterId, 'clusterId');
}

export function validateCreateCluster(input: CreateClusterInput): EmsCreateClusterRequest {
  const checker = new InputChecker();
  const body = checker.parse(EmsCreateClusterRequest, createClusterBody(input), CREATE_CLUSTER_MAP);
  checkIdempotencyKey(checker, input.idempotencyKey);
  checker.throwIfInvalid();
  return body!;
}

export function validateEnrollCluster(input: EnrollClusterInput): EmsEnrollClusterRequest {
  const checker = new InputChecker();
  const body = checker.parse(EmsEnrollClusterRequest, enrollClusterBody(input), ENROLL_CLUSTER_MAP);
  checkIdempotencyKey(checker, input.idempotencyKey);
  checker.throwIfInvalid();
  return body!;
}

/** Expand and shrink: the cluster id and the node name list. */
export function validateNodeNames(input: NodeNamesInput): { clusterId: string; body: EmsNodeNameListRequest } {
  const checker = new InputChecker();
  checkClusterId(checker, input.clusterId);
  const body = checker.parse(EmsNodeNameListRequest, { node_name_list: [...input.nodeNames] }, NODE_NAMES_MAP);
  checkIdempotencyKey(checker, input.idempotencyKey);
  checker.throwIfInvalid();
  return { clusterId: input.clusterId, body: body! };
}

/** Delete and authorize: the cluster id. */
export function validateClusterId(input: ClusterIdInput): { clusterId: string } {
  const checker = new InputChecker();
  checkClusterId(checker, input.clusterId);
  checkIdempotencyKey(checker, input.idempotencyKey);
  checker.throwIfInvalid();
  return { clusterId: input.clusterId };
}

export function validateCancelJobs(input: CancelJobsInput): EmsCancelJobsRequest {
  const checker = new InputChecker();
  const body = checker.parse(EmsCancelJobsRequest, { job_ids: [...input.jobIds] }, CANCEL_JOBS_MAP);
  checkIdempotencyKey(checker, input.idempotencyKey);
  checker.throwIfInvalid();
  return body!;
}

/**
 * `projectId` defaults to the gateway's configured project (EMS_PROJECT_ID); with neither, the
 * field is reported as required.
 */
export function validateCreateCredential(input: CreateCredentialInput, defaultProjectId: string | null): { projectId: string } {
  const checker = new InputChecker();
  const projectId = input.projectId ?? defaultProjectId;
  if (projectId === null) {
    checker.add(['projectId'], 'is required: the gateway has no EMS_PROJECT_ID to default to');
  } else {
    checker.parse(EmsProjectId, projectId, 'projectId');
  }
  checkIdempotencyKey(checker, input.idempotencyKey);
  checker.throwIfInvalid();
  return { projectId: projectId! };
}
