import { z } from 'zod';

/** Longest label key and value the gateway sends. */
export const LABEL_KEY_MAX = 63;
export const LABEL_VALUE_MAX = 63;
/** What a label key the gateway sends may hold, in words. */
export const LABEL_KEY_RULE = 'letters, digits, "-", "_", ".", "/"; starts and ends alphanumeric';
/** Kubernetes label key: 1–63 of letters, digits, `-`, `_`, `.`, `/`; starts and ends alphanumeric. */
export const LABEL_KEY_PATTERN = new RegExp(`^[A-Za-z0-9]([A-Za-z0-9._/-]{0,${LABEL_KEY_MAX - 2}}[A-Za-z0-9])?$`);

/** A node label the gateway sends (the node selector of CreateCluster and EnrollCluster). */
export const EmsLabel = z.object({
  key: z.string().min(1).max(LABEL_KEY_MAX).regex(LABEL_KEY_PATTERN, LABEL_KEY_RULE),
  value: z.string().max(LABEL_VALUE_MAX),
});
export type EmsLabel = z.infer<typeof EmsLabel>;

/** ListClustersLabels limits: `limit` 1..2000 (default 2000), `offset` 0..2000. */
export const LABELS_MAX_LIMIT = 2000;
