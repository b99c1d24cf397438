import { openSync } from 'node:fs';
import { dirname } from 'node:path';
import { pino, type Logger } from 'pino';
import { makeDirectory } from '../idempotency/sqlite.js';

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

/** Start-up failure: the AUDIT_LOG file cannot be created or opened. `code` is the file system's (ENOENT, ENOTDIR, EACCES, ...). */
export class AuditLogError extends Error {
  constructor(
    message: string,
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AuditLogError';
  }
}

/**
 * Creates the audit file's missing directories (one mkdir each: Node's recursive mkdir loops
 * forever under /proc) and opens the file for appending, so that a path it cannot use stops
 * start-up at once instead of hanging or failing at the first mutation.
 * @throws AuditLogError naming AUDIT_LOG and the file system's code.
 */
function openAuditFile(path: string): number {
  try {
    makeDirectory(dirname(path));
    return openSync(path, 'a');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'AUDIT_LOG_UNUSABLE';
    throw new AuditLogError(`AUDIT_LOG ${JSON.stringify(path)} is not usable (${code}): ${(error as Error).message}; set AUDIT_LOG to a writable file, stdout, stderr or off`, code, { cause: error });
  }
}

/**
 * The audit log: one JSON line per mutation attempt, on its own pino destination (AUDIT_LOG:
 * `stdout`, `stderr`, a file path, or `off`), apart from the operational log and its level.
 * @throws AuditLogError when the file path cannot be created or opened.
 */
export function createAuditLog(destination: string | null): AuditLog {
  if (destination === null) return { record: () => undefined, close: async () => undefined };
  const dest =
    destination === 'stdout'
      ? pino.destination({ dest: 1, sync: true })
      : destination === 'stderr'
        ? pino.destination({ dest: 2, sync: true })
        : pino.destination({ dest: openAuditFile(destination), sync: true });
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
