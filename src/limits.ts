import { complexityFromQuery } from '@pothos/plugin-complexity';
import { GraphQLError, Kind, getOperationAST, type DocumentNode, type GraphQLSchema } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Config } from './config.js';
import { gatewayError } from './errors.js';
import { operationMemo } from './operation-memo.js';

/** What the Pothos complexity plugin computes for an operation (field costs live on the schema). */
export interface OperationCost {
  complexity: number;
  depth: number;
  breadth: number;
}

/**
 * The cost of the operation `operationName` selects in `document`, or null when it cannot be
 * computed because the request is invalid anyway (no such operation, bad variables): execution
 * rejects those with their own error before any resolver runs.
 */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown> | null | undefined,
): OperationCost | null {
  const operation = getOperationAST(document, operationName);
  if (!operation) return null;
  const fragments = document.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION);
  try {
    return complexityFromQuery({ kind: Kind.DOCUMENT, definitions: [operation, ...fragments] }, { schema, variables: variables ?? {} });
  } catch (error) {
    if (error instanceof GraphQLError) return null;
    throw error;
  }
}

/** The QUERY_TOO_COMPLEX error of an operation over `limits`, or null when it is within them. */
export function limitError(cost: OperationCost, limits: Config['limits']): GraphQLError | null {
  const over = (what: string, value: number, max: number) => gatewayError(`Query ${what} ${value} exceeds the limit of ${max}`, 'QUERY_TOO_COMPLEX');
  if (cost.depth > limits.maxDepth) return over('depth', cost.depth, limits.maxDepth);
  if (cost.complexity > limits.maxComplexity) return over('complexity', cost.complexity, limits.maxComplexity);
  return null;
}

/**
 * MAX_QUERY_DEPTH and MAX_QUERY_COMPLEXITY for every operation on every transport (HTTP, SSE,
 * graphql-ws), checked before execution: an operation over a limit gets one QUERY_TOO_COMPLEX
 * error and runs nothing. For a subscription that means no upstream poller is started (checking
 * in resolvers, as Pothos does, would only catch it on each event, after the watch began).
 */
export function operationLimits(limits: Config['limits']): Plugin {
  // One schema per gateway: an operation's verdict depends on its document and variables alone.
  const costs = operationMemo<OperationCost | null>();
  const check = (args: { schema: GraphQLSchema; document: DocumentNode; operationName?: string | null; variableValues?: Record<string, unknown> | null }) => {
    const cost = costs(args.document, args.operationName, args.variableValues, () => operationCost(args.schema, args.document, args.operationName, args.variableValues));
    return cost && limitError(cost, limits);
  };
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const error = check(args);
      if (error) setResultAndStopExecution({ errors: [error] });
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const error = check(args);
      if (error) setResultAndStopExecution({ errors: [error] });
    },
  };
}
