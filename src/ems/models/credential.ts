import { z } from 'zod';

/** `project_id` path parameter of the credential operations (and `X-Project-Id`): 1–255 letters and digits. */
export const PROJECT_ID_PATTERN = /^[A-Za-z0-9]{1,255}$/;
export const EmsProjectId = z.string().regex(PROJECT_ID_PATTERN, 'must be 1–255 letters or digits');
