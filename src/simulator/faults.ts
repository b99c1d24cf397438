import { EMS_OPERATIONS, type EmsOperation } from '../ems/models/operations.js';
import { apigwErrors, type SimHttpError } from './errors.js';
import { planFailure, type JobKind, type JobRecord } from './jobs.js';
import { Prng } from './prng.js';
import type { SimulatorFaults } from './types.js';

export const DEFAULT_FAULTS: Readonly<SimulatorFaults> = Object.freeze({
  latencyMs: 0,
  errorRate: 0,
  rateLimitRate: 0,
  retryAfterSeconds: 1,
  resetRate: 0,
  malformedRate: 0,
  operations: null,
  jobFailureRate: 0,
  createFailureRate: 0,
  deleteFailureRate: 0,
});

const RATE_KEYS = [
  'errorRate',
  'rateLimitRate',
  'resetRate',
  'malformedRate',
  'jobFailureRate',
  'createFailureRate',
  'deleteFailureRate',
] as const;

/**
 * `base` with `patch` applied.
 * @throws RangeError naming every bad value (rates outside 0..1, negative latency or Retry-After,
 *   unknown operation names or keys).
 */
export function mergeFaults(base: Readonly<SimulatorFaults>, patch: Partial<SimulatorFaults>): SimulatorFaults {
  const problems: string[] = [];
  const known = new Set(Object.keys(DEFAULT_FAULTS));
  for (const key of Object.keys(patch)) if (!known.has(key)) problems.push(`unknown fault "${key}"`);
  for (const key of RATE_KEYS) {
    const v = patch[key];
    if (v !== undefined && !(typeof v === 'number' && v >= 0 && v <= 1)) problems.push(`${key} must be a number in 0..1, got ${String(v)}`);
  }
  for (const key of ['latencyMs', 'retryAfterSeconds'] as const) {
    const v = patch[key];
    if (v !== undefined && !(typeof v === 'number' && Number.isFinite(v) && v >= 0)) problems.push(`${key} must be a finite number >= 0, got ${String(v)}`);
  }
  if (patch.operations !== undefined && patch.operations !== null) {
    if (!Array.isArray(patch.operations)) problems.push('operations must be an array of operation names or null');
    else {
      const ops = new Set<string>(EMS_OPERATIONS);
      for (const op of patch.operations) if (!ops.has(op)) problems.push(`operations: unknown operation "${String(op)}"`);
    }
  }
  if (problems.length > 0) throw new RangeError(`Invalid simulator faults: ${problems.join('; ')}`);
  const merged: SimulatorFaults = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    if (value !== undefined) (merged as unknown as Record<string, unknown>)[key] = Array.isArray(value) ? [...value] : value;
  }
  return merged;
}

export type TransportFault = 'reset' | SimHttpError | null;

/**
 * Samples faults with seeded PRNG streams (`faults` for HTTP faults, `jobs` for job failures), so
 * a given seed and request sequence always meets the same faults.
 */
export class FaultInjector {
  private faults: SimulatorFaults;
  private readonly rng: Prng;
  private readonly jobRng: Prng;

  constructor(seed: number, initial: Partial<SimulatorFaults> = {}) {
    this.faults = mergeFaults(DEFAULT_FAULTS, initial);
    this.rng = new Prng(seed, 'faults');
    this.jobRng = new Prng(seed, 'jobs');
  }

  get current(): Readonly<SimulatorFaults> {
    return this.faults;
  }

  set(patch: Partial<SimulatorFaults>): void {
    this.faults = mergeFaults(this.faults, patch);
  }

  reset(): void {
    this.faults = { ...DEFAULT_FAULTS };
  }

  private applies(op: EmsOperation): boolean {
    return this.faults.operations === null || this.faults.operations.includes(op);
  }

  latencyFor(op: EmsOperation): number {
    return this.applies(op) ? this.faults.latencyMs : 0;
  }

  /** One draw decides between a reset, a 503, a 429 and nothing. */
  transport(op: EmsOperation): TransportFault {
    if (!this.applies(op)) return null;
    const { resetRate, errorRate, rateLimitRate } = this.faults;
    if (resetRate + errorRate + rateLimitRate <= 0) return null;
    const u = this.rng.next();
    if (u < resetRate) return 'reset';
    if (u < resetRate + errorRate) return apigwErrors.unavailable();
    if (u < resetRate + errorRate + rateLimitRate) return apigwErrors.throttled(this.faults.retryAfterSeconds);
    return null;
  }

  /** For a 2xx body: how to spoil it, if at all. */
  malformed(op: EmsOperation): 'truncate' | 'reshape' | null {
    if (!this.applies(op) || !this.rng.chance(this.faults.malformedRate)) return null;
    return this.rng.next() < 0.5 ? 'truncate' : 'reshape';
  }

  createFails(): boolean {
    return this.rng.chance(this.faults.createFailureRate);
  }

  deleteFails(): boolean {
    return this.rng.chance(this.faults.deleteFailureRate);
  }

  /** The planned failure of a newly submitted job, or null. */
  jobFailure(kind: JobKind): JobRecord['failure'] {
    return this.jobRng.chance(this.faults.jobFailureRate) ? planFailure(kind, this.jobRng) : null;
  }
}
