import { createHash, randomBytes } from 'node:crypto';

/** A fresh API key and its GATEWAY_API_KEYS entry. */
export function apiKey(name: string, roles: string[]): { key: string; entry: { name: string; roles: string[]; sha256: string } } {
  const key = `egk_${randomBytes(24).toString('base64url')}`;
  return { key, entry: { name, roles, sha256: createHash('sha256').update(key).digest('hex') } };
}

export const DELETE_CLUSTER = `mutation($id: ID!) { deleteCluster(input: { clusterId: $id }) { __typename ... on Error { code message } ... on DeleteClusterPayload { jobId } } }`;
