/**
 * Enum values EMS may add later. A status the schema does not list is never an error: it reads as
 * UNKNOWN, and the object's `statusText` keeps what EMS sent.
 */

export const UNKNOWN_DESCRIPTION = 'EMS sent a value this schema does not list (or none); `statusText` keeps what it sent.';

export const STATUS_TEXT_DESCRIPTION =
  'The status exactly as EMS sent it. `status` is UNKNOWN when EMS sends one this schema does not list; this keeps its text (null when EMS sent none).';

/** Pothos enum values: the listed ones, then UNKNOWN. */
export function withUnknown<T extends string>(values: readonly T[]): Record<T | 'UNKNOWN', { value: T | 'UNKNOWN'; description?: string }> {
  return {
    ...Object.fromEntries(values.map((value) => [value, { value }])),
    UNKNOWN: { value: 'UNKNOWN', description: UNKNOWN_DESCRIPTION },
  } as Record<T | 'UNKNOWN', { value: T | 'UNKNOWN'; description?: string }>;
}
