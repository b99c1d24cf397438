import { createPublicKey, type KeyObject } from 'node:crypto';
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import { LRUCache } from 'lru-cache';
import type { Config } from '../config.js';
import { sha256Hex } from '../ems/signer.js';
import type { ApiKeyEntry, JwtConfig } from '../security/config.js';
import { ALL_ROLES, effectiveRoles, type Caller } from './roles.js';
import type { TokenVerdicts } from './token-verdicts.js';

/** What a request or connection presents to authenticate with. */
export interface PresentedCredentials {
  /** `Authorization: Bearer <value>` (a JWT, or an API key). */
  bearer: string | null;
  /** `X-Api-Key`. */
  apiKey: string | null;
  /** The caller's EMS token (`X-Auth-Token`, `connectionParams.authToken`), for pass-through. */
  emsToken: string | null;
  /** Scope of the EMS credentials the request will use (see `scopeOf`). */
  emsScope: string;
  /** The caller's network address (socket, or X-Forwarded-For with TRUST_PROXY_HOPS). */
  address: string;
}

export type AuthOutcome =
  | { ok: true; caller: Caller }
  | { ok: false; code: 'UNAUTHENTICATED'; reason: string }
  | { ok: false; code: 'RATE_LIMITED'; reason: string; retryAfter: number };

export interface Authenticator {
  /**
   * Establishes who is calling: a verified JWT (`GATEWAY_AUTH=jwt`), a known API key (`apikey`),
   * or, with `none`, the EMS token in pass-through (its identity is checked by EMS on first use)
   * or an anonymous caller when the gateway holds the credentials. An address with too many recent
   * failures is refused, except for credentials that are known good without an EMS call.
   */
  authenticate(presented: PresentedCredentials): Promise<AuthOutcome>;
  /** Counts a failure found later (EMS refused a pass-through token) against the address. */
  recordFailure(address: string, reason: string): Promise<void>;
}

export interface AuthenticatorDeps {
  authBlocked(address: string): Promise<number | null>;
  authFailed(address: string): Promise<void>;
  verdicts: TokenVerdicts;
  /** Logs a failed authentication (never the credential or the query). */
  onFailure(info: { address: string; reason: string; mode: string }): void;
}


/** The credentials an HTTP request presents. */
export function credentialsOfHeaders(headers: Headers): Pick<PresentedCredentials, 'bearer' | 'apiKey'> {
  return { bearer: bearerOf(headers.get('authorization')), apiKey: headers.get('x-api-key') };
}

/**
 * The credentials a graphql-ws `connection_init` presents: `connectionParams.authorization`
 * ("Bearer …"), `connectionParams.apiKey`, or the same as headers in `connectionParams.headers`
 * (as GraphiQL sends them).
 */
export function credentialsOfConnectionParams(params: Record<string, unknown> | null | undefined): Pick<PresentedCredentials, 'bearer' | 'apiKey'> {
  const headers = params?.headers && typeof params.headers === 'object' ? (params.headers as Record<string, unknown>) : {};
  const pick = (...values: unknown[]) => (values.find((v) => typeof v === 'string' && v.length > 0) as string | undefined) ?? null;
  return {
    bearer: bearerOf(pick(params?.authorization, params?.Authorization, headers.authorization, headers.Authorization)),
    apiKey: pick(params?.apiKey, headers['x-api-key'], headers['X-Api-Key']),
  };
}

function bearerOf(header: string | null): string | null {
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match?.[1] ?? null;
}

