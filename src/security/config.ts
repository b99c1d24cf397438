import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { Role } from '../auth/roles.js';
import { ROLES } from '../auth/roles.js';
import { blankAsAbsent, int, isSet, optionalInt, optionalString, stringOr } from '../env.js';
import { redactConfigValue } from './redact.js';

/**
 * The security settings of the gateway (caller authentication, request limits, rate limits,
 * cross-site rules, production defaults, metrics and audit), parsed from the environment beside
 * the rest of the configuration by src/config.ts. Every default is listed in the README, "Security".
 */
export interface SecurityConfig {
  /** NODE_ENV=production: introspection, GraphiQL and field suggestions default to off. */
  production: boolean;
  auth: AuthConfig;
  /** Allowed browser origins; empty = same origin only (no CORS headers at all). */
  corsOrigins: string[];
  introspection: boolean;
  graphiql: boolean;
  fieldSuggestions: boolean;
  limits: RequestLimits;
  rateLimits: RateLimits;
  http: HttpServerLimits;
  metrics: { token: string | null; port: number | null };
  /** Where the audit log goes: a file path, stdout, stderr, or null (off). */
  auditLog: string | null;
  /** Proxies in front of the gateway whose X-Forwarded-For entry is trusted (0 = use the socket address). */
  trustProxyHops: number;
}

export type AuthMode = 'jwt' | 'apikey' | 'none';

export interface AuthConfig {
  mode: AuthMode;
  /** Whether GATEWAY_AUTH was set (an implicit `none` is only allowed in token pass-through). */
  explicit: boolean;
  jwt: JwtConfig | null;
  apiKeys: ApiKeyEntry[];
}

export interface JwtConfig {
  jwksUrl: string | null;
  /** PEM (SPKI) public key, when no JWKS URL is used. */
  publicKey: string | null;
  issuer: string;
  audience: string;
  clockSkewSeconds: number;
  /** Claim holding the caller's roles: an array, or a space-separated string. */
  rolesClaim: string;
  algorithms: string[];
}

export interface ApiKeyEntry {
  name: string;
  roles: Role[];
  /** Hex SHA-256 of the key; the key itself is never stored. */
  sha256: string;
}

export interface RequestLimits {
  maxDocumentBytes: number;
  maxVariablesBytes: number;
  maxTokens: number;
  maxAliases: number;
  maxDirectives: number;
  maxErrors: number;
  maxOperationCost: number;
  /** Estimated heap bytes the parse and validation caches may hold. */
  parseCacheBytes: number;
}

export interface RateLimits {
  windowSeconds: number;
  /** GraphQL requests (HTTP, SSE, WebSocket operations) per caller per window; 0 = off. */
  requests: number;
  /** EMS calls per caller per window; 0 = off. */
  emsCalls: number;
  /** Failed authentications per source address per window before it is refused outright. */
  authFailures: number;
  /** Open WebSocket connections and SSE streams per caller (per replica). */
  connectionsPerCaller: number;
  /** Active subscriptions per WebSocket connection. */
  subscriptionsPerConnection: number;
}

export interface HttpServerLimits {
  headersTimeoutMs: number;
  /** Deadline to receive a whole request, body included (Node's `requestTimeout`). */
  bodyTimeoutMs: number;
  keepAliveTimeoutMs: number;
  maxConnections: number;
}

const bool = z.preprocess(blankAsAbsent, z.enum(['true', 'false', '1', '0'], { error: 'must be true or false' }).optional());

/** The environment variables of this section, merged into the gateway's schema by src/config.ts. */
export const securityEnvShape = {
  NODE_ENV: optionalString,
  GATEWAY_AUTH: z.preprocess(blankAsAbsent, z.enum(['jwt', 'apikey', 'none'], { error: 'must be jwt, apikey or none' }).optional()),
  GATEWAY_API_KEYS: optionalString,
  GATEWAY_API_KEYS_FILE: optionalString,
  JWT_JWKS_URL: optionalString,
  JWT_PUBLIC_KEY: optionalString,
  JWT_PUBLIC_KEY_FILE: optionalString,
  JWT_ISSUER: optionalString,
  JWT_AUDIENCE: optionalString,
  JWT_CLOCK_SKEW_S: int(0, 600, 30),
  JWT_ROLES_CLAIM: stringOr('roles'),
  JWT_ALGORITHMS: stringOr('RS256,RS384,RS512,PS256,PS384,PS512,ES256,ES384,ES512,EdDSA'),
  CORS_ORIGINS: optionalString,
  GRAPHQL_INTROSPECTION: bool,
  GRAPHIQL: bool,
  GRAPHQL_FIELD_SUGGESTIONS: bool,
  MAX_DOCUMENT_BYTES: int(256, 10 * 1024 * 1024, 64 * 1024),
  MAX_VARIABLES_BYTES: int(256, 10 * 1024 * 1024, 256 * 1024),
  MAX_TOKENS: int(50, 1_000_000, 5_000),
  MAX_ALIASES: int(0, 100_000, 50),
  MAX_DIRECTIVES: int(0, 100_000, 50),
  MAX_ERRORS: int(1, 100_000, 100),
  MAX_OPERATION_COST: int(1, 1_000_000, 300),
  PARSE_CACHE_BYTES: int(0, 4 * 1024 * 1024 * 1024, 64 * 1024 * 1024),
  RATE_LIMIT_WINDOW_S: int(1, 86_400, 60),
  RATE_LIMIT_REQUESTS: int(0, 10_000_000, 600),
  RATE_LIMIT_EMS_CALLS: int(0, 10_000_000, 3_000),
  RATE_LIMIT_AUTH_FAILURES: int(1, 1_000_000, 20),
  MAX_CONNECTIONS_PER_CALLER: int(1, 1_000_000, 20),
  MAX_SUBSCRIPTIONS_PER_CONNECTION: int(1, 1_000_000, 50),
  HTTP_HEADERS_TIMEOUT_MS: int(1_000, 600_000, 10_000),
  HTTP_BODY_TIMEOUT_MS: int(1_000, 3_600_000, 30_000),
  HTTP_KEEP_ALIVE_TIMEOUT_MS: int(100, 600_000, 5_000),
  MAX_CONNECTIONS: int(1, 1_000_000, 10_000),
  METRICS_TOKEN: optionalString,
  METRICS_PORT: optionalInt(0, 65535),
  AUDIT_LOG: stringOr('stdout'),
  TRUST_PROXY_HOPS: int(0, 10, 0),
};

