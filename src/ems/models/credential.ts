import { z } from 'zod';

/** `project_id` path parameter of the credential operations: 1–255 letters and digits. */
export const PROJECT_ID_PATTERN = /^[A-Za-z0-9]{1,255}$/;

export const EmsCredential = z.object({
  projectId: z.string().regex(/^[A-Za-z0-9]{32,36}$/, 'must be 32–36 letters or digits'),
  cdKey: z.string().regex(/^[A-Za-z0-9]{32,36}$/, 'must be 32–36 letters or digits'),
  /** Epoch milliseconds. */
  createAt: z.number().int().nonnegative(),
});
export type EmsCredential = z.infer<typeof EmsCredential>;

export const EmsShowCredentialsResponse = z.array(EmsCredential);
export type EmsShowCredentialsResponse = z.infer<typeof EmsShowCredentialsResponse>;
