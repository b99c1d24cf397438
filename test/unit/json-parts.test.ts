import { describe, expect, it } from 'vitest';
import { parseJson, type CallFacts } from '../../src/ems/client-response.js';
import { BodyBytes, parseLargeJson } from '../../src/ems/json-body.js';
import { jsonBytes } from '../../src/json-response.js';

/**
 * Large bodies are parsed, and large results serialized, in parts: the values and the text must be
 * exactly those of `JSON.parse` and `JSON.stringify` of the whole.
 */

const long = 'x'.repeat(600);
const job = (i: number) => ({ id: `long-${i}`, cluster_id: 'c', name: 'CreateCluster', progress: i % 100, message: null, task_list: [{ id: `t-${i}`, status: 'COMPLETED', message: `a, ]} [{ "quoted" \\ ${long}` }] });
const jobsBody = (count: number, extra = '') => `{"jobs": [${Array.from({ length: count }, (_, i) => JSON.stringify(job(i))).join(' ,\n ')}]${extra}}`;

/** A body as it may arrive: in chunks of `size` bytes (a UTF-8 character may be split between two). */
function chunked(text: string, size = 7919): BodyBytes {
  const raw = Buffer.from(text, 'utf8');
  const chunks: Buffer[] = [];
  for (let at = 0; at < raw.length; at += size) chunks.push(raw.subarray(at, at + size));
  return new BodyBytes(chunks, raw.length);
}

const facts: CallFacts = { operation: 'ListJobs', status: 200, requestId: 'r', attempts: 1, requestTimeoutMs: 1000, connectTimeoutMs: 1000, sensitive: false };

/** What parseJson says of a body, as the whole-body parse would say it. */
function wholeParse(text: string): { value: unknown } | { error: string } {
  try {
    return { value: JSON.parse(text) };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

describe('parseLargeJson', () => {
  const valid: Record<string, string> = {
    'a list body': jobsBody(300),
    'a list and other members, keys in any order': `{"total": 400, "releases": [${Array.from({ length: 400 }, (_, i) => `{"version":"v${i}","description":"${long}"}`).join(',')}], "more": {"a": [1, 2]}}`,
    'two large lists': `{"a": [${Array.from({ length: 200 }, (_, i) => `"${long}${i}"`).join(',')}], "b": [${Array.from({ length: 200 }, (_, i) => `[${i}, "${long}"]`).join(',')}]}`,
    'a list at the root': `  [${Array.from({ length: 300 }, (_, i) => JSON.stringify(job(i))).join(',')}]\n`,
    'text other than ASCII': `{"jobs": [${Array.from({ length: 300 }, (_, i) => `{"id": "${i}", "name": "é€😀 ${long}"}`).join(',')}]}`,
    'an empty list beside a large value': `{"jobs": [ ], "x": "${long.repeat(300)}"}`,
    'a __proto__ key': `{"__proto__": [${Array.from({ length: 300 }, (_, i) => `{"id": "${i}", "m": "${long}"}`).join(',')}]}`,
  };
  for (const [name, text] of Object.entries(valid)) {
    it(`gives what JSON.parse gives: ${name}`, () => {
      const raw = Buffer.from(text, 'utf8');
      expect(raw.length).toBeGreaterThan(128 * 1024);
      for (const body of [BodyBytes.of(raw), chunked(text), chunked(text, 65536)]) {
        const parsed = parseLargeJson(body);
        expect(parsed).toEqual(JSON.parse(text));
        expect(Object.keys(parsed as object)).toEqual(Object.keys(JSON.parse(text) as object));
        expect(parseJson(body, facts)).toEqual(JSON.parse(text));
      }
    });
  }

  it('parses a list body in parts', () => {
    expect(parseLargeJson(chunked(jobsBody(300)))).toBeDefined();
  });

  it('leaves small bodies, repeated keys and other roots to the whole-body parse', () => {
    expect(parseLargeJson(chunked(jobsBody(3)))).toBeUndefined();
    expect(parseLargeJson(chunked(jobsBody(300, `, "jobs": [1]`)))).toBeUndefined();
    expect(parseLargeJson(chunked(`"${long.repeat(300)}"`))).toBeUndefined();
    expect(parseLargeJson(chunked(`{"jo\\u0062s": [${Array.from({ length: 300 }, () => `"${long}"`).join(',')}]}`))).toBeUndefined();
  });

  const malformed: Record<string, string> = {
    'a trailing comma': jobsBody(300).replace(/\]\}$/, ',]}'),
    'an empty element': jobsBody(300).replace(' ,\n ', ',,'),
    'a missing comma': jobsBody(300).replace(' ,\n ', ' '),
    'a truncated body': jobsBody(300).slice(0, -40),
    'text after the body': `${jobsBody(300)} x`,
    'a bad member': jobsBody(300, ', "total" 3'),
    'a BOM': `\ufeff${jobsBody(300)}`,
    'a bracket closing a brace': jobsBody(300).replace(/\}$/, ']'),
  };
  for (const [name, text] of Object.entries(malformed)) {
    it(`reports malformed JSON as the whole-body parse does: ${name}`, () => {
      const body = chunked(text);
      const whole = wholeParse(text);
      expect(parseLargeJson(body)).toBeUndefined();
      expect('error' in whole).toBe(true);
      expect(() => parseJson(body, facts)).toThrow(`EMS ListJobs returned malformed JSON (HTTP 200, ${body.length} bytes): ${(whole as { error: string }).error}`);
    });
  }
});

