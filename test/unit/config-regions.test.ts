import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { regionOfEndpoint } from '../../src/regions.js';
import { problemsOf } from '../fixtures/config.js';

describe('EMS_REGIONS', () => {
  it('derives each region’s EMS and IAM endpoints by the documented pattern, and takes overrides', () => {
    const config = loadConfig({
      EMS_REGIONS: 'cn-north-4, cn-east-3,ap-southeast-1',
      EMS_ENDPOINT_CN_EAST_3: 'http://127.0.0.1:4011',
      EMS_PROJECT_ID_AP_SOUTHEAST_1: '0123456789abcdef0123456789abcdef',
      EMS_IAM_ENDPOINT: 'https://iam.myhuaweicloud.com',
      EMS_IAM_ENDPOINT_CN_NORTH_4: 'https://iam.cn-north-4.example.test',
    });
    expect(config.ems.endpoint).toBeNull();
    expect(config.ems.regions).toEqual([
      { name: 'cn-north-4', endpoint: 'https://ems.cn-north-4.myhuaweicloud.com', projectId: null, iamEndpoint: 'https://iam.cn-north-4.example.test', discover: false },
      { name: 'cn-east-3', endpoint: 'http://127.0.0.1:4011', projectId: null, iamEndpoint: 'https://iam.myhuaweicloud.com', discover: false },
      { name: 'ap-southeast-1', endpoint: 'https://ems.ap-southeast-1.myhuaweicloud.com', projectId: '0123456789abcdef0123456789abcdef', iamEndpoint: 'https://iam.myhuaweicloud.com', discover: false },
    ]);
  });

  it('with AK/SK, a region without EMS_PROJECT_ID_<REGION> is discovered at start-up; IAM defaults to iam.{region}', () => {
    const config = loadConfig({ EMS_REGIONS: 'cn-north-4,cn-east-3', EMS_PROJECT_ID_CN_EAST_3: 'abc123', EMS_AK: 'AK', EMS_SK: 'SK', GATEWAY_AUTH: 'none' });
    expect(config.ems.regions!.map((r) => [r.name, r.iamEndpoint, r.discover])).toEqual([
      ['cn-north-4', 'https://iam.cn-north-4.myhuaweicloud.com', true],
      ['cn-east-3', 'https://iam.cn-east-3.myhuaweicloud.com', false],
    ]);
  });

  it('never echoes a password in a region endpoint, and refuses credentials, queries and fragments in one', () => {
    const problems = problemsOf({
      EMS_REGIONS: 'cn-north-4,cn-east-3',
      EMS_ENDPOINT_CN_NORTH_4: 'https://ops:hunter2@ems.example.test',
      EMS_ENDPOINT_CN_EAST_3: 'ems.example.test?token=abc',
      EMS_IAM_ENDPOINT: 'https://iam.example.test/#x',
    });
    expect(problems.join('\n')).not.toContain('hunter2');
    expect(problems).toEqual([
      expect.stringMatching(/^EMS_IAM_ENDPOINT: must not carry a user name, password, query or fragment/),
      expect.stringMatching(/^EMS_ENDPOINT_CN_NORTH_4: must not carry a user name, password, query or fragment \(got "https:\/\/\*\*\*@ems\.example\.test"/),
      expect.stringMatching(/^EMS_ENDPOINT_CN_EAST_3: must be a http\(s\) URL/),
    ]);
  });

  it('reports every region problem at once', () => {
    expect(
      problemsOf({
        EMS_REGIONS: 'cn-north-4,CN_EAST,cn-north-4',
        EMS_ENDPOINT: 'https://ems.cn-north-4.myhuaweicloud.com',
        EMS_PROJECT_ID: 'abc',
        EMS_ENDPOINT_CN_NORTH_4: 'ftp://x',
        EMS_PROJECT_ID_CN_NORTH_4: 'not a project id',
      }),
    ).toEqual([
      'EMS_REGIONS: "CN_EAST" is not a region name (like cn-north-4)',
      'EMS_REGIONS: a region is listed twice',
      'EMS_ENDPOINT: set either EMS_ENDPOINT (one region) or EMS_REGIONS (with EMS_ENDPOINT_<REGION> to override an endpoint), not both',
      'EMS_PROJECT_ID: with EMS_REGIONS, set EMS_PROJECT_ID_<REGION> per region (or leave it to discovery with EMS_AK/EMS_SK)',
      'EMS_ENDPOINT_CN_NORTH_4: must be a http(s) URL (got "ftp://x")',
      expect.stringMatching(/^EMS_PROJECT_ID_CN_NORTH_4: /),
    ]);
  });

  it('a single EMS_ENDPOINT stays one region, named by EMS_REGION, else by its host, else "default"', () => {
    const config = loadConfig({ EMS_ENDPOINT: 'https://ems.cn-north-4.myhuaweicloud.com' });
    expect(config.ems).toMatchObject({ regions: null, region: null });
    expect(loadConfig({ EMS_ENDPOINT: 'http://127.0.0.1:4010', EMS_REGION: 'cn-east-3' }).ems.region).toBe('cn-east-3');
    expect(regionOfEndpoint('https://ems.la-north-2.myhuaweicloud.com')).toBe('la-north-2');
    expect(regionOfEndpoint('http://127.0.0.1:4010')).toBeNull();
    expect(problemsOf({ EMS_REGION: 'North' })).toEqual([expect.stringMatching(/^EMS_REGION: must be a region name/)]);
  });
});

describe('per-region tokens', () => {
  const regions = ['cn-north-4', 'cn-east-3'];
  it('reads X-Auth-Token-<region> headers, and over graphql-ws an authTokens map or such headers in connection_init', async () => {
    const { regionTokensOf } = await import('../../src/context.js');
    const request = new Request('http://gateway.test/graphql', { headers: { 'X-Auth-Token-cn-east-3': ' east-token ', 'x-auth-token': 'plain' } });
    expect([...regionTokensOf({ request } as never, regions)]).toEqual([['cn-east-3', 'east-token']]);
    expect([...regionTokensOf({ connectionParams: { authTokens: { 'cn-north-4': 'n', 'cn-east-3': 'e', 'mars-1': 'x' } } } as never, regions)]).toEqual([
      ['cn-north-4', 'n'],
      ['cn-east-3', 'e'],
    ]);
    expect([...regionTokensOf({ connectionParams: { headers: { 'X-AUTH-TOKEN-CN-EAST-3': 'e2' } } } as never, regions)]).toEqual([['cn-east-3', 'e2']]);
    expect([...regionTokensOf({ connectionParams: { authTokens: ['not', 'a', 'map'] } } as never, regions)]).toEqual([]);
  });
});
