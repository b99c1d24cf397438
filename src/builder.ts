import SchemaBuilder from '@pothos/core';
import ComplexityPlugin from '@pothos/plugin-complexity';
import ErrorsPlugin from '@pothos/plugin-errors';
import RelayPlugin from '@pothos/plugin-relay';
import { GraphQLError } from 'graphql';
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
  complexity: {
    defaultComplexity: 1,
    defaultListMultiplier: 10,
    limit: (ctx) => ({ complexity: ctx.config.limits.maxComplexity, depth: ctx.config.limits.maxDepth }),
    complexityError: (kind, result) => {
      const key = kind.toLowerCase() as 'complexity' | 'depth' | 'breadth';
      const max = result[`max${kind}` as 'maxComplexity' | 'maxDepth' | 'maxBreadth'];
      return new GraphQLError(`Query ${key} ${result[key]} exceeds the limit of ${max}`, {
        extensions: { code: 'QUERY_TOO_COMPLEX', upstreamCode: null, requestId: null, retryable: false },
      });
    },
  },
});

builder.queryType({});
builder.mutationType({});
builder.subscriptionType({});
