import { parse, type DocumentNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { AST_BYTES_PER_SOURCE_BYTE, checkDocumentSource, checkVariables, parseCaches } from '../../src/security/document-limits.js';

const limits = { maxDocumentBytes: 64 * 1024, maxDepth: 12 };

describe('checkDocumentSource (before parsing)', () => {
  it('measures selection depth as MAX_QUERY_DEPTH does, ignoring argument values', () => {
    const depth = (n: number) => `{ ${'a { '.repeat(n - 1)}b${' }'.repeat(n - 1)} }`;
    expect(checkDocumentSource(depth(12), limits)).toBeNull();
    expect(checkDocumentSource(depth(13), limits)?.message).toBe('Query depth 13 exceeds the limit of 12');
    // Input objects nest inside arguments without adding depth.
    expect(checkDocumentSource(`{ a(x: {b: {c: {d: [{e: 1}]}}}) { b } }`, limits)).toBeNull();
  });

  it('refuses 10,000 levels of selections or values without recursion', () => {
    const selections = checkDocumentSource(`${'{a'.repeat(10_000)}${'}'.repeat(10_000)}`, { maxDocumentBytes: 1e6, maxDepth: 12 });
    expect(selections?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'MAX_QUERY_DEPTH' });
    const values = checkDocumentSource(`{ a(x: ${'['.repeat(10_000)}1${']'.repeat(10_000)}) }`, { maxDocumentBytes: 1e6, maxDepth: 12 });
    expect(values?.message).toMatch(/nests values deeper than 44 levels/);
  });

  it('refuses a document over MAX_DOCUMENT_BYTES with 413, and leaves syntax errors to the parser', () => {
    expect(checkDocumentSource(`{ a } #${'x'.repeat(70_000)}`, limits)?.extensions).toMatchObject({ code: 'DOCUMENT_TOO_LARGE', http: { status: 413 } });
    expect(checkDocumentSource('{ a(x: "unterminated) }', limits)).toBeNull();
  });
});

describe('checkVariables (before anything reads them)', () => {
  it('measures the JSON size as JSON.stringify writes it, and refuses past MAX_VARIABLES_BYTES with 413', () => {
    const variables = { ids: ['a', 'b"c', 'ü'], input: { n: 1.5, ok: true, none: null, skipped: undefined, nested: [[{ k: 'v' }]] } };
    const size = Buffer.byteLength(JSON.stringify(variables));
    expect(checkVariables(variables, { maxVariablesBytes: size, maxDepth: 12 })).toBeNull();
    expect(checkVariables(variables, { maxVariablesBytes: size - 1, maxDepth: 12 })?.extensions).toMatchObject({
      code: 'VARIABLES_TOO_LARGE',
      limit: 'MAX_VARIABLES_BYTES',
      http: { status: 413 },
    });
  });

  it('refuses lists and objects nested past MAX_QUERY_DEPTH + 32 without recursion, at 100,000 levels too', () => {
    const nest = (n: number, leaf: unknown, wrap: (v: unknown) => unknown) => {
      let v = leaf;
      for (let i = 0; i < n; i++) v = wrap(v);
      return v;
    };
    // The variables object itself is one level.
    expect(checkVariables({ a: nest(43, 1, (v) => [v]) }, { maxVariablesBytes: 1e9, maxDepth: 12 })).toBeNull();
    expect(checkVariables({ a: nest(44, 1, (v) => [v]) }, { maxVariablesBytes: 1e9, maxDepth: 12 })?.extensions).toMatchObject({
      code: 'VARIABLES_TOO_LARGE',
      limit: 'MAX_QUERY_DEPTH',
      http: { status: 400 },
    });
    for (const wrap of [(v: unknown) => [v], (v: unknown) => ({ a: v })]) {
      expect(checkVariables({ a: nest(100_000, 1, wrap) }, { maxVariablesBytes: 1e9, maxDepth: 12 })?.message).toMatch(/deeper than 44 levels/);
    }
  });
});

describe('parseCaches', () => {
  it('bounds the cached documents by their estimated heap size, not their count', () => {
    const caches = parseCaches(8 * 1024 * 1024);
    if (!caches) throw new Error('expected caches');
    const source = (i: number) => `{ a${i}: releases { totalCount } } # ${'x'.repeat(10_000)}`;
    for (let i = 0; i < 100; i++) caches.documentCache.set(source(i), parse(source(i)) as DocumentNode);
    const perEntry = source(0).length * AST_BYTES_PER_SOURCE_BYTE;
    expect(caches.documentCache.calculatedSize).toBeLessThanOrEqual(caches.documentCache.maxSize);
    expect(caches.documentCache.size).toBe(Math.floor(caches.documentCache.maxSize / perEntry));
    expect(caches.documentCache.has(source(99))).toBe(true);
    expect(caches.documentCache.has(source(0))).toBe(false);
  });
});
