import type { z } from 'zod';
import { issueText, valueAtPath } from '../ems/models/index.js';
import { emsErrors, type SimHttpError } from './errors.js';

/**
 * Maps request-validation failures to EMS errors:
 * - numeric range violations (zod `too_small`/`too_big` on a number) → 400 `common.00000400`
 *   `[object].[field]: must be greater/less than or equal to [bound]` (object = the enclosing
 *   field's name, or `body` at the top level), for the first such issue;
 * - anything else (missing field, wrong type, pattern, string length, array size, enum) → 400
 *   `EMS.00004000` `invalid parameter: <path>: <problem>[; ...]`, listing every issue.
 * When both kinds occur, the non-range ones win, so the message names every bad field.
 */

type Issue = z.core.$ZodIssue;

/** Root name used as `[object]` for top-level fields. */
const ROOT = 'body';

export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  throw issuesToError(result.error.issues, body);
}

/** `input` is the validated value, used to tell a missing field from a mistyped one. */
export function issuesToError(issues: readonly Issue[], input: unknown): SimHttpError {
  const other = issues.filter((i) => !isNumericRange(i));
  if (other.length === 0 && issues.length > 0) {
    const issue = issues[0]!;
    const path = issue.path;
    const field = segmentName(path[path.length - 1] ?? ROOT);
    const object = path.length >= 2 ? segmentName(path[path.length - 2]!) : ROOT;
    if (issue.code === 'too_small') return emsErrors.outOfRange(object, field, 'greater', String(issue.minimum));
    if (issue.code === 'too_big') return emsErrors.outOfRange(object, field, 'less', String(issue.maximum));
  }
  return emsErrors.invalidParameter(other.map((i) => `${formatPath(i.path)}: ${issueText(i, valueAtPath(input, i.path))}`).join('; '));
}

function isNumericRange(issue: Issue): boolean {
  return (issue.code === 'too_small' || issue.code === 'too_big') && (issue.origin === 'number' || issue.origin === 'int');
}

function segmentName(seg: PropertyKey): string {
  return typeof seg === 'number' ? `${seg}` : String(seg);
}

/** `a.b[2].c` */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out === '' ? String(seg) : `.${String(seg)}`;
  }
  return out === '' ? ROOT : out;
}


/** Bounds of one list operation's `limit`/`offset` query. */
export interface PaginationSpec {
  defaultLimit: number;
  minLimit: number;
  maxLimit: number;
  maxOffset: number;
}

export const INT32_MAX = 2147483647;

/**
 * Reads `limit` and `offset`: decimal integers without sign, within the operation's bounds, each
 * given at most once. Anything else → 400 EMS.00004000 "invalid pagination parameters".
 */
export function parsePagination(query: URLSearchParams, spec: PaginationSpec): { limit: number; offset: number } {
  return {
    limit: readInt(query, 'limit', spec.defaultLimit, spec.minLimit, spec.maxLimit),
    offset: readInt(query, 'offset', 0, 0, spec.maxOffset),
  };
}

function readInt(query: URLSearchParams, name: string, fallback: number, min: number, max: number): number {
  const values = query.getAll(name);
  if (values.length === 0) return fallback;
  const raw = values[0]!;
  if (values.length > 1 || !/^\d{1,10}$/.test(raw)) throw emsErrors.invalidPagination();
  const n = Number(raw);
  if (n < min || n > max) throw emsErrors.invalidPagination();
  return n;
}
