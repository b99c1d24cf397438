import { z } from 'zod';

/**
 * Pieces for reading environment variables with zod, shared by src/config.ts and
 * src/security/config.ts. An unset variable and one set to blanks are the same: absent.
 */

/** A blank string as undefined, so that defaults and `optional()` apply. */
export const blankAsAbsent = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

/** Whether `name` is set to something other than blanks. */
export const isSet = (env: Record<string, string | undefined>, name: string) => (env[name] ?? '').trim() !== '';

export const optionalString = z.preprocess(blankAsAbsent, z.string().optional());

const numberIn = (min: number, max: number, whole: boolean) => {
  const n = z.coerce.number({ error: 'must be a number' });
  return (whole ? n.int('must be a whole number') : n).min(min, `must be at least ${min}`).max(max, `must be at most ${max}`);
};

/** A whole number in [min, max], `dflt` when absent. */
export const int = (min: number, max: number, dflt: number) => z.preprocess(blankAsAbsent, numberIn(min, max, true).default(dflt));

/** A whole number in [min, max], or undefined when absent. */
export const optionalInt = (min: number, max: number) => z.preprocess(blankAsAbsent, numberIn(min, max, true).optional());

/** A number in [min, max] (fractions allowed), `dflt` when absent. */
export const decimal = (min: number, max: number, dflt: number) => z.preprocess(blankAsAbsent, numberIn(min, max, false).default(dflt));

/** A string, `dflt` when absent. */
export const stringOr = (dflt: string) => z.preprocess(blankAsAbsent, z.string().default(dflt));
