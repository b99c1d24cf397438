import { randomUUID } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { EmsOperation } from '../ems/models/operations.js';
import { authenticate } from './auth.js';
import { apigwErrors, emsErrors, SimHttpError } from './errors.js';
import { HANDLERS, WRITE_ACTIONS, type Reply, type SimContext } from './handlers.js';
import { settle } from './jobs.js';
import type { StatsRecorder } from './stats.js';
import type { SimulatorIamProject } from './types.js';

/** Largest request body read; bigger ones get 413. */
export const MAX_BODY_BYTES = 1024 * 1024;

const JSON_TYPE = 'application/json;charset=utf-8';

interface Route {
  method: string;
  pattern: RegExp;
  operation: EmsOperation;
}

const SEG = '([^/]+)';
/** The 16 operations. Fixed paths come before `{cluster_id}` ones. A trailing "/" is tolerated. */
const ROUTES: readonly Route[] = [
  { method: 'GET', pattern: /^\/v1\/releases$/, operation: 'ListReleases' },
  { method: 'GET', pattern: /^\/v1\/features$/, operation: 'ListFeatures' },
  { method: 'GET', pattern: /^\/v1\/clusters\/labels$/, operation: 'ListClustersLabels' },
  { method: 'POST', pattern: /^\/v1\/clusters\/enroll$/, operation: 'EnrollCluster' },
  { method: 'POST', pattern: /^\/v1\/clusters$/, operation: 'CreateCluster' },
  { method: 'GET', pattern: /^\/v1\/clusters$/, operation: 'ListClusters' },
  { method: 'GET', pattern: new RegExp(`^/v1/clusters/${SEG}$`), operation: 'ShowCluster' },
  { method: 'DELETE', pattern: new RegExp(`^/v1/clusters/${SEG}$`), operation: 'DeleteClusterById' },
  { method: 'POST', pattern: new RegExp(`^/v1/clusters/${SEG}/authorization$`), operation: 'AuthorizeCluster' },
  { method: 'POST', pattern: new RegExp(`^/v1/clusters/${SEG}/expand$`), operation: 'ExpandCluster' },
  { method: 'POST', pattern: new RegExp(`^/v1/clusters/${SEG}/shrink$`), operation: 'ShrinkCluster' },
  { method: 'POST', pattern: new RegExp(`^/v1/ems/${SEG}/credentials$`), operation: 'CreateCredentialInfo' },
  { method: 'GET', pattern: new RegExp(`^/v1/ems/${SEG}/credentials$`), operation: 'ShowCredentialInfo' },
  { method: 'POST', pattern: /^\/v1\/jobs\/cancel$/, operation: 'CancelJobs' },
  { method: 'GET', pattern: /^\/v1\/jobs$/, operation: 'ListJobs' },
  { method: 'GET', pattern: new RegExp(`^/v1/jobs/${SEG}$`), operation: 'ShowJob' },
];

/** The operation for `method` and a raw (still percent-encoded) path, with its raw parameters. */
export function matchRoute(method: string, rawPath: string): { operation: EmsOperation; rawParams: string[] } | null {
  const path = rawPath.length > 1 && rawPath.endsWith('/') ? rawPath.slice(0, -1) : rawPath;
  for (const route of ROUTES) {
    if (route.method !== method) continue;
    const m = route.pattern.exec(path);
    if (m) return { operation: route.operation, rawParams: m.slice(1) };
  }
  return null;
}

export interface ServerContext extends SimContext {
  stats: StatsRecorder;
  /** What IAM `GET /v3/projects` lists. */
  iamProjects?: () => readonly SimulatorIamProject[];
}

/**
 * The node:http request listener. Order per request: route (unknown → 404 APIGW.0101) → count
 * in stats → read body → latency → transport faults (reset, 503, 429) → authentication →
 * X-Project-Id → permission (403) → settle jobs → operation → malformed-body fault on 2xx.
 * Every response carries X-Request-Id; any unexpected throw becomes a 500 with an error body.
 */
export function createRequestListener(ctx: ServerContext): RequestListener {
  return (req, res) => {
    handle(ctx, req, res).catch((err: unknown) => {
      // Last resort: handle() already answers every error it can; never let one escape.
      safeSend(res, randomUUID(), emsErrors.internal(errorText(err)));
    });
  };
}