type SecurityEnv = z.infer<z.ZodObject<typeof securityEnvShape>>;

/** Variables whose values are secrets: configuration errors never quote them. */
export const SECRET_ENV = /(_SK|TOKEN|_KEYS|PUBLIC_KEY)$/;

const ApiKeyList = z.array(
  z.object({
    name: z.string().min(1).max(128),
    roles: z.array(z.enum(ROLES)).min(1),
    sha256: z.string().regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hexadecimal digits (the SHA-256 of the key)'),
  }),
);

/**
 * Rules that relate several variables, checked on the raw environment so they are reported with
 * every other problem. `holdsCredentials`: EMS_AK/EMS_SK or EMS_AUTH_TOKEN is set.
 */
export function securityProblems(env: Record<string, string | undefined>, holdsCredentials: boolean): string[] {
  const set = (name: string) => isSet(env, name);
  const problems: string[] = [];
  const mode = env.GATEWAY_AUTH?.trim();
  if (holdsCredentials && !set('GATEWAY_AUTH')) {
    problems.push(
      'GATEWAY_AUTH: required when the gateway holds EMS credentials (EMS_AK/EMS_SK or EMS_AUTH_TOKEN): ' +
        'set jwt or apikey to authenticate callers, or none to let anyone who reaches the gateway act with those credentials',
    );
  }
  if (mode === 'apikey' && !set('GATEWAY_API_KEYS') && !set('GATEWAY_API_KEYS_FILE')) {
    problems.push('GATEWAY_API_KEYS: GATEWAY_AUTH=apikey needs GATEWAY_API_KEYS or GATEWAY_API_KEYS_FILE');
  }
  if (mode === 'jwt') {
    const keys = ['JWT_JWKS_URL', 'JWT_PUBLIC_KEY', 'JWT_PUBLIC_KEY_FILE'].filter(set);
    if (keys.length !== 1) problems.push('JWT_JWKS_URL: GATEWAY_AUTH=jwt needs exactly one of JWT_JWKS_URL, JWT_PUBLIC_KEY, JWT_PUBLIC_KEY_FILE');
    if (!set('JWT_ISSUER')) problems.push('JWT_ISSUER: GATEWAY_AUTH=jwt needs the expected token issuer');
    if (!set('JWT_AUDIENCE')) problems.push('JWT_AUDIENCE: GATEWAY_AUTH=jwt needs the expected token audience');
    if (set('JWT_JWKS_URL')) {
      try {
        if (!['http:', 'https:'].includes(new URL(env.JWT_JWKS_URL!).protocol)) throw new Error();
      } catch {
        problems.push(`JWT_JWKS_URL: must be a http(s) URL (got ${JSON.stringify(redactConfigValue(env.JWT_JWKS_URL!))})`);
      }
    }
  }
  if (set('METRICS_PORT') && set('PORT') && env.METRICS_PORT!.trim() === env.PORT!.trim() && env.PORT!.trim() !== '0') {
    problems.push('METRICS_PORT: must differ from PORT');
  }
  return problems;
}