export function createAuthenticator(config: Config, deps: AuthenticatorDeps): Authenticator {
  const auth = config.security.auth;
  const holdsCredentials = config.ems.aksk !== null || config.ems.staticToken !== null;
  /** Credentials refused recently (by hash): refused again without checking. */
  const refused = new LRUCache<string, string>({ max: 10_000, ttl: 60_000 });
  const verifyJwt = auth.mode === 'jwt' && auth.jwt ? createJwtVerifier(auth.jwt) : null;
  const keysByHash = new Map<string, ApiKeyEntry>(auth.apiKeys.map((k) => [k.sha256, k]));

  const fail = async (address: string, reason: string): Promise<AuthOutcome> => {
    await deps.authFailed(address);
    deps.onFailure({ address, reason, mode: auth.mode });
    return { ok: false, code: 'UNAUTHENTICATED', reason };
  };

  async function identify(p: PresentedCredentials): Promise<Caller | string> {
    if (auth.mode === 'apikey') {
      const key = p.apiKey ?? p.bearer;
      if (!key) return 'no API key (send X-Api-Key or Authorization: Bearer <key>)';
      const entry = keysByHash.get(sha256Hex(key));
      return entry ? { id: `apikey:${entry.name}`, kind: 'apikey', roles: effectiveRoles(entry.roles) } : 'unknown API key';
    }
    if (auth.mode === 'jwt') {
      if (!p.bearer) return 'no bearer token (send Authorization: Bearer <JWT>)';
      const hash = sha256Hex(p.bearer);
      const known = refused.get(hash);
      if (known) return known;
      const result = await verifyJwt!(p.bearer);
      if (typeof result === 'string') refused.set(hash, result);
      return result;
    }
    // none: the EMS token is the identity (EMS decides), or the gateway's own credentials are used.
    if (p.emsToken) {
      if (deps.verdicts.get(p.emsScope) === 'refused') return 'EMS refused this token a moment ago';
      return { id: `token:${p.emsScope}`, kind: 'token', roles: ALL_ROLES };
    }
    if (holdsCredentials) return { id: `anonymous:${p.address}`, kind: 'anonymous', roles: ALL_ROLES };
    return 'no EMS token (send X-Auth-Token, or connectionParams.authToken over WebSocket)';
  }

  return {
    async authenticate(p) {
      const wait = await deps.authBlocked(p.address);
      if (wait !== null) {
        // The address may be shared (a proxy, a NAT): a caller behind it whose credential is known
        // good without asking EMS (an API key, a JWT, both checked here, or a token EMS accepted
        // within the verdict TTL) still gets in. Anything else, above all a pass-through token EMS
        // has not judged yet, would cost an EMS call: refused until the window ends.
        const known = p.emsToken && auth.mode === 'none' && deps.verdicts.get(p.emsScope) !== 'valid' ? null : await identify(p);
        if (known && typeof known !== 'string') return { ok: true, caller: known };
        return { ok: false, code: 'RATE_LIMITED', reason: 'too many failed authentications from this address', retryAfter: wait };
      }
      const result = await identify(p);
      return typeof result === 'string' ? fail(p.address, result) : { ok: true, caller: result };
    },
    async recordFailure(address, reason) {
      await deps.authFailed(address);
      deps.onFailure({ address, reason, mode: auth.mode });
    },
  };
}

/** JWT verification with jose: signature (JWKS URL or PEM key), issuer, audience, expiry with clock skew. */
function createJwtVerifier(jwt: JwtConfig): (token: string) => Promise<Caller | string> {
  const key: KeyObject | ReturnType<typeof createRemoteJWKSet> = jwt.jwksUrl
    ? createRemoteJWKSet(new URL(jwt.jwksUrl), { timeoutDuration: 5_000, cooldownDuration: 30_000, cacheMaxAge: 10 * 60_000 })
    : createPublicKey(jwt.publicKey!);
  return async (token) => {
    let payload: JWTPayload;
    try {
      const verified = await jwtVerify(token, key as Parameters<typeof jwtVerify>[1], {
        issuer: jwt.issuer,
        audience: jwt.audience,
        clockTolerance: jwt.clockSkewSeconds,
        algorithms: jwt.algorithms,
        requiredClaims: ['sub', 'exp'],
      });
      payload = verified.payload;
    } catch (error) {
      return `JWT refused: ${jwtReason(error)}`;
    }
    const claim = payload[jwt.rolesClaim];
    const roles = Array.isArray(claim) ? claim.filter((r): r is string => typeof r === 'string') : typeof claim === 'string' ? claim.split(/\s+/) : [];
    return { id: `jwt:${payload.sub}`, kind: 'jwt', roles: effectiveRoles(roles) };
  };
}

function jwtReason(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return 'expired';
  if (error instanceof joseErrors.JWTClaimValidationFailed) return `claim ${error.claim} ${error.reason}`;
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return 'bad signature';
  if (error instanceof joseErrors.JWKSNoMatchingKey) return 'no matching key in the JWKS';
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return 'algorithm not allowed';
  if (error instanceof joseErrors.JWKSTimeout || error instanceof joseErrors.JWKSInvalid) return 'the JWKS could not be read';
  if (error instanceof joseErrors.JOSEError) return error.code;
  return 'malformed';
}
