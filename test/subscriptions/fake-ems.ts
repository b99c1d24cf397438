import type { EmsApi } from '../../src/ems/api.js';
import { EmsBadResponseError, EmsHttpError } from '../../src/ems/errors.js';
import type { ClusterRecord, JobRecord } from '../../src/ems/read/index.js';

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

  /** An EmsApi whose calls are logged under `label`; only showJob and showCluster work. */
  api(label = 'default'): EmsApi {
    const call = async <T>(op: 'ShowJob' | 'ShowCluster', id: string, get: () => T | undefined): Promise<T> => {
      if (this.frozen.has(label)) return new Promise<T>(() => {});
      this.calls.push({ label, op, id, at: Date.now() });
      await new Promise((r) => setImmediate(r));
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

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `check` until it returns true, or fails after `timeoutMs`. */
export async function until(check: () => boolean, timeoutMs = 5_000, what = 'condition'): Promise<void> {
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
