import { isAscii } from 'node:buffer';

/**
 * A response body as it arrived (its chunks, never copied into one buffer), its text, and
 * `JSON.parse` of a large one without making one string of it.
 *
 * Fresh memory is what a large body costs most: a buffer of the whole body is new memory to fault
 * in, and V8 keeps a string over 128 KiB in its large-object space, a fresh memory mapping per
 * string; for a ~280 KB ListJobs page either took longer than parsing it. A list body is mostly one
 * list (`{"jobs": [...]}`, or a list at the root), so its elements are decoded and parsed in groups
 * of a few tens of KB, and the rest of the body (the root object with a placeholder for each such
 * list) on its own.
 *
 * The value is the one `JSON.parse` of the whole text gives. Anything this does not handle plainly
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

/** A body's bytes, in the chunks they arrived in. */
export class BodyBytes {
  /** Whether every byte is ASCII (then the text is the bytes, read as latin1). */
  readonly ascii: boolean;

  constructor(
    readonly chunks: readonly Buffer[],
    readonly length: number,
  ) {
    this.ascii = chunks.every((chunk) => isAscii(chunk));
  }

  static of(raw: Buffer): BodyBytes {
    return new BodyBytes([raw], raw.length);
  }

  /** The text of bytes [from, to), UTF-8 decoded (the whole body by default). */
  text(from = 0, to = this.length): string {
    let base = 0;
    let i = 0;
    while (i < this.chunks.length && base + this.chunks[i]!.length <= from) base += this.chunks[i++]!.length;
    const first = this.chunks[i];
    if (!first || to <= from) return '';
    if (to <= base + first.length) return first.toString(this.ascii ? 'latin1' : 'utf8', from - base, to - base);
    const parts: Buffer[] = [];
    for (; i < this.chunks.length && base < to; base += this.chunks[i++]!.length) {
      const chunk = this.chunks[i]!;
      parts.push(chunk.subarray(Math.max(0, from - base), Math.min(chunk.length, to - base)));
    }
    // ASCII parts are decoded apart; UTF-8 ones together, so a character split between chunks stays whole.
    return this.ascii ? parts.map((part) => part.toString('latin1')).join('') : Buffer.concat(parts).toString('utf8');
  }

  /** The byte at `pos` (for the few looked at one by one). */
  at(pos: number): number | undefined {
    let base = 0;
    for (const chunk of this.chunks) {
      if (pos < base + chunk.length) return chunk[pos - base];
      base += chunk.length;
    }
    return undefined;
  }
}

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
export function parseLargeJson(body: BodyBytes): unknown {
  if (body.length <= (body.ascii ? WHOLE_MAX_ASCII : WHOLE_MAX_OTHER)) return undefined;
  const lists = findLists(body);
  if (!lists) return undefined;
  try {
    if (lists.length === 1 && lists[0]!.key === null) return parseList(body, lists[0]!);
    // The root object with each split list replaced by null, then the lists put in their places.
    let text = '';
    let from = 0;
    for (const list of lists) {
      text += `${body.text(from, list.open)}null`;
      from = list.close + 1;
    }
    text += body.text(from);
    const root = JSON.parse(text) as Record<string, unknown>;
    for (const list of lists) {
      if (root[list.key!] !== null) return undefined;
      const value = parseList(body, list);
      if (value === undefined) return undefined;
      root[list.key!] = value;
    }
    return root;
  } catch {
    return undefined;
  }
}

