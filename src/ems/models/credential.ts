import { z } from 'zod';

/** `project_id` path parameter of the credential operations (and `X-Project-Id`): 1–255 letters and digits. */
export const PROJECT_ID_MAX = 255;
export const PROJECT_ID_PATTERN = new RegExp(`^[A-Za-z0-9]{1,${PROJECT_ID_MAX}}$`);
export const PROJECT_ID_RULE = `1–${PROJECT_ID_MAX} letters or digits`;
export const EmsProjectId = z.string().regex(PROJECT_ID_PATTERN, `must be ${PROJECT_ID_RULE}`);
