import { DOCUMENTED_DEVIATIONS, type Deviation } from './reader.js';

type LogFn = (obj: object, msg: string) => void;

/** The part of a pino logger the reporter uses. */
export interface DeviationLogger {
  debug: LogFn;
  warn: LogFn;
}

export interface DeviationReporterOptions {
  logger: DeviationLogger;
  /** Counts every deviation (the `ems_response_deviations_total` metric). */
  count: (deviation: Deviation) => void;
  /** At most one log line per (operation, field, kind) in this window. @default 60_000 */
  intervalMs?: number;
}

/**
 * What the EMS client calls for every tolerated deviation (`onDeviation`): counts it, and logs it
 * at most once per (operation, field, kind) and `intervalMs`, with the EMS request id of the
 * response that showed it and how often it was seen since the previous line. Deviations the EMS
 * reference prescribes (`""` for a time not yet reached) are logged at debug level, the others
 * at warn: they mean EMS sends something the reference does not describe.
 */
export function createDeviationReporter(options: DeviationReporterOptions): (deviation: Deviation) => void {
  const intervalMs = options.intervalMs ?? 60_000;
  /** Per key: when the last line was logged, and occurrences since then that were not logged. */
  const seen = new Map<string, { loggedAt: number; suppressed: number }>();
  return (deviation) => {
    options.count(deviation);
    const key = `${deviation.operation}\0${deviation.field}\0${deviation.kind}`;
    const now = Date.now();
    const last = seen.get(key);
    if (last && now - last.loggedAt < intervalMs) {
      last.suppressed += deviation.count;
      return;
    }
    seen.set(key, { loggedAt: now, suppressed: 0 });
    const level = DOCUMENTED_DEVIATIONS.has(deviation.kind) ? 'debug' : 'warn';
    options.logger[level](
      {
        operation: deviation.operation,
        field: deviation.field,
        kind: deviation.kind,
        count: deviation.count,
        requestId: deviation.requestId,
        ...(last ? { since: new Date(last.loggedAt).toISOString(), notLogged: last.suppressed } : {}),
      },
      'EMS response deviates from what the gateway reads strictly; tolerated',
    );
  };
}
