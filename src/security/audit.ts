import { pino, type Logger } from 'pino';

/** One mutation attempt, as the audit log records it. */
export interface AuditEntry {
  /** Caller identity (`apikey:ci-bot`, `jwt:<sub>`, `token:<hash>`, `anonymous:<address>`). */
  caller: string;
  roles: string[];
  address: string;
  /** The gateway's request id (X-Request-Id, or generated). */
  requestId: string;
  mutation: string;
  /** The input, secrets removed (see redactInput). */
  input: unknown;
  /** `OK`, a union member's code (FORBIDDEN, VALIDATION_FAILED, …) or a GraphQL error's code. */
  result: string;
  /** X-Request-Id of the EMS write, when one was sent. */
  emsRequestId: string | null;
  idempotencyKey: string | null;
  replayed?: boolean;
}

export interface AuditLog {
  record(entry: AuditEntry): void;
  close(): Promise<void>;
}

/**
 * The audit log: one JSON line per mutation attempt, on its own pino destination (AUDIT_LOG:
 * `stdout`, `stderr`, a file path, or `off`), apart from the operational log and its level.
 */
export function createAuditLog(destination: string | null): AuditLog {
  if (destination === null) return { record: () => undefined, close: async () => undefined };
  const dest =
    destination === 'stdout'
      ? pino.destination({ dest: 1, sync: true })
      : destination === 'stderr'
        ? pino.destination({ dest: 2, sync: true })
        : pino.destination({ dest: destination, sync: true, mkdir: true, append: true });
  const logger: Logger = pino({ level: 'info', base: { log: 'audit', service: 'ems-gateway' }, messageKey: 'event' }, dest);
  return {
    record(entry) {
      logger.info(entry, 'mutation');
    },
    async close() {
      if (destination !== 'stdout' && destination !== 'stderr') dest.end();
    },
  };
}
