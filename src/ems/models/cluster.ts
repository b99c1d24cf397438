import { z } from 'zod';
import { EmsUuid } from './common.js';
import { EmsLabel } from './label.js';

export const CLUSTER_STATUSES = [
  'CREATING',
  'RUNNING',
  'FREEZE',
  'UPGRADING',
  'EXPANDING',
  'SHRINKING',
  'DELETING',
  'DELETED',
] as const;
export const EmsClusterStatus = z.enum(CLUSTER_STATUSES);
export type EmsClusterStatus = z.infer<typeof EmsClusterStatus>;

export const CLUSTER_NAME_MIN = 4;
export const CLUSTER_NAME_MAX = 128;
/**
 * Cluster name: 4–128 characters of lowercase letters, digits and `-`, starting with a letter and
 * not ending with `-`. One rule a check, so an error says which rule failed.
 */
export const EmsClusterName = z
  .string()
  .min(CLUSTER_NAME_MIN, `must be at least ${CLUSTER_NAME_MIN} characters`)
  .max(CLUSTER_NAME_MAX, `must be at most ${CLUSTER_NAME_MAX} characters`)
  .regex(/^[a-z0-9-]*$/, 'only lowercase letters, digits and "-" are allowed')
  .regex(/^[a-z]/, 'must start with a lowercase letter')
  .regex(/[^-]$/, 'must not end with "-"');

export const NODE_COUNT_MIN = 3;
export const NODE_COUNT_MAX = 512;
export const HUGE_PAGE_NUM_MIN = 131072;
export const HUGE_PAGE_NUM_MAX = 2147483647;
/** What EMS fills in when CreateCluster leaves the memory out: 131072 pages of 2 MB (256 GiB). */
export const HUGE_PAGE_NUM_DEFAULT = HUGE_PAGE_NUM_MIN;
export const HUGE_PAGE_FLAVOR_DEFAULT = 2;
/**
 * Huge page sizes in MB. The scan only gives the default (2); we accept the two sizes x86 and
 * Arm servers offer, 2 MiB and 1 GiB (ambiguity resolved here, simulator and gateway agree).
 */
export const HUGE_PAGE_FLAVORS = [2, 1024] as const;
/**
 * Cluster description length. The scan gives 256 for EnrollCluster and nothing for CreateCluster;
 * we apply 256 to both.
 */
export const DESCRIPTION_MAX = 256;
/** Node name length in expand/shrink lists (the scan's limit is unclear; 48 chosen). */
export const NODE_NAME_MAX = 48;
/** Longest namespace and node flavor sent. */
export const NAMESPACE_MAX = 63;
export const FLAVOR_MAX = 64;
/** Longest EMS version sent (see ListReleases). */
export const VERSION_MAX = 64;
/** Longest UUID list of EnrollCluster (security groups, LTS streams and access configs); the scan gives none, 100 chosen. */
export const ENROLL_UUID_LIST_MAX = 100;
/** The first EMS version EnrollCluster supports. */
export const ENROLL_MIN_VERSION = '25.12.0';
/** What EnrollCluster's `version` means when absent: the documented default, "v1" (the preferred release). */
export const ENROLL_DEFAULT_VERSION = 'v1';
/** The node selector EMS uses when none is sent. */
export const DEFAULT_NODE_LABEL = { key: 'ems', value: 'true' } as const;

/** `{key, value}` label selecting the nodes EMS runs on (key default `ems`, value default `true`). */
export const EmsNodeLabel = EmsLabel;

/** `lts_connect_type`: 0 = logagent (default), 1 = icagent. */
export const EmsLtsConnectType = z.union([z.literal(0), z.literal(1)]);
/** `node_type`: 0, 1 or 2 (the kinds are unclear in the scan). */
export const NODE_TYPES = [0, 1, 2] as const;
export const EmsNodeType = z.union(NODE_TYPES.map((n) => z.literal(n)) as [z.ZodLiteral<0>, z.ZodLiteral<1>, z.ZodLiteral<2>]);
/** `charge_mode`: 0 = pay per use (the only mode documented). */
export const EmsChargeMode = z.literal(0);

