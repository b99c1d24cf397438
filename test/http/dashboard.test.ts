import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { GRAPHIQL_FETCHER_PATH } from '../../src/dashboard.js';

/** How the gateway serves the dashboard's build and GraphiQL, over real HTTP. The browser test drives them. */

async function gateway(webDir: string, env: Record<string, string> = {}): Promise<{ app: App; base: string }> {
  const config = loadConfig({ EMS_ENDPOINT: 'http://127.0.0.1:9', LOG_LEVEL: 'silent', AUDIT_LOG: 'off', ...env });
  const app = await buildApp(config, { logger: pino({ level: 'silent' }), webDir: pathToFileURL(`${webDir}/`) });
  const base = new URL(await app.start(0, '127.0.0.1')).origin;
  return { app, base };
}

const graphiql = (base: string) => fetch(`${base}/graphql`, { headers: { accept: 'text/html' } });

/** URLs a page would load from elsewhere: src/href attributes and CSS url()s not on this origin. */
const remoteLoads = (html: string) =>
  [...html.matchAll(/(?:src|href)\s*=\s*["']?(https?:)?\/\/[^"'\s>]+|url\(\s*["']?https?:\/\/[^)]+\)|import\s*\(?\s*["']https?:\/\/[^"']+/gi)].map((m) => m[0]);

describe('with a dashboard build', () => {
  let dir: string;
  let app: App;
  let base: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ems-gateway-dist-'));
    await mkdir(join(dir, 'assets'));
    await writeFile(join(dir, 'index.html'), '<!doctype html><title>one</title><script type="module" src="/assets/dashboard-AbCd1234.js"></script>');
    await writeFile(join(dir, 'assets', 'dashboard-AbCd1234.js'), 'console.log(1)');
    await writeFile(join(dir, 'assets', 'graphiql-fetcher.js'), 'export const createFetcher = () => null;');
    await writeFile(join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    await writeFile(join(dir, 'notes.unknown'), 'not served');
    ({ app, base } = await gateway(dir));
  });
  afterAll(async () => {
    await app?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves the dashboard at / with a strict content security policy', async () => {
    const response = await fetch(`${base}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    const csp = response.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain(`connect-src 'self' ws://${new URL(base).host}`);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(await response.text()).toContain('<title>one</title>');
    expect((await fetch(`${base}/index.html`)).status).toBe(200);
  });

  it('serves hashed assets for good, others revalidated, HEAD without a body', async () => {
    const hashed = await fetch(`${base}/assets/dashboard-AbCd1234.js`);
    expect(hashed.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(hashed.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await hashed.text()).toBe('console.log(1)');
    const fetcher = await fetch(`${base}${GRAPHIQL_FETCHER_PATH}`);
    expect(fetcher.headers.get('cache-control')).toBe('no-cache');
    const head = await fetch(`${base}/favicon.svg`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toBe('image/svg+xml');
    expect(head.headers.get('content-length')).toBe(String('<svg xmlns="http://www.w3.org/2000/svg"/>'.length));
    expect(await head.text()).toBe('');
  });

  it('serves nothing else: unknown files, other types, other methods, paths out of the build', async () => {
    for (const path of ['/assets/missing.js', '/notes.unknown', '/assets/..%2f..%2fpackage.json', '/assets/../../package.json', '/src/app.ts']) {
      expect((await fetch(`${base}${path}`)).status, path).toBe(404);
    }
    const post = await fetch(`${base}/`, { method: 'POST', body: '{}' });
    expect(post.status).toBe(404);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });

  it('picks up a new build without a restart', async () => {
    await writeFile(join(dir, 'index.html'), '<!doctype html><title>two</title>');
    const later = new Date(Date.now() + 60_000);
    await utimes(join(dir, 'index.html'), later, later);
    expect(await (await fetch(`${base}/`)).text()).toContain('<title>two</title>');
  });

  it('serves GraphiQL with everything inline and the dashboard’s fetcher, loading nothing from elsewhere', async () => {
    const response = await graphiql(base);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html.includes(`import { createFetcher } from "${GRAPHIQL_FETCHER_PATH}"`), `import { createFetcher } from "${GRAPHIQL_FETCHER_PATH}"`).toBe(true);
    expect(html.includes('YogaGraphiQL.renderYogaGraphiQL'), 'YogaGraphiQL.renderYogaGraphiQL').toBe(true);
    expect(html.includes('"shouldPersistHeaders":true'), '"shouldPersistHeaders":true').toBe(true);
    expect(html.includes('query Fleet'), 'query Fleet').toBe(true);
    expect(html.includes('subscription WatchJob'), 'subscription WatchJob').toBe(true);
    expect(remoteLoads(html)).toEqual([]);
    // The schema is in the page (introspection is on): no introspection request, so no token needed for docs.
    expect(html.includes('"schema":{"__schema":'), '"schema":{"__schema":').toBe(true);
    // Rendered once: the same page again.
    expect((await (await graphiql(base)).text()) === html).toBe(true);
  });
});

describe('GraphiQL on with introspection off', () => {
  it('carries no schema in the page', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ems-gateway-nointro-'));
    const { app, base } = await gateway(dir, { GRAPHIQL: 'true', GRAPHQL_INTROSPECTION: 'false' });
    try {
      const html = await (await graphiql(base)).text();
      expect(html.includes('YogaGraphiQL')).toBe(true);
      expect(html.includes('"schema":{"__schema":')).toBe(false);
    } finally {
      await app.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('without a dashboard build', () => {
  let dir: string;
  let app: App;
  let base: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ems-gateway-nodist-'));
    ({ app, base } = await gateway(join(dir, 'dist')));
  });
  afterAll(async () => {
    await app?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('answers / with 503 and how to build it', async () => {
    const response = await fetch(`${base}/`);
    expect(response.status).toBe(503);
    expect(await response.text()).toContain('npm run build:web');
  });

  it("serves yoga's own bundled GraphiQL, subscriptions over SSE (which carry the Headers pane), nothing from elsewhere", async () => {
    const html = await (await graphiql(base)).text();
    expect(html.includes(GRAPHIQL_FETCHER_PATH), GRAPHIQL_FETCHER_PATH).toBe(false);
    expect(html.includes('"subscriptionsProtocol":"SSE"'), '"subscriptionsProtocol":"SSE"').toBe(true);
    expect(remoteLoads(html)).toEqual([]);
  });
});
