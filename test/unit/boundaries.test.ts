import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * Which room may import which. The simulator is a development tool: the gateway's production path
 * never loads it (npm start imports it dynamically, only without EMS_ENDPOINT), and it shares with
 * the gateway only the request side (the request models and the signer).
 */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SRC = join(ROOT, 'src');

/** Relative static imports and re-exports of a source file, resolved to .ts paths from the repo root. */
function staticImports(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  // `import './x'`, or `import|export … from './x'`: not any string after `export` (`export const u = new URL('../web/')`).
  const specifiers = [...text.matchAll(/^\s*(?:import|export)\b(?:[^;'"]*?\bfrom)?\s*['"](\.{1,2}\/[^'"]+)['"]/gm)].map((m) => m[1]!);
  return specifiers.map((s) => relative(ROOT, resolve(dirname(join(ROOT, file)), s.replace(/\.js$/, '.ts'))));
}

/** Every file reachable from `entries` by static imports. */
function reachable(entries: string[]): Set<string> {
  const seen = new Set<string>();
  const queue = [...entries];
  while (queue.length) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    queue.push(...staticImports(file));
  }
  return seen;
}

function filesUnder(dir: string): string[] {
  return readdirSync(join(SRC, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(join(dir, e.name)) : e.name.endsWith('.ts') ? [relative(ROOT, join(SRC, dir, e.name))] : [],
  );
}

describe('module boundaries', () => {
  it('the production path (main, app, config and all they import) never imports the simulator', () => {
    const production = reachable(['src/main.ts', 'src/app.ts', 'src/config.ts']);
    expect(production.size).toBeGreaterThan(30);
    expect([...production].filter((f) => f.startsWith('src/simulator/'))).toEqual([]);
    // npm start reaches it through a dynamic import only.
    expect(readFileSync(join(SRC, 'main.ts'), 'utf8')).toContain("await import('./simulator/dev.js')");
  });

  it('the simulator imports from the gateway only the request side: request models and the signer', () => {
    const outside = filesUnder('simulator').flatMap((file) => staticImports(file).filter((i) => !i.startsWith('src/simulator/')));
    expect(outside.length).toBeGreaterThan(0);
    for (const target of outside) expect(target).toMatch(/^src\/ems\/(models\/[a-z-]+|signer)\.ts$/);
  });

  it('the request models never depend on the read side', () => {
    for (const file of filesUnder('ems/models')) expect(staticImports(file).filter((i) => !i.startsWith('src/ems/models/'))).toEqual([]);
  });
});
