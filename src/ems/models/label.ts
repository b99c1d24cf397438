import { z } from 'zod';

/** Kubernetes label key: 1–63 of letters, digits, `-`, `_`, `.`, `/`; starts and ends alphanumeric. */
export const LABEL_KEY_PATTERN = /^[A-Za-z0-9]([A-Za-z0-9._/-]{0,61}[A-Za-z0-9])?$/;

/** A node label the gateway sends (the node selector of CreateCluster and EnrollCluster). */
export const EmsLabel = z.object({
  key: z.string().min(1).max(63).regex(LABEL_KEY_PATTERN, 'letters, digits, "-", "_", ".", "/", starting and ending alphanumeric'),
  value: z.string().max(63),
});
export type EmsLabel = z.infer<typeof EmsLabel>;

/** ListClustersLabels limits: `limit` 1..2000 (default 2000), `offset` 0..2000. */
export const LABELS_MAX_LIMIT = 2000;
