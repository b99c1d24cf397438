import { z } from 'zod';
import { EMS_OPERATIONS, type EmsOperation } from '../ems/api.js';
import type { SimulatorOptions } from './types.js';

/** An unset or empty variable counts as absent. */
const blankAsUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const num = (inner: z.ZodNumber) => z.preprocess(blankAsUndefined, z.coerce.number().pipe(inner).optional());
const rate = () => num(z.number().min(0).max(1));

const SimulatorEnv = z.object({
  SIM_PORT: num(z.number().int().min(0).max(65535)),
  SIM_HOST: z.preprocess(blankAsUndefined, z.string().optional()),
  SIM_CLOCK_SPEED: num(z.number().positive()),
  SIM_SEED: num(z.number().int()),
  SIM_CLUSTER_COUNT: num(z.number().int().min(0).max(100_000)),
  SIM_LATENCY_MS: num(z.number().min(0)),
  SIM_ERROR_RATE: rate(),
  SIM_RATE_LIMIT_RATE: rate(),
  SIM_RETRY_AFTER_SECONDS: num(z.number().int().min(0)),
  SIM_RESET_RATE: rate(),
  SIM_MALFORMED_RATE: rate(),
  SIM_JOB_FAILURE_RATE: rate(),
  SIM_CREATE_FAILURE_RATE: rate(),
  SIM_DELETE_FAILURE_RATE: rate(),
  /** Comma-separated operation names the HTTP faults apply to; unset = all. */
  SIM_FAULT_OPERATIONS: z.preprocess(
    blankAsUndefined,
    z
      .string()
      .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
      .pipe(z.array(z.enum(EMS_OPERATIONS)))
      .optional(),
  ),
});

/** Standalone defaults (the library defaults differ: port 0). */
export const SIMULATOR_ENV_DEFAULTS = { port: 4010, host: '127.0.0.1' } as const;

/**
 * Reads the standalone simulator's settings from `env`.
 * @throws Error whose message lists every invalid variable.
 */
export function loadSimulatorEnv(env: Record<string, string | undefined>): Required<Pick<SimulatorOptions, 'port' | 'host'>> & SimulatorOptions {
  const parsed = SimulatorEnv.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => {
      const name = String(i.path[0] ?? '?');
      return `  - ${name}=${JSON.stringify(env[name] ?? '')}: ${i.message}`;
    });
    throw new Error(`Invalid EMS simulator configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const faults: NonNullable<SimulatorOptions['faults']> = {};
  if (e.SIM_LATENCY_MS !== undefined) faults.latencyMs = e.SIM_LATENCY_MS;
  if (e.SIM_ERROR_RATE !== undefined) faults.errorRate = e.SIM_ERROR_RATE;
  if (e.SIM_RATE_LIMIT_RATE !== undefined) faults.rateLimitRate = e.SIM_RATE_LIMIT_RATE;
  if (e.SIM_RETRY_AFTER_SECONDS !== undefined) faults.retryAfterSeconds = e.SIM_RETRY_AFTER_SECONDS;
  if (e.SIM_RESET_RATE !== undefined) faults.resetRate = e.SIM_RESET_RATE;
  if (e.SIM_MALFORMED_RATE !== undefined) faults.malformedRate = e.SIM_MALFORMED_RATE;
  if (e.SIM_JOB_FAILURE_RATE !== undefined) faults.jobFailureRate = e.SIM_JOB_FAILURE_RATE;
  if (e.SIM_CREATE_FAILURE_RATE !== undefined) faults.createFailureRate = e.SIM_CREATE_FAILURE_RATE;
  if (e.SIM_DELETE_FAILURE_RATE !== undefined) faults.deleteFailureRate = e.SIM_DELETE_FAILURE_RATE;
  if (e.SIM_FAULT_OPERATIONS !== undefined) faults.operations = e.SIM_FAULT_OPERATIONS as EmsOperation[];
  return {
    port: e.SIM_PORT ?? SIMULATOR_ENV_DEFAULTS.port,
    host: e.SIM_HOST ?? SIMULATOR_ENV_DEFAULTS.host,
    ...(e.SIM_CLOCK_SPEED !== undefined ? { clockSpeed: e.SIM_CLOCK_SPEED } : {}),
    ...(e.SIM_SEED !== undefined ? { seed: e.SIM_SEED } : {}),
    ...(e.SIM_CLUSTER_COUNT !== undefined ? { clusterCount: e.SIM_CLUSTER_COUNT } : {}),
    faults,
  };
}
