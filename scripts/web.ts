/**
 * `ensure` (run by `npm start` before it starts): builds the dashboard into web/dist/ when the build is
 * missing or older than its sources, so `npm ci && npm start` serves it on a fresh clone. A current
 * build is left alone (start-up stays fast). `npm run build:web` always builds.
 */
import { readdir, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const WEB = new URL('../web/', import.meta.url);
const BUILT = new URL('dist/index.html', WEB);
const SOURCES = ['index.html', 'vite.config.ts', 'src', 'public'].map((p) => new URL(p, WEB));

async function newestMtime(url: URL): Promise<number> {
  const info = await stat(url).catch(() => null);
  if (!info) return 0;
  if (!info.isDirectory()) return info.mtimeMs;
  const entries = await readdir(url, { recursive: true, withFileTypes: true });
  const times = await Promise.all(
    entries.filter((e) => e.isFile()).map(async (e) => (await stat(`${e.parentPath}/${e.name}`)).mtimeMs),
  );
  return Math.max(0, ...times);
}

const builtAt = (await stat(BUILT).catch(() => null))?.mtimeMs ?? null;
const sourcesAt = Math.max(...(await Promise.all(SOURCES.map(newestMtime))));
if (builtAt !== null && builtAt >= sourcesAt) process.exit(0);

console.log(builtAt === null ? 'Building the dashboard (web/dist is missing)…' : 'Rebuilding the dashboard (web/ changed)…');
// Vite is a build-time dependency: loaded only to build, so a current build starts without it.
const { build } = await import('vite');
await build({ configFile: fileURLToPath(new URL('vite.config.ts', WEB)), logLevel: 'warn' });
