import { z } from 'zod';
import { quote } from '../ems/errors.js';
import { issueText, valueAtPath } from '../ems/models/index.js';
import { DEFAULT_TTL_MS } from '../idempotency/index.js';
import { ValidationError, type FieldError } from './errors.js';

/**
 * Validation of mutation inputs. No rule is written here: each GraphQL input becomes the EMS request
 * it stands for through its {@link EmsMapping}, which is parsed with the EMS request model of
 * src/ems/models (the one the simulator enforces too). The same mapping, read backwards, turns the
 * EMS path of each issue into the GraphQL path of the field (`k8s_cluster_specification.node_count`
 * → `k8s.nodeCount`), so every rule, and every name, is declared once.
 */

// ---------------------------------------------------------------------------------------------
// GraphQL input ↔ EMS request

/**
 * How a GraphQL input object becomes an EMS body, declared next to its Pothos ref (whose inferred
 * shape `Input` is): each field's EMS name, with the mapping of a nested input object, or null for a
 * field that is not part of the body (a path parameter, the idempotency key). TypeScript checks
 * that every field of the input is mapped.
 */
export type EmsMapping<Input> = {
  readonly [K in keyof Input]-?: NonNullable<Input[K]> extends readonly unknown[]
    ? string | null
    : NonNullable<Input[K]> extends object
      ? readonly [string, EmsMapping<NonNullable<Input[K]>>] | null
      : string | null;
};

/** A mapping as the functions below walk it, whatever the input type. */
interface AnyMapping {
  readonly [field: string]: Target;
}
type Target = string | readonly [string, AnyMapping] | null;

/** The EMS name a field becomes, or null. */
const emsName = (target: Target) => (target === null || typeof target === 'string' ? target : target[0]);

/**
 * The EMS body of a GraphQL input: fields renamed as `mapping` says, nested objects mapped, lists
 * copied. A field that is null or absent is left out, so EMS sees no explicit nulls.
 */
export function toEmsBody<Input>(input: Input, mapping: EmsMapping<Input>): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const [field, target] of Object.entries(mapping as AnyMapping)) {
    const value = (input as Record<string, unknown>)[field];
    if (target === null || value === null || value === undefined) continue;
    if (typeof target === 'string') body[target] = Array.isArray(value) ? [...(value as unknown[])] : value;
    else body[target[0]] = toEmsBody(value, target[1]);
  }
  return body;
}

/** The GraphQL input path (below `input`) of an EMS request path: `mapping` read backwards. List indices pass through. */
export function graphqlPath<Input>(emsPath: readonly PropertyKey[], mapping: EmsMapping<Input>): string[] {
  const out: string[] = [];
  let current: AnyMapping | null = mapping as AnyMapping;
  for (const segment of emsPath) {
    const name = String(segment);
    const entry: [string, Target] | undefined =
      typeof segment === 'number' || current === null ? undefined : Object.entries(current).find(([, target]) => emsName(target) === name);
    // A list index, or a name the mapping does not know, passes through.
    out.push(entry ? entry[0] : name);
    if (typeof segment !== 'number') current = entry && entry[1] !== null && typeof entry[1] !== 'string' ? entry[1][1] : null;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Gateway-only rules (things that are not part of an EMS request).

/** `idempotencyKey`: 1–255 printable ASCII characters without spaces (a UUID is the usual choice). */
export const IDEMPOTENCY_KEY_MAX = 255;
export const IdempotencyKey = z
  .string()
  .min(1, 'must not be empty')
  .max(IDEMPOTENCY_KEY_MAX, `must be at most ${IDEMPOTENCY_KEY_MAX} characters`)
  .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces');

/** How long a key is remembered, in words: "10 minutes". */
export const IDEMPOTENCY_WINDOW = `${DEFAULT_TTL_MS / 60_000} minutes`;

/** The description of every `idempotencyKey` input field. */
export const IDEMPOTENCY_KEY_DESCRIPTION =
  `Optional. Repeats of the same key by the same caller for the same mutation within ${IDEMPOTENCY_WINDOW} return the first result ` +
  'without submitting again (concurrent repeats wait for the first). Reusing a key with a different input fails with ' +
  `IdempotencyKeyReusedError. 1–${IDEMPOTENCY_KEY_MAX} printable ASCII characters, e.g. a UUID.`;

// ---------------------------------------------------------------------------------------------
// Checking an input.

/** What one mutation's input is checked against. */
export interface InputRules<Input, Body extends z.ZodType> {
  /** How the input becomes the EMS body. */
  mapping: EmsMapping<Input>;
  /** The EMS request model of the body; omitted when the operation sends none. */
  body?: Body;
  /** Input fields that are not part of the body (path parameters), with the EMS rule of each. */
  params?: { readonly [K in keyof Input]?: z.ZodType };
}

/**
 * Checks a mutation input against its EMS rules and the idempotency-key rule, all at once.
 * @returns the EMS body (parsed by its model), or an empty object when the operation sends none
 * @throws ValidationError naming every bad field, its rule and its value; nothing is sent then
 */
export function validateInput<Input extends object, Body extends z.ZodType = z.ZodObject<{}>>(
  input: Input,
  rules: InputRules<Input, Body>,
): z.output<Body> {
  const errors: FieldError[] = [];
  const add = (path: readonly string[], message: string, value: unknown) => {
    const shown = typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? ` (got ${quote(value)})` : '';
    errors.push({ path: ['input', ...path], field: path.join('.'), message: `${message}${shown}` });
  };
  const check = (path: readonly string[], value: unknown, rule: z.ZodType) => {
    const result = rule.safeParse(value);
    if (result.success) return result.data as unknown;
    for (const issue of result.error.issues) {
      const at = valueAtPath(value, issue.path);
      add([...path, ...issue.path.map(String)], issueText(issue, at), at);
    }
    return undefined;
  };

  for (const [field, rule] of Object.entries(rules.params ?? {}) as [string, z.ZodType][]) check([field], (input as Record<string, unknown>)[field], rule);
  let body: unknown = {};
  if (rules.body) {
    const ems = toEmsBody(input, rules.mapping);
    const result = rules.body.safeParse(ems);
    if (result.success) body = result.data;
    for (const issue of result.success ? [] : result.error.issues) {
      const at = valueAtPath(ems, issue.path);
      add(graphqlPath(issue.path, rules.mapping), issueText(issue, at), at);
    }
  }
  // Every mutation input may carry one.
  const { idempotencyKey } = input as { idempotencyKey?: string | null };
  if (idempotencyKey != null) check(['idempotencyKey'], idempotencyKey, IdempotencyKey);
  if (errors.length > 0) throw new ValidationError(errors);
  return body as z.output<Body>;
}
