import { isAsyncIterable, processRegularResult, type Plugin } from 'graphql-yoga';

/**
 * Single results (not streams, not batches) are answered with their JSON as bytes made in parts
 * ({@link jsonBytes}) instead of one string: the same body, status and headers as graphql-yoga's
 * own processor gives, which still decides them.
 */
export function jsonByteResponses(): Plugin {
  return {
    onResultProcess({ request, result, resultProcessor, setResultProcessor }) {
      if (resultProcessor !== processRegularResult || Array.isArray(result) || isAsyncIterable(result)) return;
      if ((result as { stringify?: unknown }).stringify !== undefined) return;
      // A small result costs less as yoga's one string than in parts (the same bytes either way).
      if (isSmall(result)) return;
      const mediaType = regularMediaType(request);
      if (mediaType) setResultProcessor(byteResult, mediaType);
    },
  };
}

type ResultProcessor = typeof processRegularResult;

/** Below this, a result's text is made whole: far from V8's large-object space, and one string is cheaper than parts. */
const SMALL_CHARS = 16 * 1024;
/** A result with more values than this is not looked at further: it is treated as large. */
const SMALL_VALUES = 256;

/**
 * Whether a result's JSON is surely small: at most SMALL_VALUES values (containers included),
 * whose strings and keys add up to under SMALL_CHARS characters. Looks at no more than that.
 */
function isSmall(result: unknown): boolean {
  let values = 0;
  let chars = 0;
  const stack: unknown[] = [result];
  while (stack.length > 0) {
    const value = stack.pop();
    if (++values > SMALL_VALUES) return false;
    if (typeof value === 'string') chars += value.length + 2;
    else if (typeof value === 'object' && value !== null) {
      if (Array.isArray(value)) {
        chars += 2 + value.length;
        for (let i = 0; i < value.length; i++) stack.push(value[i]);
      } else {
        for (const key in value) {
          chars += key.length + 4;
          stack.push((value as Record<string, unknown>)[key]);
        }
      }
    } else chars += 24;
    if (chars >= SMALL_CHARS) return false;
  }
  return true;
}

/**
 * graphql-yoga's processor, with a result whose `stringify` (which yoga calls with the result it
 * is about to serialize, internals removed) only keeps it; then the same response with that result
 * as bytes.
 */
const byteResult: ResultProcessor = (result, fetchAPI, acceptedMediaType) => {
  let serialized: unknown;
  const keep = (value: unknown) => {
    serialized = value;
    return '';
  };
  const response = processRegularResult({ ...result, stringify: keep } as typeof result, fetchAPI, acceptedMediaType);
  // Not serialized: a response yoga made without the result (it is never a string then).
  if (serialized === undefined) return response;
  return new fetchAPI.Response(jsonBytes(serialized) as Uint8Array<ArrayBuffer>, { status: response.status, headers: response.headers });
};

const REGULAR_MEDIA_TYPES = ['application/graphql-response+json', 'application/json'];

/**
 * The media type graphql-yoga answers a single result with, as it chooses it: the request's
 * `accept` media types (utf-8 only) from last to first, the last match winning.
 */
function regularMediaType(request: Request): string | null {
  const accepts = (request.headers.get('accept') || '*/*').replace(/\s/g, '').toLowerCase().split(',');
  let chosen: string | null = null;
  for (let i = accepts.length - 1; i >= 0; i--) {
    const [mediaType, ...params] = accepts[i]!.split(';');
    if (mediaType === undefined) continue;
    const charset = params.find((param) => param.includes('charset=')) || 'charset=utf-8';
    if (charset !== 'charset=utf-8') continue;
    for (const type of REGULAR_MEDIA_TYPES) if (matches(type, mediaType)) chosen = type;
  }
  return chosen;
}

function matches(asked: string, offered: string): boolean {
  const [askedPre, askedSuf] = asked.split('/');
  const [pre, suf] = offered.split('/');
  return (pre === '*' || pre === askedPre) && (suf === '*' || suf === askedSuf);
}

/*
 * JSON as UTF-8 bytes, the text `JSON.stringify` gives, without making one string of it.
 *
 * V8 keeps a string over 128 KiB in its large-object space, which costs a fresh memory mapping and
 * page faults for every such string; writing a string to a socket then encodes it into another
 * buffer of up to three bytes a character. A large result (the nested 100-cluster query answers
 * ~140 KB) is therefore serialized in parts: containers near the root are walked here, the
 * elements of long lists given to `JSON.stringify` one by one, and the pieces' bytes written into
 * one buffer.
 */

/** Containers are walked down to this depth; deeper values are stringified whole. */
const MAX_DEPTH = 8;
/** A list this long is most likely a list of many small elements: each is stringified whole. */
const MANY = 16;

/** The text in pieces, then their bytes in one buffer of the exact size (no growing, no copies). */
class Writer {
  readonly pieces: string[] = [];

  add(text: string): void {
    this.pieces.push(text);
  }

  bytes(): Buffer {
    let size = 0;
    for (const piece of this.pieces) size += Buffer.byteLength(piece, 'utf8');
    const out = Buffer.allocUnsafe(size);
    let at = 0;
    for (const piece of this.pieces) at += out.write(piece, at, 'utf8');
    return out;
  }
}

/**
 * `Buffer.from(JSON.stringify(value))` for a value `JSON.stringify` turns into text. The one
 * difference: a `toJSON` method below the root is called without its key (graphql-js results hold
 * none but GraphQLError's and Date's, which do not read it).
 */
export function jsonBytes(value: unknown): Buffer {
  if (!isWalkable(value)) return Buffer.from(JSON.stringify(value) ?? '', 'utf8');
  const out = new Writer();
  write(value, out, 0);
  return out.bytes();
}

/** Plain objects and arrays without `toJSON`: the ones whose text is made of their parts. */
function isWalkable(value: unknown): value is Record<string, unknown> | unknown[] {
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) return Object.getPrototypeOf(value) === Array.prototype && !('toJSON' in value);
  const proto: unknown = Object.getPrototypeOf(value);
  return (proto === null || proto === Object.prototype) && !('toJSON' in value);
}

/** The text of a value in an array: what JSON.stringify leaves out there is `null`. */
function element(value: unknown, out: Writer, depth: number, whole: boolean): void {
  if (!whole && depth < MAX_DEPTH && isWalkable(value)) {
    write(value, out, depth);
    return;
  }
  out.add(JSON.stringify(value) ?? 'null');
}

function write(value: Record<string, unknown> | unknown[], out: Writer, depth: number): void {
  if (Array.isArray(value)) {
    out.add('[');
    const whole = value.length >= MANY;
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out.add(',');
      element(value[i], out, depth + 1, whole);
    }
    out.add(']');
    return;
  }
  out.add('{');
  let first = true;
  for (const key of Object.keys(value)) {
    const member = value[key];
    let text: string | undefined;
    if (depth + 1 < MAX_DEPTH && isWalkable(member)) {
      out.add(`${first ? '' : ','}${JSON.stringify(key)}:`);
      first = false;
      write(member, out, depth + 1);
      continue;
    }
    text = JSON.stringify(member);
    // What JSON.stringify leaves out of an object (undefined, functions, symbols) is left out here.
    if (text === undefined) continue;
    out.add(`${first ? '' : ','}${JSON.stringify(key)}:${text}`);
    first = false;
  }
  out.add('}');
}
