import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { Harness } from '../fixtures/harness.js';
import { MutationClustersDocument, type MutationClustersQuery } from '../generated/graphql.js';
import type { DocumentNode } from 'graphql';
import { MUTATIONS, type MutationField, type MutationInput, type MutationResult } from './operations.js';

export type ClusterNode = NonNullable<MutationClustersQuery['clusters']['edges'][number]['node']>;

/**
 * Runs mutation `field` with `input` over HTTP, checks that no GraphQL error came back, and returns
 * its value: the result union (payload or expected failure).
 */
export async function mutate<F extends MutationField>(
  h: Harness,
  field: F,
  input: MutationInput<F>,
  options: { token?: string | null } = {},
): Promise<MutationResult<F>> {
  const response = await h.gql(MUTATIONS[field] as DocumentNode, { input }, options);
  expect(response.errors).toBeUndefined();
  return (response.data as Record<F, MutationResult<F>>)[field];
}

/** The payload member of `field`'s result union: `createCluster` → `CreateClusterPayload`. */
export type MutationPayload<F extends MutationField> = Extract<MutationResult<F>, { __typename: `${Capitalize<F>}Payload` }>;

/** Runs a mutation that must succeed and returns its payload; any other result fails the test, showing what came. */
export async function payloadOf<F extends MutationField>(
  h: Harness,
  field: F,
  input: MutationInput<F>,
  options: { token?: string | null } = {},
): Promise<MutationPayload<F>> {
  const result = await mutate(h, field, input, options);
  const typename = `${field[0]!.toUpperCase()}${field.slice(1)}Payload`;
  if ((result as { __typename: string }).__typename !== typename) throw new Error(`expected a ${typename}, got ${JSON.stringify(result)}`);
  return result as MutationPayload<F>;
}

/** The seeded clusters of the simulator's main project, by name. */
export async function clustersByName(h: Harness): Promise<Map<string, ClusterNode>> {
  const result = await h.gql(MutationClustersDocument);
  if (result.errors) throw new Error(JSON.stringify(result.errors));
  const nodes = result.data!.clusters.edges.flatMap((e) => (e.node ? [e.node] : []));
  return new Map(nodes.map((n) => [n.name, n]));
}

/** A seeded cluster that must exist, by name. */
export async function cluster(h: Harness, name: string): Promise<ClusterNode> {
  const found = (await clustersByName(h)).get(name);
  if (!found) throw new Error(`no seeded cluster ${name}`);
  return found;
}

/**
 * Names of nodes EMS provisioned for a cluster (the simulator names them
 * `{cluster name cut to 40}-n001`, `-n002`, ...).
 */
export function provisionedNodeNames(clusterName: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${clusterName.slice(0, 40)}-n${String(i + 1).padStart(3, '0')}`);
}

/** A fresh CCE cluster id (the simulator registers unknown ones on create). */
export const newK8sClusterId = () => randomUUID();

/** A cluster name no test used before. */
export const uniqueName = (base: string) => `${base}-${randomUUID().slice(0, 8)}`;
