import { z } from 'zod';

/**
 * Shared pieces of the EMS request side: what the gateway sends (and what the simulator checks
 * incoming requests against). Responses are read by src/ems/read, never with these rules.
 */

/** What an HTTP header value may hold (tab, visible ASCII, space, Latin-1), as undici enforces. */
export const HEADER_VALUE_PATTERN = /^[\t\x20-\x7e\x80-\xff]*$/;

/** 8-4-4-4-12 hexadecimal UUID, any case. */
export const UUID_PATTERN = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
export const EmsUuid = z.string().regex(UUID_PATTERN, 'must be a UUID (8-4-4-4-12 hexadecimal digits)');

/** Query of the paginated list operations. */
export interface EmsPage {
  /** @default the operation's own default (100 or 1000) */
  limit?: number;
  /** @default 0 */
  offset?: number;
}

/** The first rule of `schema` that `value` breaks, as its message; null when it keeps them all. */
export function brokenRule(schema: z.ZodType, value: unknown): string | null {
  const parsed = schema.safeParse(value);
  return parsed.success ? null : (parsed.error.issues[0]?.message ?? 'is invalid');
}

/** The value a zod issue's `path` points at in the parsed input, or undefined. */
export function valueAtPath(root: unknown, path: readonly PropertyKey[]): unknown {
  let current = root;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}
