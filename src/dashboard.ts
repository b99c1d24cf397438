import { readFile, readdir, stat } from 'node:fs/promises';
import { extname, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { introspectionFromSchema, type GraphQLSchema } from 'graphql';
import type { GraphiQLOptions, Plugin } from 'graphql-yoga';

/**
 * The pages for people: the dashboard at `/` (built from web/ into web/dist/ by `npm run build:web`)
 * and GraphiQL at `/graphql`, both with every asset served by the gateway itself, so they work with
 * no internet. The dashboard speaks only GraphQL to this gateway.
 */

/** Where `npm run build:web` puts the dashboard: web/dist/ beside src/ (or beside a compiled dist/). */
export const WEB_DIST = new URL('../web/dist/', import.meta.url);

/** The GraphiQL page's fetcher, built with the dashboard (web/src/graphiql-fetcher.ts). */
export const GRAPHIQL_FETCHER_PATH = '/assets/graphiql-fetcher.js';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** Vite's content-hashed file names (`dashboard-BGI4De24.js`): safe to cache for good. */
const HASHED = /-[A-Za-z0-9_-]{8}\.[a-z0-9]+$/;

interface Asset {
  body: Uint8Array<ArrayBuffer>;
  type: string;
  immutable: boolean;
}

/** The built files by URL path, read into memory (a few hundred kB), reloaded when the build changes. */
class BuiltAssets {
  private files = new Map<string, Asset>();
  private builtAt: number | null = null;
  private loading: Promise<void> | null = null;

  constructor(private readonly dir: URL) {}

  /** The files of the current build; empty while there is none. */
  async current(): Promise<ReadonlyMap<string, Asset>> {
    const builtAt = await stat(new URL('index.html', this.dir)).then(
      (s) => s.mtimeMs,
      () => null,
    );
    if (builtAt !== this.builtAt) {
      this.loading ??= this.load(builtAt).finally(() => (this.loading = null));
      await this.loading;
    }
    return this.files;
  }

  private async load(builtAt: number | null): Promise<void> {
    const files = new Map<string, Asset>();
    if (builtAt !== null) {
      const root = fileURLToPath(this.dir);
      const entries = await readdir(root, { recursive: true, withFileTypes: true });
      for (const entry of entries) {
        if (!entry.isFile()) continue;
        const path = `${entry.parentPath}${sep}${entry.name}`;
        const type = CONTENT_TYPES[extname(entry.name)];
        if (!type) continue;
        const urlPath = `/${relative(root, path).split(sep).join('/')}`;
        files.set(urlPath, { body: new Uint8Array(await readFile(path)), type, immutable: HASHED.test(entry.name) });
      }
    }
    this.files = files;
    this.builtAt = builtAt;
  }
}

/**
 * Security headers of the dashboard: it runs only its own scripts and styles, talks only to this
 * origin (HTTP and WebSocket), and is never framed.
 */
function dashboardHeaders(url: URL, type: string): Record<string, string> {
  const ws = `${url.protocol === 'https:' ? 'wss' : 'ws'}://${url.host}`;
  return {
    'content-type': type,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'content-security-policy': [
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self'",
      "img-src 'self' data:",
      `connect-src 'self' ${ws}`,
      "object-src 'none'",
      "base-uri 'none'",
      "form-action 'self'",
      "frame-ancestors 'none'",
    ].join('; '),
  };
}

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Dashboard not built · ems-gateway</title></head>
<body><h1>The dashboard is not built</h1>
<p>Run <code>npm run build:web</code> (or <code>npm start</code>, which builds it when it is missing), then reload.</p>
<p>GraphQL, and GraphiQL for it, are served at <a href="/graphql">/graphql</a>.</p></body></html>`;

export interface WebUi {
  /** Serves the dashboard at `/` and its assets (GET and HEAD). */
  plugin: Plugin;
  /** yoga's `renderGraphiQL`: GraphiQL bundled in the page, with the dashboard's fetcher. */
  renderGraphiQL(options: GraphiQLOptions): Promise<string>;
}

/**
 * What the dashboard's page tells it about this gateway, as `<meta name="ems-gateway-…">` tags:
 * whether GraphiQL is served (the dashboard links to it only then).
 */
export interface WebUiOptions {
  /** @default false */
  graphiql?: boolean;
}

/** `index.html` with the gateway's meta tags before `</head>`. */
function withMeta(page: Uint8Array<ArrayBuffer>, options: WebUiOptions): Uint8Array<ArrayBuffer> {
  const meta = `<meta name="ems-gateway-graphiql" content="${options.graphiql ? 'on' : 'off'}" />`;
  const html = new TextDecoder().decode(page);
  const at = html.indexOf('</head>');
  return new TextEncoder().encode(at < 0 ? meta + html : `${html.slice(0, at)}${meta}\n${html.slice(at)}`) as Uint8Array<ArrayBuffer>;
}

/** The dashboard and GraphiQL, from the build in `dir`. */
export function createWebUi(dir: URL = WEB_DIST, options: WebUiOptions = {}): WebUi {
  const assets = new BuiltAssets(dir);
  /** index.html of each build, with the meta tags. */
  const pages = new WeakMap<Asset, Uint8Array<ArrayBuffer>>();
  const plugin: Plugin = {
    async onRequest({ request, url, endResponse }) {
      if (request.method !== 'GET' && request.method !== 'HEAD') return;
      const path = url.pathname === '/' ? '/index.html' : url.pathname;
      if (path !== '/index.html' && !path.startsWith('/assets/') && !path.startsWith('/favicon')) return;
      const files = await assets.current();
      const asset = files.get(path);
      if (!asset) {
        if (path === '/index.html') {
          endResponse(new Response(NOT_BUILT_PAGE, { status: 503, headers: { 'content-type': 'text/html; charset=utf-8', 'retry-after': '10' } }));
        }
        return;
      }
      let body = asset.body;
      if (path === '/index.html') {
        body = pages.get(asset) ?? withMeta(asset.body, options);
        pages.set(asset, body);
      }
      const headers = {
        ...dashboardHeaders(url, asset.type),
        'cache-control': asset.immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
        'content-length': String(body.byteLength),
      };
      endResponse(new Response(request.method === 'HEAD' ? null : body, { status: 200, headers }));
    },
  };
  const renderGraphiQL = createGraphiQLRenderer(async () => (await assets.current()).has(GRAPHIQL_FETCHER_PATH));
  return { plugin, renderGraphiQL };
}

/**
 * Renders GraphiQL from @graphql-yoga/render-graphiql's bundle (its scripts, styles and editor
 * workers inline in the page, nothing from a CDN), with the dashboard's fetcher: queries over HTTP
 * and subscriptions over graphql-ws, both with the Headers pane's token. Without a dashboard build
 * it falls back to yoga's own page with subscriptions over SSE, which sends the same headers.
 * Pages are rendered once per set of options (the bundle is 9 MB).
 */
function createGraphiQLRenderer(hasFetcher: () => Promise<boolean>): (options: GraphiQLOptions) => Promise<string> {
  const pages = new Map<string, string>();
  return async (options) => {
    const withFetcher = await hasFetcher();
    const key = `${withFetcher}:${JSON.stringify(options)}`;
    let page = pages.get(key);
    if (page === undefined) {
      page = withFetcher ? await graphiqlPage(options) : (await import('@graphql-yoga/render-graphiql')).renderGraphiQL({ ...options, subscriptionsProtocol: 'SSE' });
      pages.clear();
      pages.set(key, page);
    }
    return page;
  };
}

const TOKEN_HEADERS = '{\n  "X-Auth-Token": ""\n}';

const EXAMPLE_OPERATIONS = `# ems-gateway GraphiQL
#
# 1. Put your EMS token in the Headers pane below: {"X-Auth-Token": "<token>"}
#    (npm start with the built-in simulator prints one). The pane is kept across reloads.
# 2. Run an operation: put the cursor in it and press Ctrl-Enter, or use the run button.
#    Subscriptions send the same token over WebSocket.
#
# The dashboard for people is at /.

# The fleet: clusters with their memory, release and latest jobs.
query Fleet($first: Int = 20) {
  clusters(first: $first) {
    totalCount
    edges {
      node {
        id
        name
        status
        availableNodeCount
        memory { hugePageCount hugePageSizeMb totalBytes }
        release { version }
        jobs(first: 5) {
          edges { node { id name status progress } }
        }
      }
    }
  }
}

# Follows one job live until it ends: put a job id from Fleet in Variables as "id".
subscription WatchJob($id: ID!) {
  jobProgress(id: $id) {
    id
    name
    status
    progress
    message
    tasks { id status message }
  }
}
`;

/** GraphiQL's options: example operations to start from, and the Headers pane kept across reloads. */
const GRAPHIQL_OPTIONS: GraphiQLOptions = {
  title: 'ems-gateway GraphiQL',
  subscriptionsProtocol: 'WS',
  shouldPersistHeaders: true,
  defaultHeaders: TOKEN_HEADERS,
  defaultEditorToolsVisibility: 'headers',
  defaultTabs: [{ query: EXAMPLE_OPERATIONS, variables: '{\n  "id": "long-..."\n}', headers: TOKEN_HEADERS }],
};

/**
 * GraphiQL's options. With `schema` (when introspection is on), the page carries the schema itself:
 * docs and completion work before a token is typed, and GraphiQL sends no introspection request,
 * which a gateway that authenticates every request would refuse until then.
 */
export function graphiqlOptions(schema: GraphQLSchema | null): GraphiQLOptions {
  if (!schema) return GRAPHIQL_OPTIONS;
  // GraphiQL takes an introspection result as its `schema` prop; yoga's options type does not list it.
  return { ...GRAPHIQL_OPTIONS, schema: introspectionFromSchema(schema) } as GraphiQLOptions;
}

/** A JSON value safe inside a <script> element. */
const scriptJson = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

async function graphiqlPage(options: GraphiQLOptions): Promise<string> {
  const bundle = await import('@graphql-yoga/render-graphiql/graphiql');
  // The editor's web workers come from the page itself, as blob URLs.
  const workers = {
    editorWorkerService: bundle.editorWorkerService,
    json: bundle.jsonWorker,
    graphql: bundle.graphqlWorker,
  };
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(options.title ?? 'GraphiQL')}</title>
<link rel="icon" href="${escapeHtml(options.favicon ?? bundle.favicon)}">
<style>${bundle.css}</style>
</head>
<body id="body" class="no-focus-outline">
<noscript>GraphiQL needs JavaScript.</noscript>
<div id="root"></div>
<script>
const workerSources = ${scriptJson(workers)};
const workerUrls = Object.fromEntries(Object.entries(workerSources).map(([label, source]) => [label, URL.createObjectURL(new Blob([source], { type: 'application/javascript' }))]));
self.MonacoEnvironment = { globalAPI: false, getWorkerUrl: (_moduleId, label) => workerUrls[label] };
${bundle.js};
</script>
<script type="module">
import { createFetcher } from ${scriptJson(GRAPHIQL_FETCHER_PATH)};
const options = ${scriptJson(options)};
YogaGraphiQL.renderYogaGraphiQL(document.getElementById('root'), { ...options, fetcher: createFetcher(options.endpoint ?? location.pathname) });
</script>
</body>
</html>`;
}
