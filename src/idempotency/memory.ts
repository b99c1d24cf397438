import {
  DEFAULT_TTL_MS,
  IdempotencyInProgressError,
  type IdempotencyBegin,
  type IdempotencyStore,
  type IdempotencyStoreOptions,
} from './store.js';

interface Entry {
  fingerprint: string;
  state: 'pending' | 'done';
  /** JSON of the result, once done (stored serialized, as Redis would, so callers share nothing). */
  result?: string;
  expiresAt: number;
  /** Resolves when the pending claim completes or fails. */
  settled: Promise<void>;
  settle: () => void;
}

/** In-process store: a Map with TTL. Concurrent duplicates await the first claim's promise. */
export class MemoryIdempotencyStore implements IdempotencyStore {
  private readonly entries = new Map<string, Entry>();
  private readonly ttlMs: number;
  private readonly waitTimeoutMs: number;
  private lastSweep = 0;

  constructor(options: IdempotencyStoreOptions = {}) {
    this.ttlMs = options.ttlMs ?? DEFAULT_TTL_MS;
    this.waitTimeoutMs = options.waitTimeoutMs ?? 30_000;
  }

  async begin<T>(key: string, fingerprint: string): Promise<IdempotencyBegin<T>> {
    const started = Date.now();
    for (;;) {
      this.sweep();
      const entry = this.live(key);
      if (!entry) return { kind: 'claimed', claim: this.claim<T>(key, fingerprint) };
      if (entry.fingerprint !== fingerprint) return { kind: 'mismatch' };
      if (entry.state === 'done') return { kind: 'replay', result: JSON.parse(entry.result!) as T };
      const left = this.waitTimeoutMs - (Date.now() - started);
      if (left <= 0 || !(await settledWithin(entry.settled, left))) {
        throw new IdempotencyInProgressError(Date.now() - started);
      }
    }
  }

  async close(): Promise<void> {
    for (const entry of this.entries.values()) entry.settle();
    this.entries.clear();
  }

  private claim<T>(key: string, fingerprint: string) {
    let settle!: () => void;
    const settled = new Promise<void>((resolve) => (settle = resolve));
    const entry: Entry = { fingerprint, state: 'pending', expiresAt: Date.now() + this.ttlMs, settled, settle };
    this.entries.set(key, entry);
    return {
      complete: async (result: T) => {
        if (this.entries.get(key) === entry) {
          entry.state = 'done';
          entry.result = JSON.stringify(result);
          entry.expiresAt = Date.now() + this.ttlMs;
        }
        settle();
      },
      fail: async () => {
        if (this.entries.get(key) === entry) this.entries.delete(key);
        settle();
      },
    };
  }

  private live(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt <= Date.now()) {
      this.entries.delete(key);
      entry.settle();
      return undefined;
    }
    return entry;
  }

  /** Drops expired records, at most once a second (no timer, so nothing keeps the process alive). */
  private sweep(): void {
    const now = Date.now();
    if (now - this.lastSweep < 1_000) return;
    this.lastSweep = now;
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt <= now) {
        this.entries.delete(key);
        entry.settle();
      }
    }
  }
}

/** Whether `promise` settles within `ms` (the timer is cleared either way). */
async function settledWithin(promise: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
