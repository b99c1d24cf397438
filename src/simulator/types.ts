import type { EmsOperation } from '../ems/models/operations.js';

/**
 * The simulator's interface, for `npm start`, the tests and the benchmarks: its options, faults,
 * credentials, call statistics and clock. Re-exported by `index.ts`; import them from there.
 */

/**
 * How the simulator writes its answers:
 * - `reference`: as the EMS reference describes them (`""` for a time not yet reached, every
 *   documented field, listed statuses);
 * - `variant`: with the variations an EMS may send and the gateway must read: statuses it does not
 *   list, numbers and booleans as strings, extra fields, null and absent optional objects, null
 *   instead of `""` times, long prefixed label keys and empty label values.
 */
export const SIMULATOR_WIRES = ['reference', 'variant'] as const;
export type SimulatorWire = (typeof SIMULATOR_WIRES)[number];

export interface SimulatorFaults {
  /** Added to every response, ms. @default 0 */
  latencyMs: number;
  /** Share (0..1) of requests answered 503 {error_code:"APIGW.0201", ...}. @default 0 */
  errorRate: number;
  /** Share (0..1) answered 429 with `Retry-After: retryAfterSeconds`. @default 0 */
  rateLimitRate: number;
  /** @default 1 */
  retryAfterSeconds: number;
  /** Share (0..1) of requests whose socket is destroyed without any response. @default 0 */
  resetRate: number;
  /** Share (0..1) of 2xx responses whose body is malformed (truncated JSON or a wrong shape). @default 0 */
  malformedRate: number;
  /** Restrict the HTTP faults above to these operations; null = all. @default null */
  operations: EmsOperation[] | null;
  /** Share (0..1) of newly submitted jobs that end FAILED (message an ems.000x code). @default 0 */
  jobFailureRate: number;
  /**
   * Share (0..1) of otherwise valid CreateCluster and EnrollCluster
   * requests answered 500 `ems.00030002` "Failed to create cluster." (nothing is created).
   * Not restricted by `operations`. @default 0
   */
  createFailureRate: number;
  /**
   * Share (0..1) of otherwise valid DeleteClusterById requests answered
   * 500 `ems.00030003` "Failed to update cluster status to DELETING" (the cluster is unchanged).
   * Not restricted by `operations`. @default 0
   */
  deleteFailureRate: number;
}

export interface SimulatorOptions {
  /** @default 0 (ephemeral port) */ port?: number;
  /** @default '127.0.0.1' */ host?: string;
  /** Job clock multiplier: 1 = real time (a short job takes ~20 s, a long one ~2 min); tests use 50–1000. 0 freezes the clock (only `clock.advance` moves it). @default 1 */
  clockSpeed?: number;
  /** Seed of the deterministic PRNG behind seeded data and fault sampling. @default 1 */
  seed?: number;
  /** Number of seeded clusters in the main project. @default 20 */
  clusterCount?: number;
  /** How answers are written (see SimulatorWire). @default 'reference' */
  wire?: SimulatorWire;
  faults?: Partial<SimulatorFaults>;
  /** The region this simulator plays; its main project is listed under this name by IAM `GET /v3/projects`. @default 'cn-north-4' */
  region?: string;
  /**
   * Credentials to accept besides the seeded ones, for the main project: a regional simulator of a
   * multi-region setup shares the account's token and AK/SK with the others (see regions.ts).
   */
  sharedCredentials?: { token: string; ak: string; sk: string };
  /** What IAM `GET /v3/projects` lists; default: the main project named `region`, the other one `<region>_other`. */
  iamProjects?: () => readonly SimulatorIamProject[];
}

/** A project as IAM `GET /v3/projects` lists it: `name` is the region (or `<region>_<sub>`), `id` the project id. */
export interface SimulatorIamProject {
  id: string;
  name: string;
}

export interface SimulatorCredentials {
  /** Main project (32 hex chars). */
  projectId: string;
  /** Full rights in the main project. */
  token: string;
  /** Read-only in the main project: writes get 403. */
  readOnlyToken: string;
  otherProjectId: string;
  /** Full rights in the other project (its own, different clusters). */
  otherProjectToken: string;
  /** Always 401 common.01010018. */
  expiredToken: string;
  /** AK/SK pair of the main project, full rights (signature verified). */
  ak: string;
  sk: string;
}

export interface SimulatorStatsLogEntry {
  operation: EmsOperation;
  method: string;
  /** Path with query, as received. */
  path: string;
  /** Wall-clock time the request was routed, epoch ms. */
  at: number;
}

export interface SimulatorStats {
  /** Calls per operation since the last reset (every request that reached routing, faults included). */
  calls: Record<EmsOperation, number>;
  /** Highest number of concurrent in-flight requests seen, per operation. */
  maxInFlight: Record<EmsOperation, number>;
  /** One entry a request: operation, method, path (with query), time. */
  log: SimulatorStatsLogEntry[];
  /** Calls of `op`, or of all operations when omitted. */
  count(op?: EmsOperation): number;
  reset(): void;
}

export interface SimulatorClock {
  /** Virtual now: start + elapsed real time × speed + manual advances. */
  now(): Date;
  /** Moves virtual time forward by `ms` (>= 0). */
  advance(ms: number): void;
  /** Changes the multiplier from now on (>= 0; 0 freezes the clock). */
  setSpeed(speed: number): void;
}

export interface EmsSimulator {
  /** The region it plays (SimulatorOptions.region). */
  readonly region: string;
  /** Base URL, e.g. http://127.0.0.1:40123. Throws before start(). */
  readonly url: string;
  /** Listens; resolves to url. Calling it again returns the same url. */
  start(): Promise<string>;
  /** Closes the server and every open connection. Idempotent. */
  stop(): Promise<void>;
  readonly credentials: SimulatorCredentials;
  readonly stats: SimulatorStats;
  /** Merges `f` into the current faults. @throws RangeError on a value out of range. */
  setFaults(f: Partial<SimulatorFaults>): void;
  /** Back to the defaults (no faults at all), whatever `options.faults` was. */
  resetFaults(): void;
  clock: SimulatorClock;
  /**
   * Test setup helper. Replaces the main project's clusters and jobs with `count` generated
   * RUNNING clusters (`batch-kvcache-0001`, ... in ListClusters order), each with `jobsPerCluster`
   * completed jobs (default 1): job 0 is its CreateCluster (long), then odd ones ExpandCluster
   * (short) and even ones UpgradeCluster (long). By default each job type therefore holds at most
   * `count` jobs, so up to 1,000 clusters fit one ListJobs page per type. CCE clusters, credentials
   * and features are kept.
   */
  seedClusters(count: number, opts?: { jobsPerCluster?: number }): void;
}
