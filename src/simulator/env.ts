import { z } from 'zod';
import { EMS_OPERATIONS, type EmsOperation } from '../ems/models/operations.js';
import { SIMULATOR_WIRES, type SimulatorOptions } from './types.js';

/** An unset or empty variable counts as absent. */
const blankAsUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const num = (inner: z.ZodNumber) => z.preprocess(blankAsUndefined, z.coerce.number().pipe(inner).optional());
const rate = () => num(z.number().min(0).max(1));

/**
 * The simulator's settings, one `SIMULATOR_` variable each, read the same by `npm run simulator`
 * and by `npm start` without EMS_ENDPOINT.
 */
const SimulatorEnv = z.object({
  SIMULATOR_PORT: num(z.number().int().min(0).max(65535)),
  SIMULATOR_HOST: z.preprocess(blankAsUndefined, z.string().optional()),
  SIMULATOR_CLOCK_SPEED: num(z.number().positive()),
  SIMULATOR_SEED: num(z.number().int()),
  SIMULATOR_CLUSTER_COUNT: num(z.number().int().min(0).max(100_000)),
  /** `reference` (default): answers as the EMS reference describes; `variant`: with every variation EMS may send. */
  SIMULATOR_WIRE: z.preprocess(blankAsUndefined, z.enum(SIMULATOR_WIRES).optional()),
  SIMULATOR_LATENCY_MS: num(z.number().min(0)),
  SIMULATOR_ERROR_RATE: rate(),
  SIMULATOR_RATE_LIMIT_RATE: rate(),
  SIMULATOR_RETRY_AFTER_SECONDS: num(z.number().int().min(0)),
  SIMULATOR_RESET_RATE: rate(),
  SIMULATOR_MALFORMED_RATE: rate(),
  SIMULATOR_JOB_FAILURE_RATE: rate(),
  SIMULATOR_CREATE_FAILURE_RATE: rate(),
  SIMULATOR_DELETE_FAILURE_RATE: rate(),
  /** Comma-separated regions, one simulator each (own port, fleet and project id); unset = one region, cn-north-4. */
  SIMULATOR_REGIONS: z.preprocess(
    blankAsUndefined,
    z
      .string()
      .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
      .pipe(z.array(z.string().regex(/^[a-z]{2,}(?:-[a-z0-9]+)+$/, 'each region must look like cn-north-4')).min(1).max(16))
      .refine((list) => new Set(list).size === list.length, 'a region is repeated')
      .optional(),
  ),
  /** Comma-separated operation names the HTTP faults apply to; unset = all. */
  SIMULATOR_FAULT_OPERATIONS: z.preprocess(
    blankAsUndefined,
    z
      .string()
      .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
      .pipe(z.array(z.enum(EMS_OPERATIONS)))
      .optional(),
  ),
});

/** Defaults of `npm run simulator` and `npm start` (the library's differ: port 0). */
export const SIMULATOR_ENV_DEFAULTS = { port: 4010, host: '127.0.0.1' } as const;

/** Thrown by loadSimulatorEnv with every problem at once. */
export class SimulatorEnvError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid EMS simulator configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'SimulatorEnvError';
  }
}

/**
 * Reads the simulator's settings from `env`.
 * @throws SimulatorEnvError listing every invalid variable.
 */
export function loadSimulatorEnv(
  env: Record<string, string | undefined>,
): Required<Pick<SimulatorOptions, 'port' | 'host'>> & SimulatorOptions & { regions?: string[] } {
  const parsed = SimulatorEnv.safeParse(env);
  // The settings were named SIM_* before they became SIMULATOR_*: one set the old way would be
  // ignored without a word.
  const renamed = Object.keys(env)
    .filter((name) => name.startsWith('SIM_') && `SIMULATOR_${name.slice(4)}` in SimulatorEnv.shape && env[name] !== undefined)
    .map((name) => `${name}: renamed SIMULATOR_${name.slice(4)}; set that instead`);
  if (!parsed.success || renamed.length > 0) {
    throw new SimulatorEnvError([
      ...renamed,
      ...(parsed.success ? [] : parsed.error.issues).map((i) => {
        const name = String(i.path[0] ?? '?');
        return `${name}: ${i.message} (got ${JSON.stringify(env[name] ?? '')})`;
      }),
    ]);
  }
  const e = parsed.data;
  const faults: NonNullable<SimulatorOptions['faults']> = {};
  if (e.SIMULATOR_LATENCY_MS !== undefined) faults.latencyMs = e.SIMULATOR_LATENCY_MS;
  if (e.SIMULATOR_ERROR_RATE !== undefined) faults.errorRate = e.SIMULATOR_ERROR_RATE;
  if (e.SIMULATOR_RATE_LIMIT_RATE !== undefined) faults.rateLimitRate = e.SIMULATOR_RATE_LIMIT_RATE;
  if (e.SIMULATOR_RETRY_AFTER_SECONDS !== undefined) faults.retryAfterSeconds = e.SIMULATOR_RETRY_AFTER_SECONDS;
  if (e.SIMULATOR_RESET_RATE !== undefined) faults.resetRate = e.SIMULATOR_RESET_RATE;
  if (e.SIMULATOR_MALFORMED_RATE !== undefined) faults.malformedRate = e.SIMULATOR_MALFORMED_RATE;
  if (e.SIMULATOR_JOB_FAILURE_RATE !== undefined) faults.jobFailureRate = e.SIMULATOR_JOB_FAILURE_RATE;
  if (e.SIMULATOR_CREATE_FAILURE_RATE !== undefined) faults.createFailureRate = e.SIMULATOR_CREATE_FAILURE_RATE;
  if (e.SIMULATOR_DELETE_FAILURE_RATE !== undefined) faults.deleteFailureRate = e.SIMULATOR_DELETE_FAILURE_RATE;
  if (e.SIMULATOR_FAULT_OPERATIONS !== undefined) faults.operations = e.SIMULATOR_FAULT_OPERATIONS as EmsOperation[];
  return {
    port: e.SIMULATOR_PORT ?? SIMULATOR_ENV_DEFAULTS.port,
    host: e.SIMULATOR_HOST ?? SIMULATOR_ENV_DEFAULTS.host,
    ...(e.SIMULATOR_CLOCK_SPEED !== undefined ? { clockSpeed: e.SIMULATOR_CLOCK_SPEED } : {}),
    ...(e.SIMULATOR_SEED !== undefined ? { seed: e.SIMULATOR_SEED } : {}),
    ...(e.SIMULATOR_CLUSTER_COUNT !== undefined ? { clusterCount: e.SIMULATOR_CLUSTER_COUNT } : {}),
    ...(e.SIMULATOR_WIRE !== undefined ? { wire: e.SIMULATOR_WIRE } : {}),
    faults,
    ...(e.SIMULATOR_REGIONS !== undefined ? { regions: e.SIMULATOR_REGIONS } : {}),
  };
}