async function handle(ctx: ServerContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const requestId = randomUUID();
  const target = req.url ?? '/';
  const q = target.indexOf('?');
  const rawPath = q < 0 ? target : target.slice(0, q);
  const rawQuery = q < 0 ? '' : target.slice(q + 1);
  const method = (req.method ?? 'GET').toUpperCase();

  if (method === 'GET' && /^\/v3\/projects\/?$/.test(rawPath)) {
    await iamProjects(ctx, req, res, requestId, rawPath, rawQuery);
    return;
  }
  const route = matchRoute(method, rawPath);
  if (!route) {
    req.resume();
    safeSend(res, requestId, apigwErrors.notFound());
    return;
  }
  const { operation } = route;
  const done = ctx.stats.begin(operation, method, target);
  res.once('close', done);
  try {
    const body = await readBody(req);
    const latency = ctx.faults.latencyFor(operation);
    if (latency > 0) await sleep(latency);
    const transport = ctx.faults.transport(operation);
    if (transport === 'reset') {
      req.socket.destroy();
      return;
    }
    if (transport) throw transport;

    const caller = authenticate(ctx.store, { method, path: rawPath, query: rawQuery, headers: req.headers, body }, Date.now());
    const action = WRITE_ACTIONS[operation];
    if (action && caller.readOnly) throw emsErrors.forbidden(action);

    let params: string[];
    try {
      params = route.rawParams.map((p) => decodeURIComponent(p));
    } catch {
      throw emsErrors.invalidParameter('malformed percent-encoding in the path');
    }
    const project = ctx.store.project(caller.projectId);
    const nowMs = ctx.clock.nowMs();
    settle(project, nowMs);
    const reply = HANDLERS[operation](ctx, { params, query: new URLSearchParams(rawQuery), rawBody: body, caller }, project, nowMs);
    sendReply(ctx, operation, res, requestId, reply);
  } catch (err) {
    safeSend(res, requestId, err instanceof SimHttpError ? err : emsErrors.internal(errorText(err)));
  } finally {
    done();
  }
}

/**
 * IAM `GET /v3/projects`: the projects the caller's credentials see, `{ projects: [{ id, name,
 * domain_id, enabled, ... }], links }`, where `name` is the region. Authenticated like EMS calls
 * (AK/SK signature verified, or a token); `?name=` filters by exact name, as IAM does. Not counted
 * in the EMS call statistics.
 */
async function iamProjects(ctx: ServerContext, req: IncomingMessage, res: ServerResponse, requestId: string, rawPath: string, rawQuery: string): Promise<void> {
  try {
    const body = await readBody(req);
    authenticate(ctx.store, { method: 'GET', path: rawPath, query: rawQuery, headers: req.headers, body }, Date.now());
    const wanted = new URLSearchParams(rawQuery).get('name');
    const projects = (ctx.iamProjects?.() ?? [])
      .filter((p) => wanted === null || p.name === wanted)
      .map((p) => ({
        id: p.id,
        name: p.name,
        domain_id: 'd0m41n5150000000000000000000000a',
        description: '',
        enabled: true,
        is_domain: false,
        parent_id: 'd0m41n5150000000000000000000000a',
        links: { self: `https://iam.myhuaweicloud.com/v3/projects/${p.id}` },
      }));
    write(res, requestId, 200, JSON.stringify({ projects, links: { self: 'https://iam.myhuaweicloud.com/v3/projects', previous: null, next: null } }), {});
  } catch (err) {
    safeSend(res, requestId, err instanceof SimHttpError ? err : emsErrors.internal(errorText(err)));
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => (tooLarge ? reject(apigwErrors.bodyTooLarge(MAX_BODY_BYTES)) : resolve(Buffer.concat(chunks))));
    req.on('error', reject);
  });
}

function sendReply(ctx: ServerContext, operation: EmsOperation, res: ServerResponse, requestId: string, reply: Reply): void {
  if (reply.body === undefined) {
    write(res, requestId, reply.status, null, {});
    return;
  }
  let payload = JSON.stringify(reply.body);
  if (reply.status >= 200 && reply.status < 300) {
    const spoil = ctx.faults.malformed(operation);
    if (spoil === 'truncate') payload = payload.slice(0, Math.max(1, Math.floor(payload.length / 2)));
    else if (spoil === 'reshape') payload = JSON.stringify({ result: reply.body, error: null });
  }
  write(res, requestId, reply.status, payload, {});
}

function safeSend(res: ServerResponse, requestId: string, err: SimHttpError): void {
  write(res, requestId, err.status, JSON.stringify(err.toBody()), err.headers);
}

function write(res: ServerResponse, requestId: string, status: number, payload: string | null, extra: Readonly<Record<string, string>>): void {
  if (res.headersSent || res.destroyed || res.writableEnded) return;
  const headers: Record<string, string | number> = { 'x-request-id': requestId, ...extra };
  if (payload !== null) {
    headers['content-type'] = JSON_TYPE;
    headers['content-length'] = Buffer.byteLength(payload);
  }
  res.writeHead(status, headers);
  res.end(payload ?? undefined);
}