export const EmsK8sClusterSpecification = z.object({
  k8s_cluster_id: EmsUuid,
  namespace: z.string().min(1).max(NAMESPACE_MAX).nullish(),
  label: EmsNodeLabel.nullish(),
  node_count: z.number().int().min(NODE_COUNT_MIN).max(NODE_COUNT_MAX).nullish(),
  flavor: z.string().min(1).max(FLAVOR_MAX).nullish(),
  version: z.string().max(VERSION_MAX).nullish(),
  lts_enable: z.boolean().nullish(),
  lts_connect_type: EmsLtsConnectType.nullish(),
  monitor_enable: z.boolean().nullish(),
  node_type: EmsNodeType.nullish(),
});
export type EmsK8sClusterSpecification = z.infer<typeof EmsK8sClusterSpecification>;

export const EmsMemorySpecification = z.object({
  huge_page_num: z.number().int().min(HUGE_PAGE_NUM_MIN).max(HUGE_PAGE_NUM_MAX).nullish(),
  huge_page_flavor: z
    .number()
    .int()
    .refine((n) => (HUGE_PAGE_FLAVORS as readonly number[]).includes(n), {
      message: `must be one of ${HUGE_PAGE_FLAVORS.join(', ')} (MB)`,
    })
    .nullish(),
});
export type EmsMemorySpecification = z.infer<typeof EmsMemorySpecification>;

/** CreateCluster body. */
export const EmsClusterSpecification = z.object({
  name: EmsClusterName,
  description: z.string().max(DESCRIPTION_MAX).nullish(),
  charge_mode: EmsChargeMode.nullish(),
  k8s_cluster_specification: EmsK8sClusterSpecification,
  memory_specification: EmsMemorySpecification.nullish(),
});
export type EmsClusterSpecification = z.infer<typeof EmsClusterSpecification>;
export const EmsCreateClusterRequest = EmsClusterSpecification;
export type EmsCreateClusterRequest = EmsClusterSpecification;

export const EmsEnrollK8sClusterSpecification = z.object({
  k8s_cluster_id: EmsUuid,
  namespace: z.string().min(1).max(NAMESPACE_MAX),
  label: EmsNodeLabel.nullish(),
  flavor: z.string().min(1).max(FLAVOR_MAX).nullish(),
  /** @default "v1" */
  version: z.string().max(VERSION_MAX).nullish(),
  lts_enable: z.boolean().nullish(),
  lts_connect_type: EmsLtsConnectType.nullish(),
  monitor_enable: z.boolean().nullish(),
});
export type EmsEnrollK8sClusterSpecification = z.infer<typeof EmsEnrollK8sClusterSpecification>;

export const EmsEnrollClusterRequest = z.object({
  cluster_id: EmsUuid.nullish(),
  name: EmsClusterName,
  description: z.string().max(DESCRIPTION_MAX).nullish(),
  k8s_cluster_specification: EmsEnrollK8sClusterSpecification,
  vpc_endpoint_id: EmsUuid.nullish(),
  vpc_security_group_ids: z.array(EmsUuid).max(ENROLL_UUID_LIST_MAX).nullish(),
  lts_host_group: EmsUuid.nullish(),
  lts_group: EmsUuid.nullish(),
  lts_streams: z.array(EmsUuid).max(ENROLL_UUID_LIST_MAX).nullish(),
  lts_access_configs: z.array(EmsUuid).max(ENROLL_UUID_LIST_MAX).nullish(),
});
export type EmsEnrollClusterRequest = z.infer<typeof EmsEnrollClusterRequest>;

/** Expand/shrink body: the CCE node names to add or remove. */
export const EmsNodeNameListRequest = z.object({
  node_name_list: z
    .array(z.string().min(1, 'must not be empty').max(NODE_NAME_MAX, `must be at most ${NODE_NAME_MAX} characters`))
    .min(1, 'must name at least one node')
    .max(NODE_COUNT_MAX, `must name at most ${NODE_COUNT_MAX} nodes`)
    .refine((names) => new Set(names).size === names.length, { message: 'must not repeat a node name' }),
});
export type EmsNodeNameListRequest = z.infer<typeof EmsNodeNameListRequest>;