/** Builds the security section from the parsed environment; throws a list of problems (strings). */
export function securityConfig(e: SecurityEnv): { config: SecurityConfig; problems: string[] } {
  const problems: string[] = [];
  const production = e.NODE_ENV === 'production';
  const flag = (value: string | undefined, dflt: boolean) => (value === undefined ? dflt : value === 'true' || value === '1');

  let apiKeys: ApiKeyEntry[] = [];
  if (e.GATEWAY_AUTH === 'apikey') {
    const sources: [string, string | undefined][] = [['GATEWAY_API_KEYS', e.GATEWAY_API_KEYS]];
    if (e.GATEWAY_API_KEYS_FILE) {
      try {
        sources.push(['GATEWAY_API_KEYS_FILE', readFileSync(e.GATEWAY_API_KEYS_FILE, 'utf8')]);
      } catch (error) {
        problems.push(`GATEWAY_API_KEYS_FILE: cannot read ${JSON.stringify(e.GATEWAY_API_KEYS_FILE)} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
      }
    }
    for (const [name, text] of sources) {
      if (text === undefined) continue;
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        problems.push(`${name}: must be a JSON array of {"name", "roles", "sha256"}`);
        continue;
      }
      const parsed = ApiKeyList.safeParse(json);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        problems.push(`${name}: [${issue.path.join('.')}] ${issue.message}`);
        continue;
      }
      apiKeys.push(...parsed.data.map((k) => ({ ...k, sha256: k.sha256.toLowerCase() })));
    }
    const names = new Set<string>();
    for (const key of apiKeys) {
      if (names.has(key.name)) problems.push(`GATEWAY_API_KEYS: the key name ${JSON.stringify(key.name)} is used twice`);
      names.add(key.name);
    }
  }

  let jwt: JwtConfig | null = null;
  if (e.GATEWAY_AUTH === 'jwt') {
    let publicKey = e.JWT_PUBLIC_KEY ?? null;
    if (e.JWT_PUBLIC_KEY_FILE) {
      try {
        publicKey = readFileSync(e.JWT_PUBLIC_KEY_FILE, 'utf8');
      } catch (error) {
        problems.push(`JWT_PUBLIC_KEY_FILE: cannot read ${JSON.stringify(e.JWT_PUBLIC_KEY_FILE)} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
      }
    }
    if (publicKey !== null && !publicKey.includes('-----BEGIN PUBLIC KEY-----')) {
      problems.push('JWT_PUBLIC_KEY: must be a PEM public key (-----BEGIN PUBLIC KEY-----)');
    }
    jwt = {
      jwksUrl: e.JWT_JWKS_URL ?? null,
      publicKey,
      issuer: e.JWT_ISSUER ?? '',
      audience: e.JWT_AUDIENCE ?? '',
      clockSkewSeconds: e.JWT_CLOCK_SKEW_S,
      rolesClaim: e.JWT_ROLES_CLAIM,
      algorithms: e.JWT_ALGORITHMS.split(',').map((a) => a.trim()).filter(Boolean),
    };
    if (jwt.algorithms.some((a) => a.startsWith('HS') || a === 'none')) {
      problems.push('JWT_ALGORITHMS: only public-key algorithms are accepted (no HS*, no none)');
    }
  }

  const corsOrigins = (e.CORS_ORIGINS ?? '').split(',').map((o) => o.trim()).filter(Boolean);
  for (const origin of corsOrigins) {
    let ok = false;
    try {
      const url = new URL(origin);
      ok = (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === origin;
    } catch {
      ok = false;
    }
    if (!ok) problems.push(`CORS_ORIGINS: ${JSON.stringify(origin)} is not an origin like https://console.example.com (no path, no wildcard)`);
  }

  const audit = e.AUDIT_LOG.trim();
  return {
    problems,
    config: {
      production,
      auth: { mode: e.GATEWAY_AUTH ?? 'none', explicit: e.GATEWAY_AUTH !== undefined, jwt, apiKeys },
      corsOrigins,
      introspection: flag(e.GRAPHQL_INTROSPECTION, !production),
      graphiql: flag(e.GRAPHIQL, !production),
      fieldSuggestions: flag(e.GRAPHQL_FIELD_SUGGESTIONS, !production),
      limits: {
        maxDocumentBytes: e.MAX_DOCUMENT_BYTES,
        maxVariablesBytes: e.MAX_VARIABLES_BYTES,
        maxTokens: e.MAX_TOKENS,
        maxAliases: e.MAX_ALIASES,
        maxDirectives: e.MAX_DIRECTIVES,
        maxErrors: e.MAX_ERRORS,
        maxOperationCost: e.MAX_OPERATION_COST,
        parseCacheBytes: e.PARSE_CACHE_BYTES,
      },
      rateLimits: {
        windowSeconds: e.RATE_LIMIT_WINDOW_S,
        requests: e.RATE_LIMIT_REQUESTS,
        emsCalls: e.RATE_LIMIT_EMS_CALLS,
        authFailures: e.RATE_LIMIT_AUTH_FAILURES,
        connectionsPerCaller: e.MAX_CONNECTIONS_PER_CALLER,
        subscriptionsPerConnection: e.MAX_SUBSCRIPTIONS_PER_CONNECTION,
      },
      http: {
        headersTimeoutMs: e.HTTP_HEADERS_TIMEOUT_MS,
        bodyTimeoutMs: e.HTTP_BODY_TIMEOUT_MS,
        keepAliveTimeoutMs: e.HTTP_KEEP_ALIVE_TIMEOUT_MS,
        maxConnections: e.MAX_CONNECTIONS,
      },
      metrics: { token: e.METRICS_TOKEN ?? null, port: e.METRICS_PORT ?? null },
      auditLog: audit === 'off' ? null : audit,
      trustProxyHops: e.TRUST_PROXY_HOPS,
    },
  };
}
