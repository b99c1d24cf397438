import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/mutations/errors.js';
import { graphqlPath, toEmsBody, validateInput } from '../../src/mutations/validation.js';
import {
  CLUSTER_ID_RULES,
  CREATE_CLUSTER_RULES,
  ENROLL_CLUSTER_RULES,
  NODE_NAMES_RULES,
  type CreateClusterInput,
} from '../../src/schema/cluster-mutations.js';
import { CREATE_CREDENTIAL_RULES } from '../../src/schema/credential-mutations.js';
import { CANCEL_JOBS_RULES } from '../../src/schema/job-mutations.js';

/**
 * Mutation inputs checked against the EMS request models through each input's EMS mapping (the
 * rules the mutation resolvers use), without a gateway.
 */

const K8S_ID = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const CLUSTER_ID = '11111111-2222-4333-8444-555555555555';

function fieldsOf(fn: () => unknown) {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).fields;
  }
  throw new Error('expected a ValidationError');
}

const validateCreateCluster = (input: typeof CreateClusterInput.$inferInput) => validateInput(input, CREATE_CLUSTER_RULES);
const validateNodeNames = (input: { clusterId: string; nodeNames: string[] }) => validateInput(input, NODE_NAMES_RULES);

const valid: typeof CreateClusterInput.$inferInput = {
  name: 'kv-cache-01',
  k8s: { k8sClusterId: K8S_ID, nodeCount: 3, ltsConnectType: 1 },
  memory: { hugePageCount: 131072, hugePageSizeMb: 2 },
};

describe('createCluster', () => {
  it('maps a valid input to the EMS body, dropping absent fields', () => {
    expect(validateCreateCluster({ ...valid, description: null, chargeMode: 0 })).toEqual({
      name: 'kv-cache-01',
      charge_mode: 0,
      k8s_cluster_specification: { k8s_cluster_id: K8S_ID, node_count: 3, lts_connect_type: 1 },
      memory_specification: { huge_page_num: 131072, huge_page_flavor: 2 },
    });
  });

  it('names every bad field at once, by its GraphQL path, with the rule and the value', () => {
    const fields = fieldsOf(() =>
      validateCreateCluster({
        name: 'Ab',
        k8s: { k8sClusterId: 'not-a-uuid', nodeCount: 2, nodeType: 5, label: { key: '-x', value: 'ok' } },
        memory: { hugePageCount: 1000, hugePageSizeMb: 3 },
        idempotencyKey: 'x'.repeat(300),
      }),
    );
    const byField = new Map<string, string[]>();
    for (const f of fields) byField.set(f.field, [...(byField.get(f.field) ?? []), f.message]);
    expect([...byField.keys()].sort()).toEqual(
      [
        'idempotencyKey',
        'k8s.k8sClusterId',
        'k8s.label.key',
        'k8s.nodeCount',
        'k8s.nodeType',
        'memory.hugePageCount',
        'memory.hugePageSizeMb',
        'name',
      ].sort(),
    );
    expect(byField.get('k8s.nodeCount')).toEqual(['must be at least 3 (got 2)']);
    expect(byField.get('k8s.nodeType')).toEqual(['must be one of 0, 1, 2 (got 5)']);
    expect(byField.get('memory.hugePageCount')).toEqual(['must be at least 131072 (got 1000)']);
    expect(byField.get('memory.hugePageSizeMb')?.[0]).toMatch(/must be one of 2, 1024/);
    expect(byField.get('k8s.k8sClusterId')?.[0]).toMatch(/must be a UUID.*\(got "not-a-uuid"\)/);
    expect(byField.get('name')).toEqual(
      expect.arrayContaining([expect.stringMatching(/at least 4 characters/), expect.stringMatching(/lowercase/)]),
    );
    expect(fields.find((f) => f.field === 'k8s.nodeCount')?.path).toEqual(['input', 'k8s', 'nodeCount']);
  });

  it('enforces the upper node count and huge-page bounds', () => {
    const fields = fieldsOf(() =>
      validateCreateCluster({ ...valid, k8s: { k8sClusterId: K8S_ID, nodeCount: 513 }, memory: { hugePageCount: 2147483648 } }),
    );
    expect(fields.map((f) => [f.field, f.message])).toEqual([
      ['k8s.nodeCount', 'must be at most 512 (got 513)'],
      ['memory.hugePageCount', 'must be at most 2147483647 (got 2147483648)'],
    ]);
  });

  it('refuses names that end with "-" or are too long', () => {
    expect(fieldsOf(() => validateCreateCluster({ ...valid, name: 'abcd-' })).map((f) => f.message)).toEqual([
      'must not end with "-" (got "abcd-")',
    ]);
    expect(fieldsOf(() => validateCreateCluster({ ...valid, name: `a${'b'.repeat(128)}` }))[0]?.message).toMatch(
      /^must be at most 128 characters/,
    );
  });
});

