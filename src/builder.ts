import SchemaBuilder from '@pothos/core';
import ComplexityPlugin from '@pothos/plugin-complexity';
import ErrorsPlugin from '@pothos/plugin-errors';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import { roleScopes, unauthorizedError, type RoleScopes } from './auth/scopes.js';
import type { Context } from './context.js';

/** The Pothos builder and its plugins. It declares no types: those live in src/schema/<resource>.ts. */
export const builder = new SchemaBuilder<{
  Context: Context;
  Scalars: {
    DateTime: { Input: Date; Output: Date | string };
    ID: { Input: string; Output: string };
  };
  DefaultEdgesNullability: { list: false; items: false };
  DefaultNodeNullability: false;
  AuthScopes: RoleScopes;
}>({
  // The errors plugin comes first so that it wraps scope-auth: a refused mutation becomes its
  // ForbiddenError union member.
  plugins: [ErrorsPlugin, ScopeAuthPlugin, RelayPlugin, ComplexityPlugin],
  scopeAuth: {
    authScopes: roleScopes,
    unauthorizedError,
    // Refuse a subscription before it starts watching (and polling) anything.
    authorizeOnSubscribe: true,
  },
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    edgesFieldOptions: { nullable: { list: false, items: false } },
    nodeFieldOptions: { nullable: false },
    // We expose no global Node interface: EMS ids are used as-is (docs/contract.md).
    nodeQueryOptions: false,
    nodesQueryOptions: false,
  },
  errors: { defaultTypes: [] },
  // Field costs only: the limits (MAX_QUERY_DEPTH, MAX_QUERY_COMPLEXITY) are enforced before
  // execution, for every operation type and transport, by src/limits.ts.
  complexity: { defaultComplexity: 1, defaultListMultiplier: 10 },
});

// Roles (src/auth/roles.ts): reading needs viewer, writing operator; credential fields add admin.
builder.queryType({ authScopes: { viewer: true } });
builder.mutationType({ authScopes: { operator: true } });
builder.subscriptionType({ authScopes: { viewer: true } });
