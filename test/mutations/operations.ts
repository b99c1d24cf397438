import type { ResultOf, VariablesOf } from '@graphql-typed-document-node/core';
import {
  AuthorizeClusterDocument,
  CancelJobsDocument,
  CreateClusterDocument,
  CreateCredentialDocument,
  DeleteClusterDocument,
  EnrollClusterDocument,
  ExpandClusterDocument,
  ShrinkClusterDocument,
} from '../generated/graphql.js';

/**
 * The mutations of test/operations/mutations.graphql, by field name: the typed documents codegen
 * generates (npm run codegen), so results and variables are typed as the schema says.
 */
export const MUTATIONS = {
  createCluster: CreateClusterDocument,
  enrollCluster: EnrollClusterDocument,
  expandCluster: ExpandClusterDocument,
  shrinkCluster: ShrinkClusterDocument,
  deleteCluster: DeleteClusterDocument,
  authorizeCluster: AuthorizeClusterDocument,
  cancelJobs: CancelJobsDocument,
  createCredential: CreateCredentialDocument,
} as const;

export type MutationField = keyof typeof MUTATIONS;
/** What each mutation returns: its result union, as the document selects it. */
type Results = { [F in MutationField]: ResultOf<(typeof MUTATIONS)[F]> extends Record<F, infer R> ? R : never };
export type MutationResult<F extends MutationField> = Results[F];
/** The `input` variable of `field`. */
export type MutationInput<F extends MutationField> = VariablesOf<(typeof MUTATIONS)[F]>['input'];

/** The member `typename` of a result union; throws, showing what came instead, for any other. */
export function member<R extends { __typename: string }, T extends R['__typename']>(result: R, typename: T): Extract<R, { __typename: T }> {
  if (result.__typename !== typename) throw new Error(`expected a ${typename}, got ${JSON.stringify(result)}`);
  return result as Extract<R, { __typename: T }>;
}
