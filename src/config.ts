import { z } from 'zod';
import { EmsProjectId, HEADER_VALUE_PATTERN } from './ems/models/index.js';
import { blankAsAbsent, decimal, int, isSet, optionalString, stringOr } from './env.js';
import { SECRET_ENV, securityConfig, securityEnvShape, securityProblems, type SecurityConfig } from './security/config.js';
import { redactConfigValue } from './security/redact.js';
import { REGION_NAME, regionsFromEnv, type RegionConfig } from './regions.js';

export type { RegionConfig } from './regions.js';

/**
 * The gateway's configuration, parsed from the environment (the names are public: see the README).
 * Nested camelCase; `null` means the feature is off.
 */
export interface Config {
  port: number;
  host: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  ems: {
    /** Base URL of EMS; null = unset (`npm start` then runs the simulator and sets it; buildApp needs it). */
    endpoint: string | null;
    /** Sent upstream as `X-Project-Id`. */
    projectId: string | null;
    /** EMS_REGION: the name of EMS_ENDPOINT's region; null = the endpoint's host names it, else `default` (see src/regions.ts). */
    region: string | null;
    /**
     * EMS_REGIONS, in the order given, with their endpoints and project ids (EMS_ENDPOINT_<REGION>,
     * EMS_PROJECT_ID_<REGION>, EMS_IAM_ENDPOINT[_<REGION>]); null = one region, EMS_ENDPOINT.
     */
    regions: RegionConfig[] | null;
    /** When set, every upstream request is signed SDK-HMAC-SHA256 with these. */
    aksk: { ak: string; sk: string; securityToken: string | null } | null;
    /** Static fallback token for callers that send none. */
    staticToken: string | null;
    timeoutMs: number;
    maxRetries: number;
    /** Fail fast while EMS is down; null = no breaker. */
    circuitBreaker: CircuitBreakerConfig | null;
  };
  /** Overall deadline of one operation (HTTP request, subscription event): caps retries and every stage. */
  requestTimeoutMs: number;
  /** How long SIGTERM/SIGINT waits for in-flight operations before closing what is left. */
  shutdownGraceMs: number;
  /** Where a single process keeps what must survive a restart (idempotency records without Redis). */
  dataDir: string;
  /** Shared pollers and events across replicas; null = in memory, single process. */
  redis: { url: string; keyPrefix: string } | null;
  limits: {
    /** Largest `first` a connection accepts. */
    maxPageSize: number;
    /** Page size when `first` is omitted. */
    defaultPageSize: number;
    maxDepth: number;
    maxComplexity: number;
    /** EMS calls one GraphQL request (or one subscription event) may make. */
    maxUpstreamCalls: number;
  };
  subscriptions: {
    /** Poll interval while a job runs or a cluster is in transition. */
    activeIntervalMs: number;
    /** Poll interval while nothing changes. */
    idleIntervalMs: number;
    /** Upper bound of the back-off after upstream errors. */
    maxBackoffMs: number;
    /** WebSocket ping interval; a client that misses a pong by the next ping is dropped. */
    keepAliveMs: number;
    /** Failed polls in a row after which a subscription ends with the failure's code. */
    maxPollFailures: number;
  };
  /** Caller authentication, request and rate limits, cross-site rules, production defaults (src/security/config.ts). */
  security: SecurityConfig;
}

/**
 * The EMS circuit breaker: it opens when, over the last `windowMs`, at least `minCalls` calls ended
 * and `threshold` of them failed by outage (no response, timeout, 502–504, or no answer within
 * `slowCallMs`); it then refuses calls, letting one call probe EMS every `halfOpenAfterMs`, and
 * closes on the first probe that succeeds.
 */
export interface CircuitBreakerConfig {
  /** Failure rate, above 0 and below 1. */
  threshold: number;
  windowMs: number;
  minCalls: number;
  halfOpenAfterMs: number;
  slowCallMs: number;
}

