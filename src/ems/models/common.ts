import { z } from 'zod';

/**
 * Shared pieces of the EMS wire format (see ../shared/ems-api.md, "Transport and conventions").
 * Response models are lenient about extra fields (they are stripped) and strict about the types of
 * the fields we read: a body that does not fit is an error, never a silently wrong value.
 */

/** 8-4-4-4-12 hexadecimal UUID, any case. */
export const UUID_PATTERN = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
export const EmsUuid = z.string().regex(UUID_PATTERN, 'must be a UUID (8-4-4-4-12 hexadecimal digits)');

/**
 * EMS timestamps are UTC `yyyy-MM-ddTHH:mm:ssZ`. We also accept fractional seconds and numeric
 * offsets, which other EMS-compatible servers send; anything `Date` cannot read is refused.
 */
const TIMESTAMP_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})$/;
export const EmsTimestamp = z
  .string()
  .refine((s) => TIMESTAMP_PATTERN.test(s) && !Number.isNaN(Date.parse(s)), {
    message: 'must be a UTC timestamp like 2020-09-25T12:05:00Z',
  });

/** Formats a Date the way EMS does: second precision, `Z`. */
export function formatEmsTimestamp(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Body of every EMS 4xx/5xx response. */
export const EmsErrorBody = z.object({
  error_code: z.string(),
  error_msg: z.string(),
});
export type EmsErrorBody = z.infer<typeof EmsErrorBody>;

/** `total` fields: 0..2147483647. */
export const EmsTotal = z.number().int().min(0).max(2147483647);

/** Query of the paginated list operations. */
export interface EmsPage {
  /** @default the operation's own default (100 or 1000) */
  limit?: number;
  /** @default 0 */
  offset?: number;
}

/** Optional strings EMS may send as null, absent or "". */
export const optionalString = (max: number) => z.string().max(max).nullish();

/** The value a zod issue's `path` points at in the parsed input, or undefined. */
export function valueAtPath(root: unknown, path: readonly PropertyKey[]): unknown {
  let current = root;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}
