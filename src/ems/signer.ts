/**
 * Huawei Cloud API Gateway "SDK-HMAC-SHA256" (AK/SK) request signing, client and server side.
 *
 * Signature = hex(HMAC-SHA256(SK, StringToSign)), where
 *
 *     StringToSign     = "SDK-HMAC-SHA256" \n X-Sdk-Date \n hex(SHA256(CanonicalRequest))
 *     CanonicalRequest = METHOD \n CanonicalURI \n CanonicalQueryString \n
 *                        (name ":" value \n, once per signed header) \n
 *                        SignedHeaders \n PayloadHash
 *
 * - CanonicalURI: the path split on "/", each segment percent-decoded to bytes and re-encoded with
 *   RFC 3986 unreserved characters (`A-Z a-z 0-9 - _ . ~`) kept and everything else as `%XX`
 *   (upper-case hex; `*`, `+`, `!`, `'`, `(`, `)` and space are all encoded), segments joined with
 *   "/" and a "/" appended unless already last. `/a/b` and `/a/b/` therefore sign identically.
 * - CanonicalQueryString: parameters decoded as `application/x-www-form-urlencoded` (`+` is a
 *   space), keys sorted by UTF-16 code units of the *decoded* key (not of the encoded form), the
 *   values of a repeated key sorted the same way, each emitted as `enc(key)=enc(value)` (empty value
 *   keeps the `=`), joined with "&". Encoding as for path segments.
 * - Headers: names lower-cased, values trimmed of leading/trailing whitespace, sorted by UTF-16 code
 *   units of the lower-cased name; SignedHeaders is the same names joined with ";".
 * - PayloadHash: hex(SHA256(body bytes)), or the literal `UNSIGNED-PAYLOAD` when the signed header
 *   `X-Sdk-Content-Sha256` has that value.
 *
 * Matches `AKSKSigner` of `@huaweicloud/huaweicloud-sdk-core` 3.1.x (checked by
 * test/ems-client/signer-parity.test.ts) except where the vendor is internally inconsistent or disagrees
 * with what an HTTP server receives:
 * - The vendor does not decode the path before encoding it, but `url.parse` has already escaped
 *   space, `"`, `'`, `<`, `>`, `\`, `^`, `` ` ``, `{`, `|`, `}` in it, so those end up
 *   double-encoded (`a b` → `a%2520b`). The gateway's reference signers decode first, as here
 *   (`a b` → `a%20b`).
 * - The vendor does not trim header values; HTTP servers strip surrounding whitespace on receipt.
 * - The vendor orders canonical header lines with `localeCompare` but SignedHeaders by code units;
 *   the two disagree for names containing `_` or `.`. Here both use code units.
 * - The vendor hashes `JSON.stringify(data)`, so it only hashes correctly when given an object that
 *   its HTTP client also serialises with `JSON.stringify`; here the body is hashed as the exact
 *   bytes to be sent.
 * - The vendor takes any `X-Sdk-Content-Sha256` value as the payload hash; here only
 *   `UNSIGNED-PAYLOAD` is honoured, otherwise the body is hashed.
 * - The vendor (via `BaseCredentials`) adds `X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD` for every
 *   non-`application/json` content type; here the caller opts in by setting that header.
 */

import { createHash, createHmac } from 'node:crypto';

/** AK/SK pair, plus the optional temporary-credential token and project id sent as headers. */
export interface SigningCredentials {
  ak: string;
  sk: string;
  /** Sent and signed as `X-Security-Token` when non-empty. */
  securityToken?: string | null;
  /** Sent and signed as `X-Project-Id` when non-empty. */
  projectId?: string | null;
}

/** A request about to be sent. */
export interface SignableRequest {
  /** Signed upper-cased; send it upper-case. */
  method: string;
  url: URL;
  /**
   * Headers exactly as they will be sent; every one of them is signed (names are case-insensitive
   * and must be unique ignoring case). A `content-type` containing `multipart/form-data` is left
   * unsigned, as the vendor does, because HTTP clients rewrite its boundary.
   */
  headers: Record<string, string>;
  /** The exact body bytes; a string is sent as UTF-8. */
  body?: string | Uint8Array | null;
}

const ALGORITHM = 'SDK-HMAC-SHA256';
const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
const HEADER_DATE = 'x-sdk-date';
const HEADER_CONTENT_SHA256 = 'x-sdk-content-sha256';

/** Everything the signature covers, with headers already in signing order. */
interface CanonicalParts {
  method: string;
  /** Percent-encoded path as sent on the wire, without the query. */
  path: string;
  /** Decoded query parameters, any order. */
  query: Iterable<[string, string]>;
  /** Lower-case names and raw values, in signing order. */
  headers: ReadonlyArray<readonly [string, string]>;
  body: string | Uint8Array | null | undefined;
}

