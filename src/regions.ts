/**
 * The regions behind one graph. EMS is regional: each region has its own endpoint
 * (`https://ems.{region}.myhuaweicloud.com`) and its own project id, which IAM's `GET /v3/projects`
 * names after the region. This module reads the region settings (EMS_REGIONS and the per-region
 * overrides), and finds missing project ids at start-up (discoverProjectIds). docs/regions.md says
 * how the graph spans them.
 */
import { Agent, request } from 'undici';
import { z } from 'zod';
import { EmsProjectId } from './ems/models/index.js';
import { signRequest } from './ems/signer.js';
import { brokenRule } from './ems/models/index.js';
import { redactConfigValue } from './security/redact.js';

/** One region as the gateway talks to it. */
export interface RegionConfig {
  /** The region name, e.g. `cn-north-4`: what `Cluster.region`, `regions` and `region` arguments say. */
  name: string;
  /** Base URL of the region's EMS. */
  endpoint: string;
  /** Sent as `X-Project-Id`; null = not sent (the token's own project), or to be discovered. */
  projectId: string | null;
  /** IAM of the region, asked for the project id when `discover` holds. */
  iamEndpoint: string;
  /** Find `projectId` at start-up from IAM `GET /v3/projects` (EMS_REGIONS with AK/SK and no EMS_PROJECT_ID_<REGION>). */
  discover: boolean;
}

/** A Huawei Cloud region name: `cn-north-4`, `ap-southeast-1`, `la-north-2`. */
export const REGION_NAME = /^[a-z]{2,}(?:-[a-z0-9]+)+$/;

/** The name of the one region of a single EMS_ENDPOINT that neither EMS_REGION nor its host names. */
export const DEFAULT_REGION_NAME = 'default';

/** The suffix of a region's own variables: `cn-north-4` → `CN_NORTH_4` (EMS_ENDPOINT_CN_NORTH_4). */
export function regionEnvSuffix(region: string): string {
  return region.toUpperCase().replace(/-/g, '_');
}

/** `https://ems.{region}.myhuaweicloud.com`, and IAM's `https://iam.{region}.myhuaweicloud.com`. */
export const emsEndpointOf = (region: string) => `https://ems.${region}.myhuaweicloud.com`;
export const iamEndpointOf = (region: string) => `https://iam.${region}.myhuaweicloud.com`;

/** The region an endpoint of the documented pattern names (`ems.cn-north-4.myhuaweicloud.com`), else null. */
export function regionOfEndpoint(endpoint: string): string | null {
  try {
    const match = /^ems\.([a-z0-9-]+)\.myhuaweicloud\.com$/.exec(new URL(endpoint).hostname);
    return match && REGION_NAME.test(match[1]!) ? match[1]! : null;
  } catch {
    return null;
  }
}

/** Why an endpoint setting is refused, or null: a plain http(s) base URL, with no credentials, query or fragment in it. */
const endpointProblem = (variable: string, value: string): string | null => {
  const shown = JSON.stringify(redactConfigValue(value));
  if (!URL.canParse(value) || !['http:', 'https:'].includes(new URL(value).protocol)) return `${variable}: must be a http(s) URL (got ${shown})`;
  const u = new URL(value);
  if (u.username !== '' || u.password !== '' || u.search !== '' || u.hash !== '') {
    return `${variable}: must not carry a user name, password, query or fragment (got ${shown}; credentials go in EMS_AK/EMS_SK or a token)`;
  }
  return null;
};

/**
 * EMS_REGIONS and each region's EMS_ENDPOINT_<R>, EMS_PROJECT_ID_<R> and EMS_IAM_ENDPOINT_<R> (or
 * EMS_IAM_ENDPOINT for all), checked together. Null regions when EMS_REGIONS is unset.
 */
export function regionsFromEnv(env: Record<string, string | undefined>, aksk: boolean): { regions: RegionConfig[] | null; problems: string[] } {
  const value = (name: string) => {
    const v = env[name]?.trim();
    return v ? v : undefined;
  };
  const list = value('EMS_REGIONS');
  if (list === undefined) return { regions: null, problems: [] };
  const problems: string[] = [];
  const names = list.split(',').map((s) => s.trim()).filter(Boolean);
  if (names.length === 0) problems.push('EMS_REGIONS: must list at least one region, e.g. cn-north-4,cn-east-3');
  for (const name of names) {
    if (!REGION_NAME.test(name) || name.length > 64) problems.push(`EMS_REGIONS: ${JSON.stringify(name)} is not a region name (like cn-north-4)`);
  }
  if (new Set(names).size !== names.length) problems.push('EMS_REGIONS: a region is listed twice');
  if (value('EMS_ENDPOINT')) problems.push('EMS_ENDPOINT: set either EMS_ENDPOINT (one region) or EMS_REGIONS (with EMS_ENDPOINT_<REGION> to override an endpoint), not both');
  if (value('EMS_PROJECT_ID')) problems.push('EMS_PROJECT_ID: with EMS_REGIONS, set EMS_PROJECT_ID_<REGION> per region (or leave it to discovery with EMS_AK/EMS_SK)');
  if (value('EMS_REGION')) problems.push('EMS_REGION: names the one region of EMS_ENDPOINT; with EMS_REGIONS leave it unset');
  const iamAll = value('EMS_IAM_ENDPOINT');
  const iamAllProblem = iamAll === undefined ? null : endpointProblem('EMS_IAM_ENDPOINT', iamAll);
  if (iamAllProblem) problems.push(iamAllProblem);
  const regions: RegionConfig[] = [];
  for (const name of new Set(names)) {
    if (!REGION_NAME.test(name)) continue;
    const suffix = regionEnvSuffix(name);
    const endpoint = value(`EMS_ENDPOINT_${suffix}`) ?? emsEndpointOf(name);
    const endpointRefused = endpointProblem(`EMS_ENDPOINT_${suffix}`, endpoint);
    if (endpointRefused) problems.push(endpointRefused);
    const iamEndpoint = value(`EMS_IAM_ENDPOINT_${suffix}`) ?? iamAll ?? iamEndpointOf(name);
    const iamRefused = iamAll !== undefined && value(`EMS_IAM_ENDPOINT_${suffix}`) === undefined ? null : endpointProblem(`EMS_IAM_ENDPOINT_${suffix}`, iamEndpoint);
    if (iamRefused) problems.push(iamRefused);
    const projectId = value(`EMS_PROJECT_ID_${suffix}`) ?? null;
    const broken = projectId === null ? null : brokenRule(EmsProjectId, projectId);
    if (broken) problems.push(`EMS_PROJECT_ID_${suffix}: ${broken}`);
    regions.push({ name, endpoint, projectId, iamEndpoint, discover: projectId === null && aksk });
  }
  return { regions: problems.length > 0 ? null : regions, problems };
}

