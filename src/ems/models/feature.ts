import { z } from 'zod';
import { EmsTotal, optionalString } from './common.js';

export const EmsFeature = z.object({
  feature: z.string().max(256),
  switch: z.boolean(),
  type: optionalString(32),
  value: optionalString(512),
  description: optionalString(2048),
});
export type EmsFeature = z.infer<typeof EmsFeature>;

export const EmsListFeaturesResponse = z.object({
  total: EmsTotal,
  project_id: optionalString(64),
  features: z.array(EmsFeature).max(1000),
});
export type EmsListFeaturesResponse = z.infer<typeof EmsListFeaturesResponse>;
