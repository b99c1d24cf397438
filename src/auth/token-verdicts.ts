import { LRUCache } from 'lru-cache';
import type { EmsApi, EmsAuth } from '../ems/api.js';
import type { EmsClient } from '../ems/client.js';
import { EmsHttpError, isEmsError } from '../ems/errors.js';

/**
 * What EMS said about a pass-through token: `valid` (it answered a call made with it), `refused`
 * (401), or `unknown` (not used yet, or the verdict expired).
 */
export type TokenVerdict = 'valid' | 'refused' | 'unknown';

export interface TokenVerdicts {
  /** The verdict on the token whose scope (see `scopeOf`) is `scope`. */
  get(scope: string): TokenVerdict;
  /**
   * graphql-ws `connection_init`: checks a token with one cheap call (ListReleases, limit 1) unless
   * a verdict is cached. `unavailable` when EMS could not be asked.
   */
  check(auth: EmsAuth & { kind: 'token' }, scope: string): Promise<'valid' | 'refused' | 'unavailable'>;
  /**
   * The client, with every token-bound API gated: a refused token fails at once without a call,
   * and while a token is unknown its first call goes alone, the others wait for its verdict. So a
   * bogus token costs one upstream call, however many calls its request (or its retries) would make.
   */
  gate(client: EmsClient, scopeOf: (auth: EmsAuth) => string): EmsClient;
}

export interface TokenVerdictOptions {
  /** How long a verdict holds. @default 60_000 */
  ttlMs?: number;
  /** Verdicts kept of each kind. @default 10_000 */
  max?: number;
  /** Called when EMS refuses a token (first time within the TTL). */
  onRefused?: (scope: string) => void;
}

/** A refused token's error: EMS's 401, replayed without a call. */
function refusedError(operation: string): EmsHttpError {
  return new EmsHttpError({
    operation,
    status: 401,
    upstreamCode: null,
    upstreamMessage: 'EMS refused this token a moment ago; send a valid IAM token in X-Auth-Token',
    sent: false,
  });
}

/** Whether an EMS failure proves the token was accepted (EMS authenticated it, then answered). */
const provesValid = (error: unknown) => error instanceof EmsHttpError && error.status !== 401 && (error.status ?? 500) < 500 && !error.upstreamCode?.startsWith('APIGW.');
const provesRefused = (error: unknown) => isEmsError(error) && error.code === 'UNAUTHENTICATED';

export function createTokenVerdicts(options: TokenVerdictOptions = {}): TokenVerdicts {
  const ttl = options.ttlMs ?? 60_000;
  const max = options.max ?? 10_000;
  const valid = new LRUCache<string, true>({ max, ttl });
  const refused = new LRUCache<string, true>({ max, ttl });
  /** The first call of each unknown token, which the token's other calls wait for. */
  const firstCalls = new Map<string, Promise<unknown>>();

  const markValid = (scope: string) => {
    refused.delete(scope);
    valid.set(scope, true);
  };
  const markRefused = (scope: string) => {
    valid.delete(scope);
    if (!refused.has(scope)) {
      refused.set(scope, true);
      options.onRefused?.(scope);
    }
  };
  const get = (scope: string): TokenVerdict => (valid.has(scope) ? 'valid' : refused.has(scope) ? 'refused' : 'unknown');

  function gateApi(api: EmsApi, scope: string): EmsApi {
    const gated = {} as Record<keyof EmsApi, unknown>;
    for (const name of Object.keys(api) as (keyof EmsApi)[]) {
      const call = api[name] as (...args: unknown[]) => Promise<unknown>;
      const run = (args: unknown[]): Promise<unknown> => {
        const verdict = get(scope);
        // Each accepted call renews the verdict, so a token in use stays known good.
        if (verdict === 'valid') {
          return call(...args).then((result) => {
            if (valid.has(scope)) valid.set(scope, true);
            return result;
          });
        }
        if (verdict === 'refused') return Promise.reject(refusedError(String(name)));
        const pending = firstCalls.get(scope);
        // Wait for the first call's verdict, then go (or fail) as it says.
        if (pending) return pending.then(() => run(args), () => (get(scope) === 'unknown' ? call(...args) : run(args)));
        const first = call(...args).then(
          (result) => {
            markValid(scope);
            return result;
          },
          (error: unknown) => {
            if (provesRefused(error)) markRefused(scope);
            else if (provesValid(error)) markValid(scope);
            throw error;
          },
        );
        firstCalls.set(scope, first);
        void first.finally(() => firstCalls.delete(scope)).catch(() => undefined);
        return first;
      };
      gated[name] = (...args: unknown[]) => run(args);
    }
    return gated as EmsApi;
  }

  const gatedApis = new WeakMap<EmsApi, EmsApi>();
  let gatedClient: EmsClient | null = null;

  return {
    get,
    gate(client, scopeOf) {
      gatedClient = {
        forAuth(auth) {
          const api = client.forAuth(auth);
          if (auth.kind !== 'token') return api;
          // The client reuses bound APIs per credentials; so do we.
          let gated = gatedApis.get(api);
          if (!gated) {
            gated = gateApi(api, scopeOf(auth));
            gatedApis.set(api, gated);
          }
          return gated;
        },
        ping: (auth, opts) => client.ping(auth, opts),
        close: () => client.close(),
      };
      return gatedClient;
    },
    async check(auth, scope) {
      const verdict = get(scope);
      if (verdict !== 'unknown') return verdict;
      if (!gatedClient) throw new Error('TokenVerdicts.check needs gate() first');
      try {
        await gatedClient.forAuth(auth).listReleases({ limit: 1 }, { signal: AbortSignal.timeout(5_000) });
        return 'valid';
      } catch (error) {
        const code = isEmsError(error) ? error.code : null;
        return code === 'UNAUTHENTICATED' || code === 'FORBIDDEN' || code === 'BAD_REQUEST' ? 'refused' : 'unavailable';
      }
    },
  };
}