describe('BodyBytes', () => {
  it('decodes a body whose chunks split UTF-8 characters', () => {
    const text = `{"a": "${'é€😀x'.repeat(5000)}"}`;
    for (const size of [1, 2, 3, 5, 4096]) {
      const body = chunked(text, size);
      expect(body.text()).toBe(text);
      expect(body.text(7, 20)).toBe(Buffer.from(text).subarray(7, 20).toString('utf8'));
    }
    expect(chunked('{"a": 1}', 3).text()).toBe('{"a": 1}');
    expect(new BodyBytes([], 0).text()).toBe('');
  });
});

describe('jsonBytes', () => {
  const nullProto = (entries: Record<string, unknown>) => Object.assign(Object.create(null) as Record<string, unknown>, entries);
  const edges = Array.from({ length: 500 }, (_, i) =>
    nullProto({ node: nullProto({ id: `c-${i}`, name: `é€😀 "${long}"`, jobs: nullProto({ edges: [nullProto({ node: nullProto({ id: `j-${i}`, progress: i / 3 }) })] }), gone: undefined }) }),
  );
  const values: Record<string, unknown> = {
    'a large result of null-prototype objects': { data: nullProto({ clusters: nullProto({ edges }) }) },
    'errors (toJSON) and extensions': { errors: [new Error('x'), { message: 'm', path: ['a', 0], extensions: { code: 'C' } }], data: null, extensions: { cost: { estimated: 1 } } },
    'values JSON leaves out or turns into null': { a: undefined, b: () => 1, c: Symbol('s'), d: [undefined, () => 1, Symbol('s'), null, Number.NaN, -0], e: new Date(0), f: nullProto({}), g: [] },
    'short lists of large elements': { data: [{ edges: edges.slice(0, 250) }, { edges: edges.slice(250) }] },
    'deep nesting': { a: { b: { c: { d: { e: { f: { g: { h: { i: { j: [1, { k: 'l' }] } } } } } } } } } },
    'a list at the root': edges,
    'a string at the root': 'text',
  };
  for (const [name, value] of Object.entries(values)) {
    it(`gives the bytes of JSON.stringify: ${name}`, () => {
      expect(jsonBytes(value).toString('utf8')).toBe(JSON.stringify(value));
    });
  }
});
