import { z } from 'zod';

/**
 * Shared pieces of the EMS request side: what the gateway sends (and what the simulator checks
 * incoming requests against). Responses are read by src/ems/read, never with these rules.
 */

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

/** The value a zod issue's `path` points at in the parsed input, or undefined. */
export function valueAtPath(root: unknown, path: readonly PropertyKey[]): unknown {
  let current = root;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}
