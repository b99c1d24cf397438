import { afterAll, describe, expect, it } from 'vitest';
import { createEmsClient } from '../../src/ems/client.js';

describe('EmsClient.forAuth', () => {
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
});
