import { parse, type DocumentNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { AST_BYTES_PER_SOURCE_BYTE, checkDocumentSource, parseCaches } from '../../src/security/document-limits.js';

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
