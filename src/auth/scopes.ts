import type { GraphQLResolveInfo } from 'graphql';
import type { AuthFailure } from '@pothos/plugin-scope-auth';
import type { Context } from '../context.js';
import { gatewayError } from '../errors.js';
import { ForbiddenError } from '../mutations/errors.js';
import type { Role } from './roles.js';

/**
 * Authorization with @pothos/plugin-scope-auth: one scope per role. Root types require a role
 * (Query and Subscription `viewer`, Mutation `operator`); the credential fields require `admin`.
 * A refused field never reaches its resolver, so never EMS.
 */
export type RoleScopes = Record<Role, boolean>;

/** The scope loader: which roles the request's caller holds. */
export function roleScopes(ctx: Context): RoleScopes {
  const roles = ctx.security?.caller.roles ?? new Set<Role>();
  return { viewer: roles.has('viewer'), operator: roles.has('operator'), admin: roles.has('admin') };
}

function missingScope(failure: AuthFailure): string | null {
  if ('scope' in failure) return failure.scope;
  if ('failures' in failure) for (const f of failure.failures) {
    const scope = missingScope(f);
    if (scope) return scope;
  }
  return null;
}

/**
 * The error of a refused field: on a mutation, a `ForbiddenError` union member (the errors plugin
 * returns it, since it wraps scope-auth); elsewhere, a GraphQL error with code FORBIDDEN.
 */
export function unauthorizedError(_parent: unknown, ctx: Context, info: GraphQLResolveInfo, result: { failure: AuthFailure }): Error {
  const role = missingScope(result.failure);
  const who = ctx.security?.caller.id ?? 'the caller';
  const message = `${who} may not use ${info.parentType.name}.${info.fieldName}${role ? `: it needs the ${role} role` : ''}`;
  if (info.parentType.name === info.schema.getMutationType()?.name) {
    return new ForbiddenError(message);
  }
  return gatewayError(message, 'FORBIDDEN');
}
