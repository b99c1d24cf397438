import { EMS_OPERATIONS, type EmsOperation } from '../ems/models/operations.js';
import type { SimulatorStats, SimulatorStatsLogEntry } from './types.js';

/** Oldest log entries are dropped beyond this many, so a long-running simulator stays bounded. */
export const STATS_LOG_MAX = 100_000;

function zeroes(): Record<EmsOperation, number> {
  return Object.fromEntries(EMS_OPERATIONS.map((op) => [op, 0])) as Record<EmsOperation, number>;
}

/**
 * Call counters. A request counts once it is routed to an operation, before authentication and
 * faults, and stays in flight until its response is written (or its socket destroyed).
 * `reset()` clears in place, so references to `calls`, `maxInFlight` and `log` stay valid.
 */
export class StatsRecorder implements SimulatorStats {
  readonly calls = zeroes();
  readonly maxInFlight = zeroes();
  readonly log: SimulatorStatsLogEntry[] = [];
  private readonly inFlight = zeroes();

  /** Records the start of a call; the returned function records its end (idempotent). */
  begin(operation: EmsOperation, method: string, path: string): () => void {
    this.calls[operation] += 1;
    this.inFlight[operation] += 1;
    if (this.inFlight[operation] > this.maxInFlight[operation]) this.maxInFlight[operation] = this.inFlight[operation];
    this.log.push({ operation, method, path, at: Date.now() });
    if (this.log.length > STATS_LOG_MAX) this.log.splice(0, this.log.length - STATS_LOG_MAX);
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.inFlight[operation] -= 1;
    };
  }

  count = (op?: EmsOperation): number =>
    op === undefined ? EMS_OPERATIONS.reduce((sum, o) => sum + this.calls[o], 0) : this.calls[op];

  /** Zeroes the counters and the log; maxInFlight restarts from the requests still in flight. */
  reset = (): void => {
    for (const op of EMS_OPERATIONS) {
      this.calls[op] = 0;
      this.maxInFlight[op] = this.inFlight[op];
    }
    this.log.length = 0;
  };
}
