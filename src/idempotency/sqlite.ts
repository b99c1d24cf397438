import { randomUUID } from 'node:crypto';
import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import {
  DEFAULT_LEASE_MS,
  DEFAULT_TTL_MS,
  IdempotencyInProgressError,
  IdempotencyUnavailableError,
  startHeartbeat,
  type IdempotencyBegin,
  type IdempotencyClaim,
  type IdempotencyNote,
  type IdempotencyStore,
  type IdempotencyStoreOptions,
} from './store.js';

export interface SqliteIdempotencyStoreOptions extends IdempotencyStoreOptions {
  /** Database file (its directory is created), or `:memory:` for a store that dies with the process. */
  path: string;
}

interface Row {
  fingerprint: string;
  state: 'pending' | 'done';
  owner: string | null;
  lease_until: number;
  started_at: number;
  note: string | null;
  result: string | null;
  expires_at: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS idempotency_records (
  key          TEXT PRIMARY KEY,
  fingerprint  TEXT NOT NULL,
  state        TEXT NOT NULL CHECK (state IN ('pending', 'done')),
  owner        TEXT,
  lease_until  INTEGER NOT NULL DEFAULT 0,
  started_at   INTEGER NOT NULL,
  note         TEXT,
  result       TEXT,
  expires_at   INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS idempotency_records_expiry ON idempotency_records (expires_at);
`;

/**
 * The store of a gateway without Redis: one SQLite file (WAL, synchronous FULL), so a claim is on
 * disk before its write leaves for EMS, and a restart, even a crash, never turns a retry into a
 * second write. Several processes may share the file (SQLite locks it); a duplicate waiting for a
 * pending key polls the row. Owners renew their lease every third of `leaseMs`: the pending records
 * of a process that died are orphaned once their lease runs out.
 */
export class SqliteIdempotencyStore implements IdempotencyStore {
  private readonly db: Database.Database;
  private readonly ttlMs: number;
  private readonly waitTimeoutMs: number;
  private readonly leaseMs: number;
  private readonly onLeaseLost: IdempotencyStoreOptions['onLeaseLost'];
  private readonly heartbeats = new Set<() => void>();
  private readonly statements;
  private lastSweep = 0;
  private closed = false;

  /** @throws Error when the file cannot be created or opened (it names the path). */
  constructor(options: SqliteIdempotencyStoreOptions) {
    this.ttlMs = options.ttlMs ?? DEFAULT_TTL_MS;
    this.waitTimeoutMs = options.waitTimeoutMs ?? 30_000;
    this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    this.onLeaseLost = options.onLeaseLost;
    try {
      if (options.path !== ':memory:') makeDirectory(dirname(options.path));
      this.db = new Database(options.path, { timeout: 5_000 });
      if (options.path !== ':memory:') this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = FULL');
      this.db.exec(SCHEMA);
    } catch (error) {
      throw new Error(`Cannot open the idempotency store ${options.path}: ${error instanceof Error ? error.message : String(error)}`, {
        cause: error,
      });
    }
    const db = this.db;
    this.statements = {
      get: db.prepare<[string], Row>('SELECT * FROM idempotency_records WHERE key = ?'),
      dropExpired: db.prepare<[number]>('DELETE FROM idempotency_records WHERE expires_at <= ?'),
      dropKeyIfExpired: db.prepare<[string, number]>('DELETE FROM idempotency_records WHERE key = ? AND expires_at <= ?'),
      insert: db.prepare<[string, string, string, number, number, number]>(
        `INSERT INTO idempotency_records (key, fingerprint, state, owner, lease_until, started_at, expires_at)
         VALUES (?, ?, 'pending', ?, ?, ?, ?)`,
      ),
      takeOver: db.prepare<[string, number, string, string | null, number]>(
        `UPDATE idempotency_records SET owner = ?, lease_until = ?
         WHERE key = ? AND state = 'pending' AND owner IS ? AND lease_until <= ?`,
      ),
      renew: db.prepare<[number, string, string]>(`UPDATE idempotency_records SET lease_until = ? WHERE key = ? AND owner = ? AND state = 'pending'`),
      complete: db.prepare<[string, number, string, string]>(
        `UPDATE idempotency_records SET state = 'done', result = ?, owner = NULL, note = NULL, lease_until = 0, expires_at = ?
         WHERE key = ? AND owner = ? AND state = 'pending'`,
      ),
      release: db.prepare<[string, string]>(`DELETE FROM idempotency_records WHERE key = ? AND owner = ? AND state = 'pending'`),
      abandon: db.prepare<[string, string, string]>(
        `UPDATE idempotency_records SET owner = NULL, lease_until = 0, note = ? WHERE key = ? AND owner = ? AND state = 'pending'`,
      ),
    };
  }

  async begin<T>(key: string, fingerprint: string): Promise<IdempotencyBegin<T>> {
    const started = Date.now();
    let pollMs = 20;
    for (;;) {
      const step = this.step<T>(key, fingerprint);
      if (step !== 'wait') return step;
      const waited = Date.now() - started;
      if (waited >= this.waitTimeoutMs) throw new IdempotencyInProgressError(waited);
      await sleep(Math.min(pollMs, this.waitTimeoutMs - waited));
      pollMs = Math.min(pollMs * 1.5, 250);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const stop of this.heartbeats) stop();
    this.heartbeats.clear();
    this.db.close();
  }

  /** One look at the key, in a write transaction: claim it, take it over, or say what is there. */
  private step<T>(key: string, fingerprint: string): IdempotencyBegin<T> | 'wait' {
    if (this.closed) throw new IdempotencyUnavailableError(new Error('the idempotency store is closed'));
    try {
      return this.db
        .transaction((): IdempotencyBegin<T> | 'wait' => {
          const now = Date.now();
          this.sweep(now);
          this.statements.dropKeyIfExpired.run(key, now);
          const row = this.statements.get.get(key);
          const owner = randomUUID();
          if (!row) {
            this.statements.insert.run(key, fingerprint, owner, now + this.leaseMs, now, now + this.ttlMs);
            return { kind: 'claimed', claim: this.claim<T>(key, owner) };
          }
          if (row.fingerprint !== fingerprint) return { kind: 'mismatch' };
          if (row.state === 'done') return { kind: 'replay', result: JSON.parse(row.result!) as T };
          if (row.lease_until > now) return 'wait';
          if (this.statements.takeOver.run(owner, now + this.leaseMs, key, row.owner, now).changes !== 1) return 'wait';
          const note = row.note === null ? null : (JSON.parse(row.note) as IdempotencyNote);
          return { kind: 'orphaned', claim: this.claim<T>(key, owner), startedAt: row.started_at, note };
        })
        .immediate();
    } catch (error) {
      throw new IdempotencyUnavailableError(error);
    }
  }

  private claim<T>(key: string, owner: string): IdempotencyClaim<T> {
    const stop = startHeartbeat(
      key,
      this.leaseMs,
      () => !this.closed && this.statements.renew.run(Date.now() + this.leaseMs, key, owner).changes === 1,
      this.onLeaseLost,
    );
    this.heartbeats.add(stop);
    const settle = (run: () => void) => {
      stop();
      this.heartbeats.delete(stop);
      if (this.closed) throw new IdempotencyUnavailableError(new Error('the idempotency store is closed'));
      run();
    };
    return {
      complete: async (result: T) =>
        settle(() => this.statements.complete.run(JSON.stringify(result), Date.now() + this.ttlMs, key, owner)),
      fail: async () => settle(() => this.statements.release.run(key, owner)),
      abandon: async (note: IdempotencyNote) => settle(() => this.statements.abandon.run(JSON.stringify(note), key, owner)),
    };
  }

  /** Drops expired records, at most once a minute. */
  private sweep(now: number): void {
    if (now - this.lastSweep < 60_000) return;
    this.lastSweep = now;
    this.statements.dropExpired.run(now);
  }
}

/**
 * Creates `dir` and its missing parents, one mkdir each, and fails on the first that fails.
 * `mkdirSync(dir, { recursive: true })` loops forever where mkdir answers ENOENT under a parent
 * that exists (a path under /proc, Linux), so start-up would hang instead of failing.
 * @throws the failing mkdir's error (ENOENT, EACCES, ENOTDIR, ...), naming the path.
 */
export function makeDirectory(dir: string): void {
  const missing: string[] = [];
  for (let at = resolve(dir); ; at = dirname(at)) {
    try {
      if (!statSync(at).isDirectory()) throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${at}'`), { code: 'ENOTDIR' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || dirname(at) === at) throw error;
      missing.push(at);
    }
  }
  for (const at of missing.reverse()) {
    try {
      mkdirSync(at);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}
