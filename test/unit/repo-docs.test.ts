import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { EMS_CODES } from '../../src/ems/errors.js';
import { EMS_OPERATIONS } from '../../src/ems/models/index.js';
import { MUTATION_ERROR_CODES } from '../../src/mutations/errors.js';

/**
 * The repo stands alone, and its docs keep up with the code: nothing points outside the repo, the
 * README's layout names every folder, and docs/ems.md and docs/contract.md name what the code has.
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

/** Names .gitignore leaves out (`dist/`, `node_modules`, ...; not its wildcard patterns), and .git. */
const IGNORED = new Set(['.git', ...read('.gitignore').split('\n').map((l) => l.replace(/\/$/, '')).filter((l) => l && !/[*?\[]/.test(l))]);

function dirsOf(path: string): string[] {
  return readdirSync(join(ROOT, path), { withFileTypes: true })
    .filter((e) => e.isDirectory() && !IGNORED.has(e.name))
    .map((e) => e.name);
}

/** Every file of the repo, committed or not, that .gitignore does not leave out (bench profiles, builds, ...). */
function files(): string[] {
  const listed = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return listed.split('\0').filter((path) => path !== '' && existsSync(join(ROOT, path)));
}

describe('the repo stands alone', () => {
  it('no file points to files outside the repo or to paths of one machine', () => {
    // Written in pieces, so that this file does not match itself.
    const outside = new RegExp(['\\.\\./shared', `/${'work'}/`, 'CONTRACT\\.md', 'STYLE\\.md', 'ems-api\\.md'].join('|'));
    const offenders = files()
      .filter((file) => statSync(join(ROOT, file)).size < 5_000_000 && !/\.(png|ico|woff2?)$/.test(file))
      .filter((file) => outside.test(read(file)))
      .map((file) => relative(ROOT, join(ROOT, file)));
    expect(offenders).toEqual([]);
  });

  it('the README’s layout names every folder of the repo and of src/', () => {
    const readme = read('README.md');
    const layout = /## Layout\n[\s\S]*?```\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    // A line of its own (`src/schema/  ...`), or the start of one for a folder with lines per entry (`src/...`).
    const named = (entry: string) => new RegExp(`^${escape(entry)}\\s`, 'm').test(layout);
    const begins = (entry: string) => new RegExp(`^${escape(entry)}`, 'm').test(layout);
    const missing = [...dirsOf('').map((d) => `${d}/`).filter((entry) => !begins(entry)), ...dirsOf('src').map((d) => `src/${d}/`).filter((entry) => !named(entry))];
    expect(missing).toEqual([]);
    // And every file at the top of src/.
    const srcFiles = readdirSync(join(ROOT, 'src')).filter((f) => f.endsWith('.ts'));
    expect(srcFiles.filter((f) => !named(`src/${f}`))).toEqual([]);
  });

  it('the README links every page of docs/', () => {
    const readme = read('README.md');
    const pages = readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md'));
    expect(pages.filter((page) => !readme.includes(`(docs/${page})`))).toEqual([]);
  });
});

describe('the docs keep up with the code', () => {
  it('docs/ems.md names every EMS operation and every EMS error code the gateway tells apart', () => {
    const ems = read('docs/ems.md');
    expect(EMS_OPERATIONS.filter((op) => !ems.includes(op))).toEqual([]);
    expect(Object.values(EMS_CODES).filter((code) => !ems.includes(code))).toEqual([]);
  });

  it('docs/contract.md names every root field and every error code of the schema', () => {
    const contract = read('docs/contract.md');
    const schema = buildSchema(read('schema/schema.graphql'));
    const roots = [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].flatMap((type) =>
      Object.keys(type?.getFields() ?? {}),
    );
    expect(roots.filter((field) => !contract.includes(field))).toEqual([]);
    expect(MUTATION_ERROR_CODES.filter((code) => !contract.includes(code))).toEqual([]);
  });
});
