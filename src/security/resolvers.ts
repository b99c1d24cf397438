import { AsyncLocalStorage } from 'node:async_hooks';
import { GraphQLError, defaultFieldResolver, isObjectType, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import type { Context } from '../context.js';
import { isEmsError } from '../ems/errors.js';
import { gatewayError } from '../errors.js';
import type { MutationError } from '../mutations/errors.js';
import { redactInput } from './redact.js';
import type { AuditEntry } from './audit.js';

/**
 * Resolver wrappers that the security layer needs on every field, installed once per schema:
 * - every field counts its errors; past MAX_ERRORS the execution is aborted (one TOO_MANY_ERRORS
 *   error instead of thousands of located errors);
 * - every Mutation field writes one audit line per attempt, refused ones included.
 * The wrappers read everything from the request's context, so one schema serves several gateways.
 */

/** The X-Request-Id of EMS writes made while a mutation resolves (filled by the EMS client's onCall). */
export const writeRequestIds = new AsyncLocalStorage<string[]>();

const guarded = new WeakSet<GraphQLSchema>();

export function tooManyErrors(max: number): GraphQLError {
  return gatewayError(`Execution stopped after ${max} field errors (MAX_ERRORS); ask for fewer fields or items`, 'TOO_MANY_ERRORS', { limit: 'MAX_ERRORS' });
}

function countError(ctx: Context | undefined): void {
  const security = ctx?.security;
  if (!security) return;
  security.errors += 1;
  const max = ctx.config.security.limits.maxErrors;
  if (security.errors >= max && !security.cap.aborted) security.cap.stop(tooManyErrors(max));
}

function countingErrors(resolve: GraphQLFieldResolver<unknown, Context>): GraphQLFieldResolver<unknown, Context> {
  return (source, args, ctx, info) => {
    if (ctx?.security?.cap.aborted) throw ctx.security.cap.reason;
    try {
      const result = resolve(source, args, ctx, info);
      if (result instanceof Promise) {
        return result.catch((error: unknown) => {
          countError(ctx);
          throw error;
        });
      }
      return result;
    } catch (error) {
      countError(ctx);
      throw error;
    }
  };
}

/** The code an attempt ended with: OK, a union member's code, or a GraphQL error's code. */
function resultCode(outcome: { value?: unknown; error?: unknown }): string {
  if ('error' in outcome) {
    const error = outcome.error;
    if (isEmsError(error)) return error.code;
    if (error instanceof GraphQLError) {
      const original = error.originalError;
      if (isEmsError(original)) return original.code;
      return typeof error.extensions?.code === 'string' ? error.extensions.code : 'INTERNAL_SERVER_ERROR';
    }
    return 'INTERNAL_SERVER_ERROR';
  }
  const value = outcome.value as { code?: unknown; message?: unknown } | null | undefined;
  // A union member (src/mutations/errors.ts, as the errors plugin returns it): it has a code; payloads have none.
  return value && typeof value.code === 'string' && typeof value.message === 'string' ? (value as MutationError).code : 'OK';
}

function auditing(name: string, resolve: GraphQLFieldResolver<unknown, Context>): GraphQLFieldResolver<unknown, Context> {
  return (source, args, ctx, info) => {
    const audit = ctx?.services?.audit;
    if (!audit || !ctx.security) return resolve(source, args, ctx, info);
    const writes: string[] = [];
    const input = (args as { input?: Record<string, unknown> }).input;
    const write = (outcome: { value?: unknown; error?: unknown }) => {
      const value = outcome.value as { replayed?: unknown; requestId?: unknown } | undefined;
      const upstreamId = typeof value?.requestId === 'string' ? value.requestId : null;
      const errorId = isEmsError(outcome.error) ? outcome.error.requestId : null;
      const entry: AuditEntry = {
        caller: ctx.security.caller.id,
        roles: [...ctx.security.caller.roles],
        address: ctx.security.address,
        requestId: ctx.requestId,
        mutation: name,
        input: redactInput(input ?? args),
        result: resultCode(outcome),
        emsRequestId: writes.at(-1) ?? upstreamId ?? errorId ?? null,
        idempotencyKey: typeof input?.idempotencyKey === 'string' ? input.idempotencyKey : null,
        ...(typeof value?.replayed === 'boolean' ? { replayed: value.replayed } : {}),
      };
      audit.record(entry);
    };
    return writeRequestIds.run(writes, async () => {
      try {
        const value = await resolve(source, args, ctx, info);
        write({ value });
        return value;
      } catch (error) {
        write({ error });
        throw error;
      }
    });
  };
}

/** Installs the wrappers on `schema` (once; later calls return it unchanged). */
export function guardResolvers(schema: GraphQLSchema): GraphQLSchema {
  if (guarded.has(schema)) return schema;
  const mutation = schema.getMutationType();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const counted = countingErrors((field.resolve ?? defaultFieldResolver) as GraphQLFieldResolver<unknown, Context>);
      field.resolve = type === mutation ? auditing(field.name, counted) : counted;
    }
  }
  guarded.add(schema);
  return schema;
}
