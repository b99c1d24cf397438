import SchemaBuilder from '@pothos/core';
import ComplexityPlugin from '@pothos/plugin-complexity';
import ErrorsPlugin from '@pothos/plugin-errors';
import RelayPlugin from '@pothos/plugin-relay';
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
}>({
  plugins: [ErrorsPlugin, RelayPlugin, ComplexityPlugin],
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    edgesFieldOptions: { nullable: { list: false, items: false } },
    nodeFieldOptions: { nullable: false },
    // We expose no global Node interface: EMS ids are used as-is (CONTRACT.md).
    nodeQueryOptions: false,
    nodesQueryOptions: false,
  },
  errors: { defaultTypes: [] },
  // Field costs only: the limits (MAX_QUERY_DEPTH, MAX_QUERY_COMPLEXITY) are enforced before
  // execution, for every operation type and transport, by src/limits.ts.
  complexity: { defaultComplexity: 1, defaultListMultiplier: 10 },
});

builder.queryType({});
builder.mutationType({});
builder.subscriptionType({});
