import type { EmsApi, EmsAuth } from '../../src/ems/api.js';
import { EmsBadResponseError, EmsHttpError } from '../../src/ems/errors.js';
import type { ClusterRecord, JobRecord } from '../../src/ems/read/index.js';
import type { Coordinator, LiveCaller, StoredState } from '../../src/subscriptions/index.js';

const source = { operation: 'fake', requestId: 'req-fake' };

/**
 * An in-memory EMS for hub unit tests: jobs and clusters the test edits, one call log shared by every
 * EmsApi it hands out, and failures to inject.
 */
export class FakeEms {
  readonly jobs = new Map<string, JobRecord>();
  readonly clusters = new Map<string, ClusterRecord>();
  /** Every showJob/showCluster call: which client (label) asked for what, when. */
  readonly calls: { label: string; op: 'ShowJob' | 'ShowCluster'; id: string; at: number }[] = [];
  /** Failures returned by the next calls, in order. */
  readonly failures: Error[] = [];
  /** Labels whose calls never settle (a dead replica). */
  readonly frozen = new Set<string>();
  /** Ids a label's credentials cannot see (404). */
  readonly hiddenFrom = new Map<string, Set<string>>();

  job(id: string, patch: Partial<JobRecord> = {}): JobRecord {
    const base: JobRecord = {
      id,
      type: 'short',
      clusterId: null,
      name: 'create_cluster',
      status: 'RUNNING',
      statusText: 'RUNNING',
      progress: 0,
      message: null,
      createdAt: null,
      beginAt: null,
      endAt: null,
      tasks: [],
      source,
    };
    const job: JobRecord = { ...base, ...this.jobs.get(id), ...patch };
    if (patch.status && !patch.statusText) job.statusText = patch.status;
    this.jobs.set(id, job);
    return job;
  }

  cluster(id: string, status: ClusterRecord['status']): ClusterRecord {
    const cluster: ClusterRecord = {
      id,
      name: 'ems-test',
      description: null,
      status,
      statusText: status,
      reason: 'Available',
      projectId: null,
      createdAt: null,
      updatedAt: null,
      k8sName: null,
      availableNodeCount: null,
      chargeMode: null,
      k8s: {
        k8sClusterId: '11111111-2222-3333-4444-555555555555',
        namespace: null,
        label: null,
        nodeCount: null,
        flavor: null,
        version: null,
        ltsEnabled: null,
        ltsConnectType: null,
        monitorEnabled: null,
        nodeType: null,
      },
      memory: null,
      source,
    };
    this.clusters.set(id, cluster);
    return cluster;
  }

  count(id?: string, label?: string): number {
    return this.calls.filter((c) => (id === undefined || c.id === id) && (label === undefined || c.label === label)).length;
  }

  /** The hub's `upstream` option: a token's calls are logged under the token as label. */
  readonly upstream = (auth: EmsAuth): EmsApi => this.api(auth.kind === 'token' ? auth.token : 'default');

  /** An EmsApi whose calls are logged under `label`; only showJob and showCluster work. */
  api(label = 'default'): EmsApi {
    const call = async <T>(op: 'ShowJob' | 'ShowCluster', id: string, get: () => T | undefined): Promise<T> => {
      if (this.frozen.has(label)) return new Promise<T>(() => {});
      this.calls.push({ label, op, id, at: Date.now() });
      // Answers asynchronously, without a timer: fake clocks see the answer at the time of the call.
      await Promise.resolve();
      const failure = this.failures.shift();
      if (failure) throw failure;
      const found = this.hiddenFrom.get(label)?.has(id) ? undefined : get();
      if (found === undefined) {
        throw new EmsHttpError({
          operation: op,
          status: 404,
          upstreamCode: op === 'ShowCluster' ? 'ems.00030005' : 'ems.00040004',
          upstreamMessage: `not found: [${id}]`,
          requestId: 'req-404',
        });
      }
      return structuredClone(found);
    };
    const unsupported = () => Promise.reject(new Error('not supported by FakeEms'));
    return new Proxy({} as EmsApi, {
      get: (_target, name) => {
        if (name === 'showJob') return (id: string) => call('ShowJob', id, () => this.jobs.get(id));
        if (name === 'showCluster') return (id: string) => call('ShowCluster', id, () => this.clusters.get(id));
        return unsupported;
      },
    });
  }
}

