import { createSimulator, type EmsSimulator, type SimulatorOptions } from '../../src/simulator/index.js';

export interface SimResponse<T = any> {
  status: number;
  headers: Headers;
  /** Parsed JSON body, or null when empty or not JSON. */
  body: T;
  text: string;
}

export interface CallOptions {
  /** X-Auth-Token; defaults to the main token, null sends none. */
  token?: string | null;
  /** JSON-encoded unless `raw` is given. */
  body?: unknown;
  raw?: string;
  headers?: Record<string, string>;
}

/** Starts a simulator with a frozen clock (tests move it with clock.advance) unless told otherwise. */
export async function startSim(opts: SimulatorOptions = {}): Promise<EmsSimulator> {
  const sim = createSimulator({ clockSpeed: 0, ...opts });
  await sim.start();
  return sim;
}

export async function call<T = any>(sim: EmsSimulator, method: string, path: string, opts: CallOptions = {}): Promise<SimResponse<T>> {
  const token = opts.token === undefined ? sim.credentials.token : opts.token;
  const headers: Record<string, string> = { ...(token ? { 'x-auth-token': token } : {}), ...opts.headers };
  let body: string | undefined = opts.raw;
  if (body === undefined && opts.body !== undefined) body = JSON.stringify(opts.body);
  if (body !== undefined) headers['content-type'] ??= 'application/json;charset=utf-8';
  const res = await fetch(`${sim.url}${path}`, { method, headers, body });
  const text = await res.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  return { status: res.status, headers: res.headers, body: parsed as T, text };
}

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A valid CreateCluster body. */
export function createBody(name: string, k8sClusterId: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const { k8s, ...rest } = extra as { k8s?: Record<string, unknown> };
  return {
    name,
    k8s_cluster_specification: { k8s_cluster_id: k8sClusterId, node_count: 3, ...k8s },
    ...rest,
  };
}

/** The k8s_cluster_id of the seeded CCE cluster named `k8sName` (found through ListClusters). */
export async function k8sIdOf(sim: EmsSimulator, k8sName: string): Promise<string> {
  const res = await call(sim, 'GET', '/v1/clusters');
  const c = res.body.clusters.find((x: any) => x.cluster_metadata.k8s_name === k8sName);
  if (!c) throw new Error(`no seeded cluster on ${k8sName}`);
  return c.cluster_specification.k8s_cluster_specification.k8s_cluster_id;
}

/** The seeded cluster named `name`. */
export async function clusterNamed(sim: EmsSimulator, name: string, token?: string): Promise<any> {
  const res = await call(sim, 'GET', '/v1/clusters', { token });
  const c = res.body.clusters.find((x: any) => x.cluster_specification.name === name);
  if (!c) throw new Error(`no cluster named ${name}`);
  return c;
}
