import { isAscii } from 'node:buffer';

/**
 * `JSON.parse` of a large response body without making one string of the whole body.
 *
 * V8 keeps a string over 128 KiB in its large-object space: every such string costs a fresh memory
 * mapping, page faults on first touch and an unmapping when collected, which for a ~280 KB ListJobs
 * page took longer than parsing it. A list body is mostly one list (`{"jobs": [...]}`, or a list at
 * the root), so the list's elements are decoded and parsed in groups of a few tens of KB, and the
 * rest of the body (the root object with a placeholder for each such list) on its own.
 *
 * The result is the value `JSON.parse` of the whole text gives. Anything this does not handle plainly
 * (malformed JSON, a root that is neither object nor list, a key with escapes or given twice) makes
 * it answer `undefined`, and the caller parses the whole text as before, with the same result or the
 * same error.
 */

/** Bodies up to this many bytes are parsed whole (their text stays a regular heap string). */
const WHOLE_MAX_ASCII = 120 * 1024;
/** Text with other characters takes two bytes a character in V8. */
const WHOLE_MAX_OTHER = 56 * 1024;
/** Elements of a list are parsed in groups of about this many bytes (a larger element alone). */
const GROUP_BYTES = 48 * 1024;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COLON = 0x3a;

/** A list of the root object (or the root itself) split into groups of elements. */
interface SplitList {
  /** Position of its `[` and its `]`. */
  open: number;
  close: number;
  /** Key under the root object (null: the list is the root). */
  key: string | null;
  /** Where each group ends (a `,` between elements, or the `]`), in order. */
  cuts: number[];
  /** Elements in each group. */
  counts: number[];
}

/** The body's value, or `undefined` when the body is small or not plainly a list body (parse it whole). */
export function parseLargeJson(raw: Buffer): unknown {
  const ascii = isAscii(raw);
  if (raw.length <= (ascii ? WHOLE_MAX_ASCII : WHOLE_MAX_OTHER)) return undefined;
  const encoding = ascii ? 'latin1' : 'utf8';
  const lists = findLists(raw);
  if (!lists) return undefined;
  try {
    if (lists.length === 1 && lists[0]!.key === null) return parseList(raw, lists[0]!, encoding);
    // The root object with each split list replaced by null, then the lists put in their places.
    let text = '';
    let from = 0;
    for (const list of lists) {
      text += `${raw.toString(encoding, from, list.open)}null`;
      from = list.close + 1;
    }
    text += raw.toString(encoding, from, raw.length);
    const root = JSON.parse(text) as Record<string, unknown>;
    for (const list of lists) {
      if (root[list.key!] !== null) return undefined;
      const value = parseList(raw, list, encoding);
      if (value === undefined) return undefined;
      root[list.key!] = value;
    }
    return root;
  } catch {
    return undefined;
  }
}

/** The elements of one list, group by group; undefined when a group does not hold what it should. */
function parseList(raw: Buffer, list: SplitList, encoding: 'latin1' | 'utf8'): unknown[] | undefined {
  if (list.counts.length === 1 && list.counts[0] === 1 && raw.toString(encoding, list.open + 1, list.close).trim() === '') return [];
  const out: unknown[] = [];
  let from = list.open + 1;
  for (let g = 0; g < list.cuts.length; g++) {
    const group = JSON.parse(`[${raw.toString(encoding, from, list.cuts[g])}]`) as unknown[];
    // Fewer values than separators say: an empty element (`[1,,2]`, `[1,]`), which JSON does not allow.
    if (group.length !== list.counts[g]) return undefined;
    for (let i = 0; i < group.length; i++) out.push(group[i]);
    from = list.cuts[g]! + 1;
  }
  return out;
}

/**
 * One pass over the body: the lists directly under the root (or the root list), with where to cut
 * them. Null when the body is not an object or list that closes where the body ends, or when a key
 * of the root object is one this does not handle (escapes, characters outside printable ASCII, a
 * key given twice).
 */
function findLists(raw: Buffer): SplitList[] | null {
  const n = raw.length;
  let i = skipSpace(raw, 0);
  const root = raw[i];
  if (root !== OPEN_BRACE && root !== OPEN_BRACKET) return null;
  const lists: SplitList[] = [];
  const keys = new Set<string>();
  /** Nesting depth after the character at i: the root's inside is 1. */
  let depth = 1;
  let list: SplitList | null = null;
  let groupStart = 0;
  let elements = 1;
  if (root === OPEN_BRACKET) {
    list = { open: i, close: -1, key: null, cuts: [], counts: [] };
    groupStart = i;
  }
  let keyStart = -1;
  let keyEnd = -1;
  for (i++; i < n; i++) {
    const c = raw[i]!;
    if (c === QUOTE) {
      const start = i;
      for (i++; i < n; i++) {
        const s = raw[i]!;
        if (s === QUOTE) break;
        if (s === BACKSLASH) i++;
      }
      if (depth === 1 && root === OPEN_BRACE) {
        keyStart = start;
        keyEnd = i;
      }
      continue;
    }
    if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      depth++;
      if (depth === 2 && c === OPEN_BRACKET && root === OPEN_BRACE) {
        const key = keyBefore(raw, i, keyStart, keyEnd);
        if (key === null) return null;
        list = { open: i, close: -1, key, cuts: [], counts: [] };
        groupStart = i;
        elements = 1;
      }
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
      if (list && depth === (list.key === null ? 0 : 1)) {
        if (c !== CLOSE_BRACKET) return null;
        list.close = i;
        list.cuts.push(i);
        list.counts.push(elements);
        lists.push(list);
        list = null;
      }
      if (depth === 0) {
        if (c !== (root === OPEN_BRACE ? CLOSE_BRACE : CLOSE_BRACKET)) return null;
        return skipSpace(raw, i + 1) === n ? lists : null;
      }
    } else if (c === COMMA && list && depth === (list.key === null ? 1 : 2)) {
      if (i - groupStart >= GROUP_BYTES) {
        list.cuts.push(i);
        list.counts.push(elements);
        groupStart = i;
        elements = 1;
      } else {
        elements++;
      }
    } else if (c === COLON && depth === 1 && root === OPEN_BRACE && keyEnd >= 0) {
      // A key of the root object. One given twice (the last one counts) is left to JSON.parse.
      const key = plainKey(raw, keyStart, keyEnd);
      if (key === null || keys.has(key)) return null;
      keys.add(key);
    }
  }
  return null;
}

/** The key of the root object a list at `open` is the value of: `"key" :` just before it. */
function keyBefore(raw: Buffer, open: number, keyStart: number, keyEnd: number): string | null {
  if (keyEnd < 0) return null;
  let j = open - 1;
  while (j > keyEnd && isSpace(raw[j]!)) j--;
  if (raw[j] !== COLON) return null;
  j--;
  while (j > keyEnd && isSpace(raw[j]!)) j--;
  if (j !== keyEnd) return null;
  return plainKey(raw, keyStart, keyEnd);
}

/** A key made of printable ASCII without escapes, as text; null for any other. */
function plainKey(raw: Buffer, start: number, end: number): string | null {
  for (let j = start + 1; j < end; j++) {
    const c = raw[j]!;
    if (c < 0x20 || c > 0x7e || c === BACKSLASH) return null;
  }
  return raw.toString('latin1', start + 1, end);
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function skipSpace(raw: Buffer, from: number): number {
  let i = from;
  while (i < raw.length && isSpace(raw[i]!)) i++;
  return i;
}
