/**
 * Secrets never leave: text that may echo credentials (an upstream error body quoting the request,
 * a connection error naming a URL) passes through `redactSecrets` before it reaches a response or
 * a log line.
 */

const REPLACEMENT = '[REDACTED]';

/** Patterns of credentials as they appear in HTTP requests, headers quoted in error bodies, and URLs. */
const PATTERNS: [RegExp, string][] = [
  // Authorization: SDK-HMAC-SHA256 Access=..., SignedHeaders=..., Signature=...  /  Bearer ...  /  Basic ...
  [/(authorization["']?\s*[:=]\s*["']?)[^"'\r\n,}]+(?:,\s*(?:SignedHeaders|Signature)=[^"'\r\n,}]+)*/gi, `$1${REPLACEMENT}`],
  [/\b(Access|Signature|Credential)=[^\s,"'&;]+/g, `$1=${REPLACEMENT}`],
  // A caller id (`apikey:<name>`, a key's name, not the key) is not a credential: `apikey:` with a
  // value right after the colon is left alone; `apikey: <value>`, `"apikey":"<value>"`,
  // `apikey=<value>` and every other spelling of a key parameter or header are not.
  [/(?!apikey:[^\s"'])((?:x-auth-token|x-subject-token|x-security-token|x-api-key|security[_-]?token|auth[_-]?token|access[_-]?token|api[_-]?key|secret(?:[_-]?key)?|password|cdKey|cd_key)["']?\s*[:=]\s*["']?)[^"'\s,}&;]+/gi, `$1${REPLACEMENT}`],
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/g, `$1 ${REPLACEMENT}`],
  // user:password@ in URLs
  [/(\b[a-z][a-z0-9+.-]*:\/\/)([^/@\s"']+)@/gi, '$1***@'],
];

/**
 * `text` with credentials removed: every known secret value (configured AK, SK, security token,
 * static token, a caller's token) and anything that looks like a credential in an HTTP header,
 * query parameter or URL.
 */
export function redactSecrets(text: string, secrets: Iterable<string | null | undefined> = []): string {
  let out = text;
  for (const secret of secrets) {
    // Short values would redact ordinary words; real credentials are long.
    if (secret && secret.length >= 6) out = out.split(secret).join(REPLACEMENT);
  }
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

/**
 * A configuration value as an error message may show it. A URL's user info is replaced by `***`
 * whether or not the URL parses (a password may itself hold `@`, `/` or spaces, and a value may
 * lack its scheme): everything before the last `@` that follows the scheme goes. Then the
 * credential shapes of redactSecrets.
 */
export function redactConfigValue(value: string): string {
  const at = value.lastIndexOf('@');
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(value)?.[0] ?? '';
  const withoutUserInfo = at >= 0 ? `${scheme}***${value.slice(at)}` : value;
  return redactSecrets(withoutUserInfo);
}

/** Input fields whose values are never written to the audit log. */
const SECRET_FIELD = /(token|secret|password|cdkey|^sk$|apikey)/i;

/** A copy of a mutation input for the audit log: secret-looking fields replaced, long strings cut. */
export function redactInput(value: unknown, depth = 0): unknown {
  if (depth > 8) return '[…]';
  if (typeof value === 'string') return value.length > 256 ? `${value.slice(0, 256)}…` : value;
  if (Array.isArray(value)) {
    const items = value.slice(0, 50).map((v) => redactInput(v, depth + 1));
    return value.length > 50 ? [...items, `… ${value.length - 50} more`] : items;
  }
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) out[key] = SECRET_FIELD.test(key) ? REPLACEMENT : redactInput(v, depth + 1);
    return out;
  }
  return value;
}
