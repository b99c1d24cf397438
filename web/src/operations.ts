import { graphql } from './gql';

/** Every operation the dashboard sends; `npm run codegen` types them (web/src/gql). */

export const FleetClusterFields = graphql(`
  fragment FleetClusterFields on Cluster {
    id
    region
    name
    status
    statusText
    reason
    createdAt
    updatedAt
    availableNodeCount
    k8s {
      k8sClusterId
      nodeCount
      version
    }
    memory {
      hugePageCount
      hugePageSizeMb
      totalBytes
    }
    release {
      id
      version
      preferred
    }
  }
`);

export const JobFields = graphql(`
  fragment JobFields on Job {
    id
    type
    name
    status
    statusText
    progress
    message
    createdAt
    beginAt
    endAt
    clusterId
    tasks {
      id
      status
      statusText
      message
      beginAt
      endAt
    }
  }
`);

export const ErrorFields = graphql(`
  fragment ErrorFields on Error {
    __typename
    code
    message
    ... on ValidationError {
      fields {
        field
        message
      }
    }
    ... on DuplicateNameError {
      name
    }
    ... on WrongStateError {
      currentStatus
    }
  }
`);

export const FleetQuery = graphql(`
  query Fleet($first: Int!, $after: String, $status: [ClusterStatus!], $regions: [String!]) {
    regions {
      name
    }
    clusters(first: $first, after: $after, status: $status, regions: $regions) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          ...FleetClusterFields
        }
      }
    }
  }
`);

export const ReleasesQuery = graphql(`
  query Releases {
    releases(first: 100) {
      edges {
        node {
          id
          version
          tag
          preferred
        }
      }
    }
  }
`);

export const ClusterQuery = graphql(`
  query Cluster($id: ID!, $jobs: Int!) {
    cluster(id: $id) {
      ...FleetClusterFields
      description
      projectId
      k8sName
      chargeMode
      k8s {
        k8sClusterId
        namespace
        flavor
        nodeCount
        version
        ltsEnabled
        monitorEnabled
        label {
          key
          value
        }
      }
      jobs(first: $jobs) {
        totalCount
        edges {
          node {
            ...JobFields
          }
        }
      }
    }
  }
`);

export const ClusterStatusSubscription = graphql(`
  subscription ClusterStatus($id: ID!) {
    clusterStatus(id: $id) {
      id
      status
      statusText
      reason
      updatedAt
      availableNodeCount
      k8s {
        k8sClusterId
        nodeCount
      }
    }
  }
`);

export const JobProgressSubscription = graphql(`
  subscription JobProgress($id: ID!) {
    jobProgress(id: $id) {
      ...JobFields
    }
  }
`);

export const CreateClusterMutation = graphql(`
  mutation CreateCluster($input: CreateClusterInput!) {
    createCluster(input: $input) {
      __typename
      ... on CreateClusterPayload {
        clusterId
        job {
          ...JobFields
        }
      }
      ...ErrorFields
    }
  }
`);

export const EnrollClusterMutation = graphql(`
  mutation EnrollCluster($input: EnrollClusterInput!) {
    enrollCluster(input: $input) {
      __typename
      ... on EnrollClusterPayload {
        clusterId
        job {
          ...JobFields
        }
      }
      ...ErrorFields
    }
  }
`);

export const ExpandClusterMutation = graphql(`
  mutation ExpandCluster($input: ExpandClusterInput!) {
    expandCluster(input: $input) {
      __typename
      ... on ExpandClusterPayload {
        job {
          ...JobFields
        }
      }
      ...ErrorFields
    }
  }
`);

export const ShrinkClusterMutation = graphql(`
  mutation ShrinkCluster($input: ShrinkClusterInput!) {
    shrinkCluster(input: $input) {
      __typename
      ... on ShrinkClusterPayload {
        job {
          ...JobFields
        }
      }
      ...ErrorFields
    }
  }
`);

export const DeleteClusterMutation = graphql(`
  mutation DeleteCluster($input: DeleteClusterInput!) {
    deleteCluster(input: $input) {
      __typename
      ... on DeleteClusterPayload {
        job {
          ...JobFields
        }
      }
      ...ErrorFields
    }
  }
`);

export const AuthorizeClusterMutation = graphql(`
  mutation AuthorizeCluster($input: AuthorizeClusterInput!) {
    authorizeCluster(input: $input) {
      __typename
      ... on AuthorizeClusterPayload {
        clusterId
      }
      ...ErrorFields
    }
  }
`);

export const CancelJobsMutation = graphql(`
  mutation CancelJobs($input: CancelJobsInput!) {
    cancelJobs(input: $input) {
      __typename
      ... on CancelJobsPayload {
        cancelled
        failed
      }
      ...ErrorFields
    }
  }
`);