/** A region's project id could not be found: the gateway does not start. */
export class RegionDiscoveryError extends Error {
  constructor(
    readonly region: string,
    detail: string,
  ) {
    super(`region ${region}: project id discovery failed: ${detail} (set EMS_PROJECT_ID_${regionEnvSuffix(region)} to skip discovery)`);
    this.name = 'RegionDiscoveryError';
  }
}

const IamProjects = z.object({ projects: z.array(z.object({ id: z.unknown(), name: z.unknown() }).passthrough()) }).passthrough();

/**
 * Fills the project id of every region that asks for discovery, from IAM `GET /v3/projects?name=<region>`
 * signed with the gateway's AK/SK, all regions at once: the project whose `name` is the region.
 * @throws RegionDiscoveryError naming the first region that failed (no answer, a refusal, no such project).
 */
export async function discoverProjectIds(
  regions: readonly RegionConfig[],
  aksk: { ak: string; sk: string; securityToken: string | null },
  options: { timeoutMs: number },
): Promise<RegionConfig[]> {
  if (!regions.some((r) => r.discover)) return [...regions];
  const agent = new Agent({ connect: { timeout: options.timeoutMs } });
  try {
    const results = await Promise.allSettled(
      regions.map(async (region): Promise<RegionConfig> => {
        if (!region.discover) return region;
        return { ...region, projectId: await projectIdOf(region, aksk, agent, options.timeoutMs), discover: false };
      }),
    );
    return results.map((result, i) => {
      if (result.status === 'fulfilled') return result.value;
      const error = result.reason as unknown;
      throw error instanceof RegionDiscoveryError ? error : new RegionDiscoveryError(regions[i]!.name, error instanceof Error ? error.message : String(error));
    });
  } finally {
    await agent.close();
  }
}

async function projectIdOf(
  region: RegionConfig,
  aksk: { ak: string; sk: string; securityToken: string | null },
  agent: Agent,
  timeoutMs: number,
): Promise<string> {
  const base = region.iamEndpoint.replace(/\/+$/, '');
  const url = new URL(`${base}/v3/projects?name=${encodeURIComponent(region.name)}`);
  const headers: Record<string, string> = { 'content-type': 'application/json;charset=utf-8' };
  Object.assign(headers, signRequest({ method: 'GET', url, headers }, { ak: aksk.ak, sk: aksk.sk, securityToken: aksk.securityToken }));
  let response;
  try {
    response = await request(url, { method: 'GET', headers, dispatcher: agent, signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    throw new RegionDiscoveryError(region.name, `IAM at ${base} did not answer (${error instanceof Error ? error.message : String(error)})`);
  }
  const text = await response.body.text();
  const requestId = response.headers['x-request-id'];
  const quoted = typeof requestId === 'string' ? `, request id ${requestId}` : '';
  if (response.statusCode < 200 || response.statusCode >= 300) {
    let code = '';
    try {
      const body = JSON.parse(text) as { error_code?: unknown; error?: { code?: unknown } };
      code = typeof body.error_code === 'string' ? ` ${body.error_code}` : '';
    } catch {
      // no readable error body
    }
    throw new RegionDiscoveryError(region.name, `IAM at ${base} answered ${response.statusCode}${code}${quoted}`);
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new RegionDiscoveryError(region.name, `IAM at ${base} answered with a body that is not JSON${quoted}`);
  }
  const parsed = IamProjects.safeParse(body);
  if (!parsed.success) throw new RegionDiscoveryError(region.name, `IAM at ${base} answered without a projects list${quoted}`);
  const match = parsed.data.projects.find((p) => p.name === region.name && typeof p.id === 'string' && brokenRule(EmsProjectId, p.id) === null);
  if (!match) throw new RegionDiscoveryError(region.name, `IAM at ${base} lists no project named ${region.name} for these credentials${quoted}`);
  return match.id as string;
}
