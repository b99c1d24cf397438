import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
// Verifying a signature means computing the canonical request the caller signed: that is the
// request side of the protocol, which the simulator shares with the gateway's signer on purpose.
import { computeSignature, parseAuthorization, parseSdkDate } from '../ems/signer.js';
import { apigwErrors, emsErrors } from './errors.js';
import type { SimulatorStore } from './store.js';

/** The authenticated caller of a request. */
export interface Caller {
  projectId: string;
  readOnly: boolean;
  via: 'token' | 'aksk';
}

/** A received request, as the signature covers it. */
export interface ReceivedRequest {
  method: string;
  /** Path as received, still percent-encoded, without the query. */
  path: string;
  /** Raw query string without "?". */
  query: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** Largest accepted distance between X-Sdk-Date and the real wall clock. */
export const SDK_DATE_SKEW_MS = 15 * 60_000;

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}

/**
 * Authenticates by `X-Auth-Token` (checked first when present) or by an `SDK-HMAC-SHA256`
 * signature. The signature must cover `host` and `x-sdk-date`, X-Sdk-Date must be within 15
 * minutes of the real wall clock (`wallNowMs`, not the virtual one), and X-Security-Token is
 * accepted as is. Then a present `X-Project-Id` must name the caller's project.
 * @throws SimHttpError 401 (or 500 ems.00040003 on a project mismatch).
 */
export function authenticate(store: SimulatorStore, req: ReceivedRequest, wallNowMs: number): Caller {
  const caller = identify(store, req, wallNowMs);
  const projectHeader = header(req.headers, 'x-project-id');
  if (projectHeader !== undefined && projectHeader.trim() !== caller.projectId) throw emsErrors.projectMismatch();
  return caller;
}

function identify(store: SimulatorStore, req: ReceivedRequest, wallNowMs: number): Caller {
  const token = header(req.headers, 'x-auth-token');
  if (token !== undefined) {
    const principal = store.tokens.get(token.trim());
    if (!principal) throw emsErrors.authTokenFailed('the token is invalid or was not issued by IAM');
    if (principal.expired) throw emsErrors.authTokenFailed('the token has expired');
    return { projectId: principal.projectId, readOnly: principal.readOnly, via: 'token' };
  }

  const authorization = header(req.headers, 'authorization');
  if (authorization === undefined) {
    throw apigwErrors.iamAuth('no X-Auth-Token header and no SDK-HMAC-SHA256 Authorization header');
  }
  if (!/^\s*SDK-HMAC-SHA256\s/.test(authorization)) {
    throw apigwErrors.iamAuth('unsupported Authorization scheme, expected SDK-HMAC-SHA256');
  }
  const parsed = parseAuthorization(authorization);
  if (!parsed) throw apigwErrors.iamAuth('malformed SDK-HMAC-SHA256 Authorization header');
  const key = store.accessKeys.get(parsed.access);
  if (!key) throw apigwErrors.iamAuth(`access key [${parsed.access}] does not exist`);

  const signed = parsed.signedHeaders.map((h) => h.toLowerCase());
  if (!signed.includes('host') || !signed.includes('x-sdk-date')) {
    throw apigwErrors.iamAuth('SignedHeaders must include host and x-sdk-date');
  }
  const sdkDate = header(req.headers, 'x-sdk-date')?.trim();
  if (!sdkDate) throw apigwErrors.iamAuth('X-Sdk-Date header is missing');
  const date = parseSdkDate(sdkDate);
  if (!date) throw apigwErrors.iamAuth(`malformed X-Sdk-Date [${sdkDate}], expected YYYYMMDDTHHmmssZ`);
  if (Math.abs(wallNowMs - date.getTime()) > SDK_DATE_SKEW_MS) throw apigwErrors.requestExpired(sdkDate);

  const expected = computeSignature(
    { method: req.method, path: req.path, query: req.query, headers: req.headers, body: req.body },
    parsed.signedHeaders,
    sdkDate,
    key.sk,
  );
  if (!timingSafeEqual(Buffer.from(expected, 'utf8'), Buffer.from(parsed.signature, 'utf8'))) {
    throw apigwErrors.iamAuth('verify aksk signature fail');
  }
  return { projectId: key.projectId, readOnly: false, via: 'aksk' };
}
