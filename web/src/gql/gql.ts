/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  fragment FleetClusterFields on Cluster {\n    id\n    region\n    name\n    status\n    statusText\n    reason\n    createdAt\n    updatedAt\n    availableNodeCount\n    k8s {\n      k8sClusterId\n      nodeCount\n      version\n    }\n    memory {\n      hugePageCount\n      hugePageSizeMb\n      totalBytes\n    }\n    release {\n      id\n      version\n      preferred\n    }\n  }\n": typeof types.FleetClusterFieldsFragmentDoc,
    "\n  fragment JobFields on Job {\n    id\n    type\n    name\n    status\n    statusText\n    progress\n    message\n    createdAt\n    beginAt\n    endAt\n    clusterId\n    tasks {\n      id\n      status\n      statusText\n      message\n      beginAt\n      endAt\n    }\n  }\n": typeof types.JobFieldsFragmentDoc,
    "\n  fragment ErrorFields on Error {\n    __typename\n    code\n    message\n    ... on ValidationError {\n      fields {\n        field\n        message\n      }\n    }\n    ... on DuplicateNameError {\n      name\n    }\n    ... on WrongStateError {\n      currentStatus\n    }\n  }\n": typeof types.ErrorFieldsFragmentDoc,
    "\n  query Fleet($first: Int!, $after: String, $status: [ClusterStatus!], $regions: [String!]) {\n    regions {\n      name\n    }\n    clusters(first: $first, after: $after, status: $status, regions: $regions) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          ...FleetClusterFields\n        }\n      }\n    }\n  }\n": typeof types.FleetDocument,
    "\n  query Releases {\n    releases(first: 100) {\n      edges {\n        node {\n          id\n          version\n          tag\n          preferred\n        }\n      }\n    }\n  }\n": typeof types.ReleasesDocument,
    "\n  query Cluster($id: ID!, $jobs: Int!) {\n    cluster(id: $id) {\n      ...FleetClusterFields\n      description\n      projectId\n      k8sName\n      chargeMode\n      k8s {\n        k8sClusterId\n        namespace\n        flavor\n        nodeCount\n        version\n        ltsEnabled\n        monitorEnabled\n        label {\n          key\n          value\n        }\n      }\n      jobs(first: $jobs) {\n        totalCount\n        edges {\n          node {\n            ...JobFields\n          }\n        }\n      }\n    }\n  }\n": typeof types.ClusterDocument,
    "\n  subscription ClusterStatus($id: ID!) {\n    clusterStatus(id: $id) {\n      id\n      status\n      statusText\n      reason\n      updatedAt\n      availableNodeCount\n      k8s {\n        k8sClusterId\n        nodeCount\n      }\n    }\n  }\n": typeof types.ClusterStatusDocument,
    "\n  subscription JobProgress($id: ID!) {\n    jobProgress(id: $id) {\n      ...JobFields\n    }\n  }\n": typeof types.JobProgressDocument,
    "\n  mutation CreateCluster($input: CreateClusterInput!) {\n    createCluster(input: $input) {\n      __typename\n      ... on CreateClusterPayload {\n        clusterId\n        job {\n          ...JobFields\n        }\n      }\n      ...ErrorFields\n    }\n  }\n": typeof types.CreateClusterDocument,
    "\n  mutation EnrollCluster($input: EnrollClusterInput!) {\n    enrollCluster(input: $input) {\n      __typename\n      ... on EnrollClusterPayload {\n        clusterId\n        job {\n          ...JobFields\n        }\n      }\n      ...ErrorFields\n    }\n  }\n": typeof types.EnrollClusterDocument,
    "\n  mutation ExpandCluster($input: ExpandClusterInput!) {\n    expandCluster(input: $input) {\n      __typename\n      ... on ExpandClusterPayload {\n        job {\n          ...JobFields\n        }\n      }\n      ...ErrorFields\n    }\n  }\n": typeof types.ExpandClusterDocument,
    "\n  mutation ShrinkCluster($input: ShrinkClusterInput!) {\n    shrinkCluster(input: $input) {\n      __typename\n      ... on ShrinkClusterPayload {\n        job {\n          ...JobFields\n        }\n      }\n      ...ErrorFields\n    }\n  }\n": typeof types.ShrinkClusterDocument,
    "\n  mutation DeleteCluster($input: DeleteClusterInput!) {\n    deleteCluster(input: $input) {\n      __typename\n      ... on DeleteClusterPayload {\n        job {\n          ...JobFields\n        }\n      }\n      ...ErrorFields\n    }\n  }\n": typeof types.DeleteClusterDocument,
    "\n  mutation AuthorizeCluster($input: AuthorizeClusterInput!) {\n    authorizeCluster(input: $input) {\n      __typename\n      ... on AuthorizeClusterPayload {\n        clusterId\n      }\n      ...ErrorFields\n    }\n  }\n": typeof types.AuthorizeClusterDocument,
    "\n  mutation CancelJobs($input: CancelJobsInput!) {\n    cancelJobs(input: $input) {\n      __typename\n      ... on CancelJobsPayload {\n        cancelled\n        failed\n      }\n      ...ErrorFields\n    }\n  }\n": typeof types.CancelJobsDocument,
};
const documents: Documents = {
    "\n  fragment FleetClusterFields on Cluster {\n    id\n    region\n    name\n    status\n    statusText\n    reason\n    createdAt\n    updatedAt\n    availableNodeCount\n    k8s {\n      k8sClusterId\n      nodeCount\n      version\n    }\n    memory {\n      hugePageCount\n      hugePageSizeMb\n      totalBytes\n    }\n    release {\n      id\n      version\n      preferred\n    }\n  }\n": types.FleetClusterFieldsFragmentDoc,
    "\n  fragment JobFields on Job {\n    id\n    type\n    name\n    status\n    statusText\n    progress\n    message\n    createdAt\n    beginAt\n    endAt\n    clusterId\n    tasks {\n      id\n      status\n      statusText\n      message\n      beginAt\n      endAt\n    }\n  }\n": types.JobFieldsFragmentDoc,
    "\n  fragment ErrorFields on Error {\n    __typename\n    code\n    message\n    ... on ValidationError {\n      fields {\n        field\n        message\n      }\n    }\n    ... on DuplicateNameError {\n      name\n    }\n    ... on WrongStateError {\n      currentStatus\n    }\n  }\n": types.ErrorFieldsFragmentDoc,
    "\n  query Fleet($first: Int!, $after: String, $status: [ClusterStatus!], $regions: [String!]) {\n    regions {\n      name\n    }\n    clusters(first: $first, after: $after, status: $status, regions: $regions) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          ...FleetClusterFields\n        }\n      }\n    }\n  }\n": types.FleetDocument,
    "\n  query Releases {\n    releases(first: 100) {\n      edges {\n        node {\n          id\n          version\n          tag\n          preferred\n        }\n      }\n    }\n  }\n": types.ReleasesDocument,
    "\n  query Cluster($id: ID!, $jobs: Int!) {\n    cluster(id: $id) {\n      ...FleetClusterFields\n      description\n      projectId\n      k8sName\n      chargeMode\n      k8s {\n        k8sClusterId\n        namespace\n        flavor\n        nodeCount\n        version\n        ltsEnabled\n        monitorEnabled\n        label {\n          key\n          value\n        }\n      }\n      jobs(first: $jobs) {\n        totalCount\n        edges {\n          node {\n            ...JobFields\n          }\n        }\n      }\n    }\n  }\n": types.ClusterDocument,
    "\n  subscription ClusterStatus($id: ID!) {\n    clusterStatus(id: $id) {\n      id\n      status\n      statusText\n      reason\n      updatedAt\n      availableNodeCount\n      k8s {\n        k8sClusterId\n        nodeCount\n      }\n    }\n  }\n": types.ClusterStatusDocument,
    "\n  subscription JobProgress($id: ID!) {\n    jobProgress(id: $id) {\n      ...JobFields\n    }\n  }\n": types.JobProgressDocument,
    "\n  mutation CreateCluster($input: CreateClusterInput!) {\n    createCluster(input: $input) {\n      __typename\n      ... on CreateClusterPayload {\n        clusterId\n        job {\n          ...JobFields\n        }\n      }\n      ...ErrorFields\n    }\n  }\n": types.CreateClusterDocument,
    "\n  mutation EnrollCluster($input: EnrollClusterInput!) {\n    enrollCluster(input: $input) {\n      __typename\n      ... on EnrollClusterPayload {\n        clusterId\n        job {\n          ...JobFields\n        }\n      }\n      ...ErrorFields\n    }\n  }\n": types.EnrollClusterDocument,
    "\n  mutation ExpandCluster($input: ExpandClusterInput!) {\n    expandCluster(input: $input) {\n      __typename\n      ... on ExpandClusterPayload {\n        job {\n          ...JobFields\n        }\n      }\n      ...ErrorFields\n    }\n  }\n": types.ExpandClusterDocument,
    "\n  mutation ShrinkCluster($input: ShrinkClusterInput!) {\n    shrinkCluster(input: $input) {\n      __typename\n      ... on ShrinkClusterPayload {\n        job {\n          ...JobFields\n        }\n      }\n      ...ErrorFields\n    }\n  }\n": types.ShrinkClusterDocument,
    "\n  mutation DeleteCluster($input: DeleteClusterInput!) {\n    deleteCluster(input: $input) {\n      __typename\n      ... on DeleteClusterPayload {\n        job {\n          ...JobFields\n        }\n      }\n      ...ErrorFields\n    }\n  }\n": types.DeleteClusterDocument,
    "\n  mutation AuthorizeCluster($input: AuthorizeClusterInput!) {\n    authorizeCluster(input: $input) {\n      __typename\n      ... on AuthorizeClusterPayload {\n        clusterId\n      }\n      ...ErrorFields\n    }\n  }\n": types.AuthorizeClusterDocument,
    "\n  mutation CancelJobs($input: CancelJobsInput!) {\n    cancelJobs(input: $input) {\n      __typename\n      ... on CancelJobsPayload {\n        cancelled\n        failed\n      }\n      ...ErrorFields\n    }\n  }\n": types.CancelJobsDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment FleetClusterFields on Cluster {\n    id\n    region\n    name\n    status\n    statusText\n    reason\n    createdAt\n    updatedAt\n    availableNodeCount\n    k8s {\n      k8sClusterId\n      nodeCount\n      version\n    }\n    memory {\n      hugePageCount\n      hugePageSizeMb\n      totalBytes\n    }\n    release {\n      id\n      version\n      preferred\n    }\n  }\n"): (typeof documents)["\n  fragment FleetClusterFields on Cluster {\n    id\n    region\n    name\n    status\n    statusText\n    reason\n    createdAt\n    updatedAt\n    availableNodeCount\n    k8s {\n      k8sClusterId\n      nodeCount\n      version\n    }\n    memory {\n      hugePageCount\n      hugePageSizeMb\n      totalBytes\n    }\n    release {\n      id\n      version\n      preferred\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment JobFields on Job {\n    id\n    type\n    name\n    status\n    statusText\n    progress\n    message\n    createdAt\n    beginAt\n    endAt\n    clusterId\n    tasks {\n      id\n      status\n      statusText\n      message\n      beginAt\n      endAt\n    }\n  }\n"): (typeof documents)["\n  fragment JobFields on Job {\n    id\n    type\n    name\n    status\n    statusText\n    progress\n    message\n    createdAt\n    beginAt\n    endAt\n    clusterId\n    tasks {\n      id\n      status\n      statusText\n      message\n      beginAt\n      endAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ErrorFields on Error {\n    __typename\n    code\n    message\n    ... on ValidationError {\n      fields {\n        field\n        message\n      }\n    }\n    ... on DuplicateNameError {\n      name\n    }\n    ... on WrongStateError {\n      currentStatus\n    }\n  }\n"): (typeof documents)["\n  fragment ErrorFields on Error {\n    __typename\n    code\n    message\n    ... on ValidationError {\n      fields {\n        field\n        message\n      }\n    }\n    ... on DuplicateNameError {\n      name\n    }\n    ... on WrongStateError {\n      currentStatus\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Fleet($first: Int!, $after: String, $status: [ClusterStatus!], $regions: [String!]) {\n    regions {\n      name\n    }\n    clusters(first: $first, after: $after, status: $status, regions: $regions) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          ...FleetClusterFields\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query Fleet($first: Int!, $after: String, $status: [ClusterStatus!], $regions: [String!]) {\n    regions {\n      name\n    }\n    clusters(first: $first, after: $after, status: $status, regions: $regions) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          ...FleetClusterFields\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Releases {\n    releases(first: 100) {\n      edges {\n        node {\n          id\n          version\n          tag\n          preferred\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query Releases {\n    releases(first: 100) {\n      edges {\n        node {\n          id\n          version\n          tag\n          preferred\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Cluster($id: ID!, $jobs: Int!) {\n    cluster(id: $id) {\n      ...FleetClusterFields\n      description\n      projectId\n      k8sName\n      chargeMode\n      k8s {\n        k8sClusterId\n        namespace\n        flavor\n        nodeCount\n        version\n        ltsEnabled\n        monitorEnabled\n        label {\n          key\n          value\n        }\n      }\n      jobs(first: $jobs) {\n        totalCount\n        edges {\n          node {\n            ...JobFields\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query Cluster($id: ID!, $jobs: Int!) {\n    cluster(id: $id) {\n      ...FleetClusterFields\n      description\n      projectId\n      k8sName\n      chargeMode\n      k8s {\n        k8sClusterId\n        namespace\n        flavor\n        nodeCount\n        version\n        ltsEnabled\n        monitorEnabled\n        label {\n          key\n          value\n        }\n      }\n      jobs(first: $jobs) {\n        totalCount\n        edges {\n          node {\n            ...JobFields\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription ClusterStatus($id: ID!) {\n    clusterStatus(id: $id) {\n      id\n      status\n      statusText\n      reason\n      updatedAt\n      availableNodeCount\n      k8s {\n        k8sClusterId\n        nodeCount\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription ClusterStatus($id: ID!) {\n    clusterStatus(id: $id) {\n      id\n      status\n      statusText\n      reason\n      updatedAt\n      availableNodeCount\n      k8s {\n        k8sClusterId\n        nodeCount\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription JobProgress($id: ID!) {\n    jobProgress(id: $id) {\n      ...JobFields\n    }\n  }\n"): (typeof documents)["\n  subscription JobProgress($id: ID!) {\n    jobProgress(id: $id) {\n      ...JobFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateCluster($input: CreateClusterInput!) {\n    createCluster(input: $input) {\n      __typename\n      ... on CreateClusterPayload {\n        clusterId\n        job {\n          ...JobFields\n        }\n      }\n      ...ErrorFields\n    }\n  }\n"): (typeof documents)["\n  mutation CreateCluster($input: CreateClusterInput!) {\n    createCluster(input: $input) {\n      __typename\n      ... on CreateClusterPayload {\n        clusterId\n        job {\n          ...JobFields\n        }\n      }\n      ...ErrorFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation EnrollCluster($input: EnrollClusterInput!) {\n    enrollCluster(input: $input) {\n      __typename\n      ... on EnrollClusterPayload {\n        clusterId\n        job {\n          ...JobFields\n        }\n      }\n      ...ErrorFields\n    }\n  }\n"): (typeof documents)["\n  mutation EnrollCluster($input: EnrollClusterInput!) {\n    enrollCluster(input: $input) {\n      __typename\n      ... on EnrollClusterPayload {\n        clusterId\n        job {\n          ...JobFields\n        }\n      }\n      ...ErrorFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ExpandCluster($input: ExpandClusterInput!) {\n    expandCluster(input: $input) {\n      __typename\n      ... on ExpandClusterPayload {\n        job {\n          ...JobFields\n        }\n      }\n      ...ErrorFields\n    }\n  }\n"): (typeof documents)["\n  mutation ExpandCluster($input: ExpandClusterInput!) {\n    expandCluster(input: $input) {\n      __typename\n      ... on ExpandClusterPayload {\n        job {\n          ...JobFields\n        }\n      }\n      ...ErrorFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ShrinkCluster($input: ShrinkClusterInput!) {\n    shrinkCluster(input: $input) {\n      __typename\n      ... on ShrinkClusterPayload {\n        job {\n          ...JobFields\n        }\n      }\n      ...ErrorFields\n    }\n  }\n"): (typeof documents)["\n  mutation ShrinkCluster($input: ShrinkClusterInput!) {\n    shrinkCluster(input: $input) {\n      __typename\n      ... on ShrinkClusterPayload {\n        job {\n          ...JobFields\n        }\n      }\n      ...ErrorFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteCluster($input: DeleteClusterInput!) {\n    deleteCluster(input: $input) {\n      __typename\n      ... on DeleteClusterPayload {\n        job {\n          ...JobFields\n        }\n      }\n      ...ErrorFields\n    }\n  }\n"): (typeof documents)["\n  mutation DeleteCluster($input: DeleteClusterInput!) {\n    deleteCluster(input: $input) {\n      __typename\n      ... on DeleteClusterPayload {\n        job {\n          ...JobFields\n        }\n      }\n      ...ErrorFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AuthorizeCluster($input: AuthorizeClusterInput!) {\n    authorizeCluster(input: $input) {\n      __typename\n      ... on AuthorizeClusterPayload {\n        clusterId\n      }\n      ...ErrorFields\n    }\n  }\n"): (typeof documents)["\n  mutation AuthorizeCluster($input: AuthorizeClusterInput!) {\n    authorizeCluster(input: $input) {\n      __typename\n      ... on AuthorizeClusterPayload {\n        clusterId\n      }\n      ...ErrorFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CancelJobs($input: CancelJobsInput!) {\n    cancelJobs(input: $input) {\n      __typename\n      ... on CancelJobsPayload {\n        cancelled\n        failed\n      }\n      ...ErrorFields\n    }\n  }\n"): (typeof documents)["\n  mutation CancelJobs($input: CancelJobsInput!) {\n    cancelJobs(input: $input) {\n      __typename\n      ... on CancelJobsPayload {\n        cancelled\n        failed\n      }\n      ...ErrorFields\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;