export const badResponse = () => new EmsBadResponseError('EMS ShowJob returned a body the gateway cannot read', { operation: 'ShowJob', status: 200, requestId: 'req-bad' });
export const rateLimited = (retryAfter: number | null) =>
  new EmsHttpError({ operation: 'ShowJob', status: 429, upstreamCode: 'APIGW.0308', upstreamMessage: 'too many requests', retryAfter });
export const unavailable = () => new EmsHttpError({ operation: 'ShowJob', status: 503, upstreamCode: 'APIGW.0201', upstreamMessage: 'unavailable' });
export const unauthenticated = () =>
  new EmsHttpError({ operation: 'ShowJob', status: 401, upstreamCode: 'common.01010018', upstreamMessage: 'Auth token failed' });

/** A subscriber in `scope` whose polls FakeEms logs under `label` (see FakeEms.upstream). */
export const caller = (scope: string, label = 'default'): LiveCaller => ({ scope, auth: { kind: 'token', token: label } });

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `check` until it returns true, or fails after `timeoutMs`. */
export async function until(check: () => boolean, timeoutMs = 20_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(5);
  }
}

/** Consumes an async iterable in the background, recording values, completion and error. */
export function collect<T>(iterable: AsyncIterable<T>) {
  const out = {
    values: [] as T[],
    done: false,
    error: null as (Error & { code?: string }) | null,
    iterator: iterable[Symbol.asyncIterator](),
    finished: null as unknown as Promise<void>,
  };
  out.finished = (async () => {
    try {
      for (;;) {
        const r = await out.iterator.next();
        if (r.done) break;
        out.values.push(r.value);
      }
    } catch (e) {
      out.error = e as Error;
    } finally {
      out.done = true;
    }
  })();
  return out;
}

/**
 * What Redis is to replicas, in memory and on the (possibly fake) clock: poller locks with a TTL
 * and stored states, shared by the coordinators it hands out. A replica whose `frozen()` holds
 * gets no answer at all, like one that died.
 */
export class SharedLocks {
  readonly locks = new Map<string, { owner: string; expiresAt: number }>();
  readonly states = new Map<string, { state: StoredState; expiresAt: number }>();

  coordinator(owner: string, frozen: () => boolean = () => false): Coordinator {
    const answer = <T>(value: () => T): Promise<T> => (frozen() ? new Promise<T>(() => {}) : Promise.resolve().then(value));
    const held = (key: string) => {
      const lock = this.locks.get(key);
      return lock && lock.expiresAt > Date.now() ? lock : null;
    };
    return {
      shared: true,
      available: () => true,
      acquire: (key, ttlMs) =>
        answer(() => {
          if (held(key)) return false;
          this.locks.set(key, { owner, expiresAt: Date.now() + ttlMs });
          return true;
        }),
      renew: (key, ttlMs) =>
        answer(() => {
          const lock = held(key);
          if (lock?.owner !== owner) return false;
          lock.expiresAt = Date.now() + ttlMs;
          return true;
        }),
      release: (key) =>
        answer(() => {
          if (held(key)?.owner === owner) this.locks.delete(key);
        }),
      readState: (key) =>
        answer(() => {
          const stored = this.states.get(key);
          return stored && stored.expiresAt > Date.now() ? structuredClone(stored.state) : null;
        }),
      writeState: (key, state, ttlMs) =>
        answer(() => {
          this.states.set(key, { state: structuredClone(state), expiresAt: Date.now() + ttlMs });
        }),
    };
  }
}
