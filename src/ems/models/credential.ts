/** `project_id` path parameter of the credential operations: 1–255 letters and digits. */
export const PROJECT_ID_PATTERN = /^[A-Za-z0-9]{1,255}$/;