/** Thrown by loadConfig with every problem at once. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** A credential sent upstream as an HTTP header value: no control characters, nothing beyond Latin-1. */
const headerValue = z.preprocess(
  blankAsAbsent,
  z
    .string()
    .regex(HEADER_VALUE_PATTERN, 'must not contain control characters, line breaks or characters beyond Latin-1 (it is sent in an HTTP header)')
    .optional(),
);
const url = (protocols: string[], what: string) =>
  z.preprocess(
    blankAsAbsent,
    z
      .string()
      .refine((s) => {
        try {
          return protocols.includes(new URL(s).protocol);
        } catch {
          return false;
        }
      }, `must be a ${what} URL (${protocols.join(' or ')})`)
      .optional(),
  );

const EnvSchema = z
  .object({
    PORT: int(0, 65535, 4000),
    HOST: stringOr('0.0.0.0'),
    LOG_LEVEL: z.preprocess(
      blankAsAbsent,
      z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    ),
    EMS_ENDPOINT: url(['http:', 'https:'], 'http(s)').refine((s) => {
      if (s === undefined || !URL.canParse(s)) return true;
      const u = new URL(s);
      return u.username === '' && u.password === '' && u.search === '' && u.hash === '';
    }, 'must not carry a user name, password, query or fragment (EMS credentials go in EMS_AK/EMS_SK or EMS_AUTH_TOKEN)'),
    EMS_PROJECT_ID: z.preprocess(blankAsAbsent, EmsProjectId.optional()),
    EMS_REGION: z.preprocess(blankAsAbsent, z.string().max(64).regex(REGION_NAME, 'must be a region name, like cn-north-4').optional()),
    EMS_AK: headerValue,
    EMS_SK: optionalString,
    EMS_SECURITY_TOKEN: headerValue,
    EMS_AUTH_TOKEN: headerValue,
    EMS_TIMEOUT_MS: int(100, 300_000, 10_000),
    EMS_MAX_RETRIES: int(0, 10, 2),
    EMS_CIRCUIT_THRESHOLD: decimal(0, 0.99, 0.5),
    EMS_CIRCUIT_WINDOW_MS: int(1_000, 600_000, 5_000),
    EMS_CIRCUIT_MIN_CALLS: int(1, 100_000, 5),
    EMS_CIRCUIT_HALF_OPEN_MS: int(100, 600_000, 1_000),
    EMS_SLOW_CALL_MS: int(100, 300_000, 2_000),
    REQUEST_TIMEOUT_MS: int(100, 600_000, 10_000),
    SHUTDOWN_GRACE_MS: int(0, 600_000, 25_000),
    DATA_DIR: stringOr('./.data'),
    REDIS_URL: url(['redis:', 'rediss:'], 'Redis'),
    REDIS_KEY_PREFIX: z.preprocess(blankAsAbsent, z.string().max(64).default('ems-gateway:')),
    MAX_PAGE_SIZE: int(1, 1000, 1000),
    DEFAULT_PAGE_SIZE: int(1, 1000, 50),
    MAX_QUERY_DEPTH: int(2, 100, 12),
    MAX_QUERY_COMPLEXITY: int(10, 10_000_000, 50_000),
    MAX_UPSTREAM_CALLS: int(1, 100_000, 1_000),
    POLL_ACTIVE_MS: int(50, 600_000, 1_000),
    POLL_IDLE_MS: int(50, 3_600_000, 5_000),
    POLL_MAX_BACKOFF_MS: int(100, 3_600_000, 30_000),
    POLL_MAX_FAILURES: int(1, 1000, 5),
    WS_KEEPALIVE_MS: int(100, 3_600_000, 30_000),
    ...securityEnvShape,
  });

/** Rules that relate several variables; checked on the raw values so they are reported with the rest. */
/**
 * Variables an earlier release read and this one does not. Set, they would be ignored without a
 * word and change behaviour on upgrade, so start-up stops and says what replaced them (the README's
 * "Upgrading" section has the same list).
 */
const RETIRED_ENV: Record<string, string> = {
  EMS_CIRCUIT_FAILURES:
    'retired: the circuit breaker opens on a failure rate now, not a count of failures in a row; set EMS_CIRCUIT_THRESHOLD (0 turns it off), EMS_CIRCUIT_WINDOW_MS and EMS_CIRCUIT_MIN_CALLS instead',
};

