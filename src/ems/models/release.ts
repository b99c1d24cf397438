import { z } from 'zod';
import { EmsTotal, optionalString } from './common.js';

/** The tag that marks the release EMS recommends. */
export const PREFERRED_VERSION_TAG = 'PREFERRED_VERSION';

export const EmsRelease = z.object({
  version: z.string().max(64).regex(/^[A-Za-z0-9._-]*$/, 'letters, digits, ".", "-", "_" only'),
  tag: z
    .string()
    .max(64)
    .regex(/^[A-Za-z0-9_]*$/, 'letters, digits, "_" only')
    .nullish(),
  description: optionalString(2048),
});
export type EmsRelease = z.infer<typeof EmsRelease>;

export const EmsListReleasesResponse = z.object({
  total: EmsTotal,
  releases: z.array(EmsRelease).max(1000),
});
export type EmsListReleasesResponse = z.infer<typeof EmsListReleasesResponse>;
