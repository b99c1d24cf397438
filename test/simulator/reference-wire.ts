import { z } from 'zod';

/**
 * The EMS reference's wire format, written strictly for tests: what the simulator sends in its
 * default (`reference`) mode must fit these exactly, with no field the reference does not list.
 * They are test-only on purpose: the gateway reads responses with its tolerant read models
 * (src/ems/read), and the simulator writes them itself (src/simulator/wire.ts).
 */

const TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const Time = z.string().regex(TIME);
/** `begin_at` / `end_at`: a time, or `""` until it happens. */
const MaybeTime = z.union([Time, z.literal('')]);
const Status = z.enum(['CREATING', 'RUNNING', 'FREEZE', 'UPGRADING', 'EXPANDING', 'SHRINKING', 'DELETING', 'DELETED']);
const JobStatus = z.enum(['INIT', 'RUNNING', 'STOPPED', 'FAILED', 'COMPLETED']);

export const EmsErrorBody = z.strictObject({ error_code: z.string(), error_msg: z.string() });

export const EmsRelease = z.strictObject({ version: z.string().max(64), tag: z.string().max(64), description: z.string().max(2048) });
export const EmsListReleasesResponse = z.strictObject({ total: z.number().int().min(0), releases: z.array(EmsRelease).max(1000) });

export const EmsFeature = z.strictObject({
  feature: z.string().max(256),
  switch: z.boolean(),
  type: z.string().max(32),
  value: z.string().max(512),
  description: z.string().max(2048),
});
export const EmsListFeaturesResponse = z.strictObject({
  total: z.number().int().min(0),
  project_id: z.string().max(64),
  features: z.array(EmsFeature).max(1000),
});

/** Node labels as Kubernetes has them: prefixed keys up to 253 + 1 + 63, empty values. */
export const EmsLabel = z.strictObject({ key: z.string().min(1).max(317), value: z.string().max(63) });
export const EmsListLabelsResponse = z.strictObject({ total: z.number().int().min(0), labels: z.array(EmsLabel) });

export const EmsCluster = z.strictObject({
  cluster_metadata: z.strictObject({
    id: z.string().regex(UUID),
    status: Status,
    reason: z.string(),
    project_id: z.string(),
    created_at: Time,
    updated_at: Time,
    k8s_name: z.string(),
    available_node_count: z.number().int().min(0).max(512),
  }),
  cluster_specification: z.strictObject({
    name: z.string().min(4).max(128),
    description: z.string().nullable(),
    charge_mode: z.literal(0),
    k8s_cluster_specification: z.strictObject({
      k8s_cluster_id: z.string().regex(UUID),
      namespace: z.string().nullable(),
      label: z.strictObject({ key: z.string(), value: z.string() }),
      node_count: z.number().int().min(0).max(512),
      flavor: z.string().nullable(),
      version: z.string(),
      lts_enable: z.boolean(),
      lts_connect_type: z.union([z.literal(0), z.literal(1)]),
      monitor_enable: z.boolean(),
      node_type: z.union([z.literal(0), z.literal(1), z.literal(2)]),
    }),
    memory_specification: z.strictObject({ huge_page_num: z.number().int(), huge_page_flavor: z.number().int() }),
  }),
});
export const EmsListClustersResponse = z.strictObject({ clusters: z.array(EmsCluster).max(1000) });

export const EmsTask = z.strictObject({
  id: z.string().max(48),
  status: JobStatus,
  message: z.string().max(128),
  created_at: Time,
  begin_at: MaybeTime,
  end_at: MaybeTime,
});
export const EmsJob = z.strictObject({
  id: z.string().min(1).max(48),
  cluster_id: z.string().max(36),
  name: z.string().min(1).max(128),
  status: JobStatus,
  progress: z.number().min(0).max(100),
  message: z.string().max(32).nullable(),
  created_at: Time,
  begin_at: MaybeTime,
  end_at: MaybeTime,
  task_list: z.array(EmsTask),
});
export const EmsListJobsResponse = z.strictObject({ jobs: z.array(EmsJob).max(1000) });

export const EmsClusterJobResponse = z.strictObject({ job_id: z.string().min(1).max(48), cluster_id: z.string().regex(UUID) });
export const EmsJobResponse = z.strictObject({ job_id: z.string().min(1).max(48) });
export const EmsCancelJobsResponse = z.strictObject({
  success_rows: z.number().int().min(0),
  failed_rows: z.number().int().min(0),
  failed_ids: z.array(z.string()).max(1000),
});

export const EmsCredential = z.strictObject({
  projectId: z.string().regex(/^[A-Za-z0-9]{32,36}$/),
  cdKey: z.string().regex(/^[A-Za-z0-9]{32,36}$/),
  createAt: z.number().int().nonnegative(),
});
export const EmsShowCredentialsResponse = z.array(EmsCredential);