/**
 * Signs `req` for `creds` at time `now` (default: the current time) and returns the headers to add
 * to it: `X-Sdk-Date` (unless `req.headers` already has one, which is then signed as given and must
 * be in `YYYYMMDDTHHmmssZ` form), `Authorization`, and `X-Security-Token` / `X-Project-Id` when the
 * credentials carry them and `req.headers` does not already.
 *
 * `host` is always signed: `req.headers.host` when present, else `req.url.host` (which includes a
 * non-default port), i.e. what an HTTP client sends for that URL. It is not part of the result.
 *
 * @throws TypeError when `req.headers` repeats a name ignoring case, or carries a malformed
 * `X-Sdk-Date`.
 */
export function signRequest(req: SignableRequest, creds: SigningCredentials, now: Date = new Date()): Record<string, string> {
  const headers = new Map<string, string>();
  for (const [name, value] of Object.entries(req.headers)) {
    const lower = name.toLowerCase();
    if (headers.has(lower)) throw new TypeError(`Header "${name}" is given more than once`);
    headers.set(lower, value);
  }
  const added: Record<string, string> = {};
  const addIfMissing = (name: string, value: string | null | undefined): void => {
    const lower = name.toLowerCase();
    if (!value || headers.has(lower)) return;
    headers.set(lower, value);
    added[name] = value;
  };

  const presetDate = headers.get(HEADER_DATE);
  let sdkDate: string;
  if (presetDate === undefined) {
    sdkDate = formatSdkDate(now);
    addIfMissing('X-Sdk-Date', sdkDate);
  } else {
    sdkDate = presetDate.trim();
    if (!parseSdkDate(sdkDate)) throw new TypeError(`Malformed X-Sdk-Date header "${presetDate}"`);
  }
  addIfMissing('X-Security-Token', creds.securityToken);
  addIfMissing('X-Project-Id', creds.projectId);
  if (!headers.has('host')) headers.set('host', req.url.host);

  const contentType = headers.get('content-type');
  if (contentType !== undefined && contentType.toLowerCase().includes('multipart/form-data')) headers.delete('content-type');

  const signed = [...headers].sort(([a], [b]) => compareCodeUnits(a, b));
  const { signature, signedHeaders } = sign(
    { method: req.method, path: req.url.pathname, query: req.url.searchParams, headers: signed, body: req.body },
    sdkDate,
    creds.sk,
  );
  added['Authorization'] = `${ALGORITHM} Access=${creds.ak}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return added;
}

/**
 * Parses `SDK-HMAC-SHA256 Access=<ak>, SignedHeaders=<h1;h2;...>, Signature=<hex>`.
 * Returns null unless the algorithm matches and each of the three fields appears exactly once and is
 * non-empty, SignedHeaders has no empty or repeated (ignoring case) names, and Signature is 64 hex
 * digits. The signature is returned lower-cased; header names as given.
 */
export function parseAuthorization(header: string): { access: string; signedHeaders: string[]; signature: string } | null {
  const match = /^\s*SDK-HMAC-SHA256\s+(.*?)\s*$/s.exec(header);
  if (!match?.[1]) return null;
  const fields = new Map<string, string>();
  for (const part of match[1].split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) return null;
    const key = part.slice(0, eq).trim();
    if (fields.has(key)) return null;
    fields.set(key, part.slice(eq + 1).trim());
  }
  const access = fields.get('Access');
  const signedHeaderList = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (fields.size !== 3 || !access || !signedHeaderList || !signature) return null;
  if (!/^[0-9a-fA-F]{64}$/.test(signature)) return null;
  const signedHeaders = signedHeaderList.split(';').map((name) => name.trim());
  if (signedHeaders.some((name) => name === '')) return null;
  if (new Set(signedHeaders.map((name) => name.toLowerCase())).size !== signedHeaders.length) return null;
  return { access, signedHeaders, signature: signature.toLowerCase() };
}

/**
 * Recomputes, for secret key `sk`, the hex signature of a received request over the headers the
 * client declared in `signedHeaders`, taken in the declared order (lower-cased). A declared header
 * that is absent counts as empty; one received as an array is joined with ", ". The body's hash is
 * replaced by `UNSIGNED-PAYLOAD` only when `x-sdk-content-sha256` is declared and has that value.
 *
 * `path` is the request-target path as received (still percent-encoded, without "?"), `query` the
 * raw query string without "?", `sdkDate` the received `X-Sdk-Date` value. Deciding whether
 * `host` and `x-sdk-date` must be among the signed headers, and whether the date is fresh, is left
 * to the caller.
 */
export function computeSignature(
  req: {
    method: string;
    path: string;
    query: string;
    headers: Record<string, string | string[] | undefined>;
    body: Uint8Array | string;
  },
  signedHeaders: string[],
  sdkDate: string,
  sk: string,
): string {
  const received = new Map<string, string>();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) received.set(name.toLowerCase(), Array.isArray(value) ? value.join(', ') : value);
  }
  const headers = signedHeaders.map((name): [string, string] => {
    const lower = name.toLowerCase();
    return [lower, received.get(lower) ?? ''];
  });
  return sign(
    { method: req.method, path: req.path, query: new URLSearchParams(req.query), headers, body: req.body },
    sdkDate,
    sk,
  ).signature;
}

/** Parses `YYYYMMDDTHHmmssZ` (UTC) into a Date; null when malformed or not a real calendar time. */
export function parseSdkDate(value: string): Date | null {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  if (
    date.getUTCFullYear() !== year ||
    date.getUTCMonth() !== month - 1 ||
    date.getUTCDate() !== day ||
    date.getUTCHours() !== hour ||
    date.getUTCMinutes() !== minute ||
    date.getUTCSeconds() !== second
  ) {
    return null;
  }
  return date;
}

/**
 * Formats `d` as `YYYYMMDDTHHmmssZ` in UTC, milliseconds dropped.
 * @throws RangeError for an invalid date or a year outside 0000–9999.
 */
export function formatSdkDate(d: Date): string {
  const iso = d.toISOString();
  if (iso.length !== 24) throw new RangeError(`Year out of range for X-Sdk-Date: ${iso}`);
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
}

/** Computes the signature of `parts`, and the SignedHeaders value it covers. */
function sign(parts: CanonicalParts, sdkDate: string, sk: string): { signature: string; signedHeaders: string } {
  const headers = parts.headers.map(([name, value]) => [name, value.trim()] as const);
  const signedHeaders = headers.map(([name]) => name).join(';');
  const contentSha256 = headers.find(([name]) => name === HEADER_CONTENT_SHA256)?.[1];
  const payloadHash = contentSha256 === UNSIGNED_PAYLOAD ? UNSIGNED_PAYLOAD : sha256Hex(parts.body ?? '');
  const canonicalRequest = [
    parts.method.toUpperCase(),
    canonicalUri(parts.path),
    canonicalQueryString(parts.query),
    headers.map(([name, value]) => `${name}:${value}\n`).join(''),
    signedHeaders,
    payloadHash,
  ].join('\n');
  const stringToSign = `${ALGORITHM}\n${sdkDate}\n${sha256Hex(canonicalRequest)}`;
  return { signature: createHmac('sha256', sk).update(stringToSign, 'utf8').digest('hex'), signedHeaders };
}

function canonicalUri(path: string): string {
  const uri = path
    .split('/')
    .map((segment) => percentEncode(percentDecode(segment)))
    .join('/');
  return uri.endsWith('/') ? uri : `${uri}/`;
}

function canonicalQueryString(query: Iterable<[string, string]>): string {
  const byKey = new Map<string, string[]>();
  for (const [key, value] of query) {
    const values = byKey.get(key);
    if (values) values.push(value);
    else byKey.set(key, [value]);
  }
  const pairs: string[] = [];
  for (const key of [...byKey.keys()].sort(compareCodeUnits)) {
    const encodedKey = percentEncode(Buffer.from(key, 'utf8'));
    for (const value of byKey.get(key)!.sort(compareCodeUnits)) {
      pairs.push(`${encodedKey}=${percentEncode(Buffer.from(value, 'utf8'))}`);
    }
  }
  return pairs.join('&');
}

/** UTF-8 bytes of `s` with every valid `%XX` replaced by its byte; other `%` are kept literally. */
function percentDecode(s: string): Uint8Array {
  const raw = Buffer.from(s, 'utf8');
  if (!s.includes('%')) return raw;
  const out: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    const byte = raw[i]!;
    if (byte === 0x25 && i + 2 < raw.length && isHexDigit(raw[i + 1]!) && isHexDigit(raw[i + 2]!)) {
      out.push(parseInt(String.fromCharCode(raw[i + 1]!, raw[i + 2]!), 16));
      i += 2;
    } else {
      out.push(byte);
    }
  }
  return Uint8Array.from(out);
}

/** `bytes` with RFC 3986 unreserved characters kept and all others as upper-case `%XX`. */
function percentEncode(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) {
    out += isUnreserved(byte) ? String.fromCharCode(byte) : `%${byte < 16 ? '0' : ''}${byte.toString(16).toUpperCase()}`;
  }
  return out;
}

function isUnreserved(byte: number): boolean {
  return (
    (byte >= 0x41 && byte <= 0x5a) || // A-Z
    (byte >= 0x61 && byte <= 0x7a) || // a-z
    (byte >= 0x30 && byte <= 0x39) || // 0-9
    byte === 0x2d || // -
    byte === 0x2e || // .
    byte === 0x5f || // _
    byte === 0x7e // ~
  );
}

function isHexDigit(byte: number): boolean {
  return (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x46) || (byte >= 0x61 && byte <= 0x66);
}

function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Hex SHA-256 of `data`. */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
