import type { CombinedError } from '@urql/core';
import { useMemo, useRef } from 'preact/hooks';

/**
 * Where a mutation's failure is shown: typed errors with a field (ValidationError.fields, the name of
 * a DuplicateNameError) at that input, everything else above the form's buttons.
 */
export interface FormErrors {
  /** By input: the field path below `input` with list indexes dropped (`k8s.nodeCount`, `nodeNames`). */
  fields: Record<string, string[]>;
  /** For the whole form. */
  form: string[];
}

export const NO_ERRORS: FormErrors = { fields: {}, form: [] };

/** What a result union member that is an Error looks like (the ErrorFields fragment). */
export interface TypedError {
  __typename: string;
  code: string;
  message: string;
  fields?: { field: string; message: string }[];
  name?: string | null;
  currentStatus?: string | null;
}

/** The input a ValidationError field path belongs to: `nodeNames.2` → `nodeNames`. */
export function inputOf(field: string): string {
  return field
    .split('.')
    .filter((part) => !/^\d+$/.test(part))
    .join('.');
}

export function typedErrors(error: TypedError): FormErrors {
  const fields: Record<string, string[]> = {};
  const add = (input: string, message: string) => (fields[input] ??= []).push(message);
  if (error.__typename === 'ValidationError' && error.fields?.length) {
    for (const f of error.fields) {
      const input = inputOf(f.field);
      const item = f.field.slice(input.length).match(/\d+/g);
      add(input || 'input', item ? `Item ${Number(item[0]) + 1}: ${f.message}` : f.message);
    }
    return { fields, form: [] };
  }
  if (error.__typename === 'DuplicateNameError') {
    add('name', error.message);
    return { fields, form: [] };
  }
  const status = error.currentStatus ? ` (cluster is ${error.currentStatus})` : '';
  return { fields, form: [`${error.message}${status} [${error.code}]`] };
}

/** Every message of a transport or GraphQL error, each with its code: all of them, not the first. */
export function errorMessages(error: CombinedError): string[] {
  if (error.networkError) return [`The gateway could not be reached: ${error.networkError.message}`];
  return [
    ...new Set(
      error.graphQLErrors.map((e) => {
        const code = typeof e.extensions?.code === 'string' ? ` [${e.extensions.code}]` : '';
        return `${e.message}${code}`;
      }),
    ),
  ];
}

/** A transport or GraphQL error (not a union member): shown for the whole form. */
export function requestErrors(error: CombinedError): FormErrors {
  return { fields: {}, form: errorMessages(error) };
}

/**
 * The idempotency key of a form's submission. Every attempt of one submission sends the same key,
 * so a retry after a lost answer or an error is answered once by the gateway (exactly once): the key
 * changes only when the input does, or after the submission is `settled` (accepted, or an outcome
 * the gateway says must be checked by hand, IDEMPOTENCY_OUTCOME_UNKNOWN).
 */
export function useSubmissionKey(): { keyFor(input: unknown): string; settled(): void } {
  const current = useRef<{ input: string; key: string } | null>(null);
  return useMemo(
    () => ({
      keyFor(input: unknown) {
        const text = JSON.stringify(input);
        if (current.current?.input !== text) current.current = { input: text, key: idempotencyKey() };
        return current.current.key;
      },
      settled() {
        current.current = null;
      },
    }),
    [],
  );
}

/** Whether a submission is over for its key: accepted, or the gateway cannot tell and a new key is needed. */
export function submissionSettled(done: { payload: unknown } | { errors: FormErrors }, error: CombinedError | undefined): boolean {
  return 'payload' in done || !!error?.graphQLErrors.some((e) => e.extensions?.code === 'IDEMPOTENCY_OUTCOME_UNKNOWN');
}

/** A fresh idempotency key: a repeat of one submission is answered once, however often it is sent. */
export function idempotencyKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  // randomUUID needs a secure context; getRandomValues works on plain http too.
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * A mutation's outcome: its payload (the union member named `payloadType`), or the errors to show.
 * `member` is the result union's value; `error` the request's transport or GraphQL error.
 */
export function outcome<M extends { __typename: string }, K extends M['__typename']>(
  error: CombinedError | undefined,
  member: M | null | undefined,
  payloadType: K,
): { payload: Extract<M, { __typename: K }> } | { errors: FormErrors } {
  // The union member decides: an accepted write stays accepted even when part of its payload could
  // not be read (those parts are null, with errors beside them).
  if (member?.__typename === payloadType) return { payload: member as Extract<M, { __typename: K }> };
  if (member) {
    // The member's errors, and every GraphQL error beside it.
    const typed = typedErrors(member as unknown as TypedError);
    return { errors: error ? { fields: typed.fields, form: [...typed.form, ...errorMessages(error)] } : typed };
  }
  if (error) return { errors: requestErrors(error) };
  return { errors: { fields: {}, form: ['The gateway sent no result.'] } };
}

/** Local checks of what the GraphQL types need (a whole number where the schema has Int). */
export class LocalErrors {
  readonly fields: Record<string, string[]> = {};

  /** `value` as an Int, or undefined when empty; records an error at `field` when it is not one. */
  int(field: string, value: string): number | undefined {
    const text = value.trim();
    if (!text) return undefined;
    if (/^-?\d+$/.test(text) && Number.isSafeInteger(Number(text))) return Number(text);
    (this.fields[field] ??= []).push(`Enter a whole number (got "${text}").`);
    return undefined;
  }

  get any(): boolean {
    return Object.keys(this.fields).length > 0;
  }

  get errors(): FormErrors {
    return { fields: this.fields, form: [] };
  }
}

/** A trimmed optional string: undefined when empty. */
export const optional = (value: string): string | undefined => value.trim() || undefined;