function crossFieldProblems(env: Record<string, string | undefined>): string[] {
  const set = (name: string) => isSet(env, name);
  const num = (name: string, dflt: number) => (set(name) ? Number(env[name]) : dflt);
  const problems: string[] = [];
  for (const [name, replacement] of Object.entries(RETIRED_ENV)) if (set(name)) problems.push(`${name}: ${replacement}`);
  if (set('EMS_AK') !== set('EMS_SK')) problems.push(`${set('EMS_AK') ? 'EMS_SK' : 'EMS_AK'}: EMS_AK and EMS_SK must be set together`);
  if (set('EMS_SECURITY_TOKEN') && !set('EMS_AK')) problems.push('EMS_SECURITY_TOKEN: needs EMS_AK and EMS_SK');
  if (num('DEFAULT_PAGE_SIZE', 50) > num('MAX_PAGE_SIZE', 1000)) problems.push('DEFAULT_PAGE_SIZE: must not exceed MAX_PAGE_SIZE');
  if (num('POLL_ACTIVE_MS', 1_000) > num('POLL_IDLE_MS', 5_000)) problems.push('POLL_ACTIVE_MS: must not exceed POLL_IDLE_MS');
  problems.push(...regionsFromEnv(env, set('EMS_AK')).problems);
  problems.push(...securityProblems(env, set('EMS_AK') || set('EMS_AUTH_TOKEN')));
  return problems;
}

/**
 * Parses the environment. Throws a ConfigError listing every problem (never the values of secrets).
 * @param env defaults to process.env; tests pass their own.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  const problems = [
    ...(parsed.success ? [] : parsed.error.issues).map((issue) => {
      const name = issue.path.join('.') || '(environment)';
      const value = env[name];
      const secret = SECRET_ENV.test(name);
      const shown = value === undefined || secret ? '' : ` (got ${JSON.stringify(redactConfigValue(value))})`;
      return `${name}: ${issue.message}${shown}`;
    }),
    ...crossFieldProblems(env),
  ];
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const e = parsed.data;
  const security = securityConfig(e);
  if (security.problems.length > 0) throw new ConfigError(security.problems);
  return {
    port: e.PORT,
    host: e.HOST,
    logLevel: e.LOG_LEVEL,
    ems: {
      endpoint: e.EMS_ENDPOINT ?? null,
      projectId: e.EMS_PROJECT_ID ?? null,
      region: e.EMS_REGION ?? null,
      regions: regionsFromEnv(env, Boolean(e.EMS_AK && e.EMS_SK)).regions,
      aksk: e.EMS_AK && e.EMS_SK ? { ak: e.EMS_AK, sk: e.EMS_SK, securityToken: e.EMS_SECURITY_TOKEN ?? null } : null,
      staticToken: e.EMS_AUTH_TOKEN ?? null,
      timeoutMs: e.EMS_TIMEOUT_MS,
      maxRetries: e.EMS_MAX_RETRIES,
      circuitBreaker:
        e.EMS_CIRCUIT_THRESHOLD === 0
          ? null
          : {
              threshold: e.EMS_CIRCUIT_THRESHOLD,
              windowMs: e.EMS_CIRCUIT_WINDOW_MS,
              minCalls: e.EMS_CIRCUIT_MIN_CALLS,
              halfOpenAfterMs: e.EMS_CIRCUIT_HALF_OPEN_MS,
              slowCallMs: e.EMS_SLOW_CALL_MS,
            },
    },
    requestTimeoutMs: e.REQUEST_TIMEOUT_MS,
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    dataDir: e.DATA_DIR,
    redis: e.REDIS_URL ? { url: e.REDIS_URL, keyPrefix: e.REDIS_KEY_PREFIX } : null,
    limits: {
      maxPageSize: e.MAX_PAGE_SIZE,
      defaultPageSize: e.DEFAULT_PAGE_SIZE,
      maxDepth: e.MAX_QUERY_DEPTH,
      maxComplexity: e.MAX_QUERY_COMPLEXITY,
      maxUpstreamCalls: e.MAX_UPSTREAM_CALLS,
    },
    subscriptions: {
      activeIntervalMs: e.POLL_ACTIVE_MS,
      idleIntervalMs: e.POLL_IDLE_MS,
      maxBackoffMs: e.POLL_MAX_BACKOFF_MS,
      keepAliveMs: e.WS_KEEPALIVE_MS,
      maxPollFailures: e.POLL_MAX_FAILURES,
    },
    security: security.config,
  };
}
