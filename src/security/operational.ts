import { timingSafeEqual, createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Metrics } from '../metrics.js';

/**
 * Who may read `/metrics`, on the main port (`main`) or on METRICS_PORT (`own`):
 * - METRICS_PORT set: only there, never on the main port;
 * - METRICS_TOKEN set: only with `Authorization: Bearer <token>`;
 * - neither, in production: nowhere (404); outside production: anyone.
 */
export function metricsAccess(config: Config, authorization: string | null, where: 'main' | 'own'): 'ok' | 'unauthorized' | 'not-found' {
  const { port, token } = config.security.metrics;
  if (where === 'main' && port !== null) return 'not-found';
  if (token !== null) return authorization !== null && sameSecret(authorization, `Bearer ${token}`) ? 'ok' : 'unauthorized';
  if (where === 'main' && config.security.production) return 'not-found';
  return 'ok';
}

function sameSecret(a: string, b: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(a), digest(b));
}

/** The METRICS_PORT server: `/metrics` only. */
export function metricsHandler(config: Config, metrics: Metrics) {
  return (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'GET' || new URL(req.url ?? '/', 'http://metrics').pathname !== '/metrics') {
      res.writeHead(404).end('Not Found\n');
      return;
    }
    const access = metricsAccess(config, req.headers.authorization ?? null, 'own');
    if (access !== 'ok') {
      res.writeHead(401, { 'www-authenticate': 'Bearer' }).end('Unauthorized\n');
      return;
    }
    metrics.registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
      () => res.writeHead(500).end(),
    );
  };
}

/** Start-up warnings about settings that leave the gateway open. */
export function warnAboutOpenAccess(config: Config, logger: Logger): void {
  const holds = config.ems.aksk !== null || config.ems.staticToken !== null;
  if (holds && config.security.auth.mode === 'none') {
    logger.warn(
      'GATEWAY_AUTH=none while the gateway holds EMS credentials: anyone who can reach it acts on EMS with them. ' +
        'Set GATEWAY_AUTH=apikey or jwt unless a trusted proxy authenticates callers.',
    );
  }
  if (config.security.production && config.security.metrics.port === null && config.security.metrics.token === null) {
    logger.warn('NODE_ENV=production without METRICS_TOKEN or METRICS_PORT: /metrics is disabled');
  }
}