/** The elements of one list, group by group; undefined when a group does not hold what it should. */
function parseList(body: BodyBytes, list: SplitList): unknown[] | undefined {
  if (list.counts.length === 1 && list.counts[0] === 1 && body.text(list.open + 1, list.close).trim() === '') return [];
  const out: unknown[] = [];
  let from = list.open + 1;
  for (let g = 0; g < list.cuts.length; g++) {
    const group = JSON.parse(`[${body.text(from, list.cuts[g])}]`) as unknown[];
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
function findLists(body: BodyBytes): SplitList[] | null {
  let start = 0;
  while (start < body.length && isSpace(body.at(start)!)) start++;
  const root = body.at(start);
  if (root !== OPEN_BRACE && root !== OPEN_BRACKET) return null;
  const lists: SplitList[] = [];
  const keys = new Set<string>();
  /** Nesting depth after the byte looked at: the root's inside is 1. */
  let depth = 1;
  let list: SplitList | null = null;
  let groupStart = 0;
  let elements = 1;
  if (root === OPEN_BRACKET) {
    list = { open: start, close: -1, key: null, cuts: [], counts: [] };
    groupStart = start;
  }
  let inString = false;
  let escaped = false;
  let stringStart = -1;
  let keyStart = -1;
  let keyEnd = -1;
  /** Where the root closed, once it has. */
  let end = -1;
  let base = 0;
  for (const chunk of body.chunks) {
    const n = chunk.length;
    let j = base <= start ? start - base + 1 : 0;
    while (j < n) {
      if (inString) {
        for (; j < n; j++) {
          const s = chunk[j]!;
          if (escaped) escaped = false;
          else if (s === BACKSLASH) escaped = true;
          else if (s === QUOTE) break;
        }
        if (j === n) break;
        inString = false;
        if (depth === 1 && root === OPEN_BRACE) {
          keyStart = stringStart;
          keyEnd = base + j;
        }
        j++;
        continue;
      }
      const c = chunk[j]!;
      const pos = base + j;
      j++;
      if (end >= 0) {
        if (!isSpace(c)) return null;
        continue;
      }
      if (c === QUOTE) {
        inString = true;
        stringStart = pos;
      } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        depth++;
        if (depth === 2 && c === OPEN_BRACKET && root === OPEN_BRACE) {
          const key = keyBefore(body, pos, keyStart, keyEnd);
          if (key === null) return null;
          list = { open: pos, close: -1, key, cuts: [], counts: [] };
          groupStart = pos;
          elements = 1;
        }
      } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        depth--;
        if (list && depth === (list.key === null ? 0 : 1)) {
          if (c !== CLOSE_BRACKET) return null;
          list.close = pos;
          list.cuts.push(pos);
          list.counts.push(elements);
          lists.push(list);
          list = null;
        }
        if (depth === 0) {
          if (c !== (root === OPEN_BRACE ? CLOSE_BRACE : CLOSE_BRACKET)) return null;
          end = pos;
        }
      } else if (c === COMMA && list && depth === (list.key === null ? 1 : 2)) {
        if (pos - groupStart >= GROUP_BYTES) {
          list.cuts.push(pos);
          list.counts.push(elements);
          groupStart = pos;
          elements = 1;
        } else {
          elements++;
        }
      } else if (c === COLON && depth === 1 && root === OPEN_BRACE && keyEnd >= 0) {
        // A key of the root object. One given twice (the last one counts) is left to JSON.parse.
        const key = plainKey(body, keyStart, keyEnd);
        if (key === null || keys.has(key)) return null;
        keys.add(key);
      }
    }
    base += n;
  }
  return end >= 0 ? lists : null;
}

/** The key of the root object a list at `open` is the value of: `"key" :` just before it. */
function keyBefore(body: BodyBytes, open: number, keyStart: number, keyEnd: number): string | null {
  if (keyEnd < 0) return null;
  let j = open - 1;
  while (j > keyEnd && isSpace(body.at(j)!)) j--;
  if (body.at(j) !== COLON) return null;
  j--;
  while (j > keyEnd && isSpace(body.at(j)!)) j--;
  if (j !== keyEnd) return null;
  return plainKey(body, keyStart, keyEnd);
}

/** A key made of printable ASCII without escapes, as text; null for any other. */
function plainKey(body: BodyBytes, start: number, end: number): string | null {
  const text = body.text(start + 1, end);
  return /^[\x20-\x21\x23-\x5b\x5d-\x7e]*$/.test(text) ? text : null;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}
