import { afterAll, describe, expect, it } from 'vitest';
import { createEmsClient } from '../../src/ems/client.js';
import { EmsNetworkError } from '../../src/ems/errors.js';

describe('EmsClient', () => {
  const client = createEmsClient({ endpoint: 'http://127.0.0.1:9' });
  afterAll(() => client.close());

  it('shares one bound API between callers with the same credentials, never between different ones', () => {
    const a = client.forAuth({ kind: 'token', token: 'token-a' });
    expect(client.forAuth({ kind: 'token', token: 'token-a' })).toBe(a);
    expect(client.forAuth({ kind: 'token', token: 'token-b' })).not.toBe(a);
    const signed = client.forAuth({ kind: 'aksk', ak: 'AK', sk: 'SK1' });
    expect(client.forAuth({ kind: 'aksk', ak: 'AK', sk: 'SK1' })).toBe(signed);
    expect(client.forAuth({ kind: 'aksk', ak: 'AK', sk: 'SK2' })).not.toBe(signed);
    expect(client.forAuth({ kind: 'aksk', ak: 'AK', sk: 'SK1', securityToken: 'sts' })).not.toBe(signed);
  });

  it('knows a refused connection never reached EMS, so a failed write has no unknown outcome', async () => {
    const error = await client
      .forAuth({ kind: 'token', token: 't' })
      .createCluster({ name: 'abcd', k8s_cluster_specification: { k8s_cluster_id: '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d' } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EmsNetworkError);
    expect(error).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', sent: false, outcomeUnknown: false });
  });
});