describe('enrollCluster', () => {
  it('checks every UUID list member and the required namespace', () => {
    const fields = fieldsOf(() =>
      validateInput({
        name: 'enrolled',
        clusterId: 'nope',
        k8s: { k8sClusterId: K8S_ID, namespace: '' },
        vpcSecurityGroupIds: [CLUSTER_ID, 'bad'],
        ltsStreams: ['bad'],
      }, ENROLL_CLUSTER_RULES),
    );
    expect(fields.map((f) => f.field)).toEqual(['clusterId', 'k8s.namespace', 'vpcSecurityGroupIds.1', 'ltsStreams.0']);
  });
});

describe('expandCluster and shrinkCluster', () => {
  it('checks the cluster id and the node name list', () => {
    const fields = fieldsOf(() => validateNodeNames({ clusterId: 'x', nodeNames: ['a', '', 'n'.repeat(49), 'a'] }));
    expect(fields.map((f) => [f.field, f.message])).toEqual([
      ['clusterId', 'must be a UUID (8-4-4-4-12 hexadecimal digits) (got "x")'],
      ['nodeNames.1', 'must not be empty (got "")'],
      ['nodeNames.2', expect.stringMatching(/^must be at most 48 characters/)],
      ['nodeNames', 'must not repeat a node name'],
    ]);
    expect(fieldsOf(() => validateNodeNames({ clusterId: CLUSTER_ID, nodeNames: [] }))[0]).toMatchObject({
      field: 'nodeNames',
      message: 'must name at least one node',
    });
  });

  it('passes a valid list through', () => {
    expect(validateNodeNames({ clusterId: CLUSTER_ID, nodeNames: ['node-1', 'node-2'] })).toEqual({ node_name_list: ['node-1', 'node-2'] });
  });
});

describe('the other validators', () => {
  it('checks job ids', () => {
    const fields = fieldsOf(() => validateInput({ jobIds: ['short-abc', 'job-1', `long-${'x'.repeat(50)}`] }, CANCEL_JOBS_RULES));
    expect(fields.map((f) => f.field)).toEqual(['jobIds.1', 'jobIds.2']);
    expect(fieldsOf(() => validateInput({ jobIds: [] }, CANCEL_JOBS_RULES))[0]?.message).toBe('must name at least one job');
  });

  it('checks cluster ids and project ids', () => {
    expect(fieldsOf(() => validateInput({ clusterId: '../x' }, CLUSTER_ID_RULES))[0]?.field).toBe('clusterId');
    expect(fieldsOf(() => validateInput({ projectId: 'a/b' }, CREATE_CREDENTIAL_RULES))[0]?.field).toBe('projectId');
    // createCredential checks the project id after defaulting it to EMS_PROJECT_ID: none at all is refused.
    expect(fieldsOf(() => validateInput({ projectId: null }, CREATE_CREDENTIAL_RULES))[0]?.message).toMatch(/is required/);
    expect(validateInput({ projectId: 'abc123' }, CREATE_CREDENTIAL_RULES)).toEqual({});
  });
});

describe('the EMS mapping, both ways', () => {
  const mapping = CREATE_CLUSTER_RULES.mapping;

  it('builds the EMS body: renamed fields, nested objects, no nulls, not the idempotency key', () => {
    expect(toEmsBody({ ...valid, description: null, k8s: { ...valid.k8s, label: { key: 'pool', value: '' } }, idempotencyKey: 'k' }, mapping)).toEqual({
      name: 'kv-cache-01',
      k8s_cluster_specification: { k8s_cluster_id: K8S_ID, node_count: 3, lts_connect_type: 1, label: { key: 'pool', value: '' } },
      memory_specification: { huge_page_num: 131072, huge_page_flavor: 2 },
    });
  });

  it('maps nested EMS names back to GraphQL names and keeps indices', () => {
    expect(graphqlPath(['k8s_cluster_specification', 'label', 'key'], mapping)).toEqual(['k8s', 'label', 'key']);
    expect(graphqlPath(['memory_specification', 'huge_page_flavor'], mapping)).toEqual(['memory', 'hugePageSizeMb']);
    expect(graphqlPath(['unknown', 3], mapping)).toEqual(['unknown', '3']);
    expect(graphqlPath(['vpc_security_group_ids', 1], ENROLL_CLUSTER_RULES.mapping)).toEqual(['vpcSecurityGroupIds', '1']);
  });
});
