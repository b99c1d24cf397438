import { gatewayError } from '../errors.js';
import type { EmsApi } from './api.js';

/**
 * The EMS operations of `api`, counted: past `max` calls, every further call rejects before it is
 * sent. One budget serves one GraphQL request (or one subscription event), so a request cannot
 * fan out into thousands of EMS calls, e.g. by aliasing a root field, and starve other callers of
 * the shared connection pool and of the caller's own EMS rate limit.
 */
export function withCallBudget(api: EmsApi, max: number, shared: CallBudget = { used: 0 }): EmsApi {
  const budgeted = {} as Record<keyof EmsApi, unknown>;
  counters.set(budgeted, () => Math.min(shared.used, max));
  const counted = budgeted;
  for (const name of Object.keys(api) as (keyof EmsApi)[]) {
    const call = api[name] as (...args: unknown[]) => Promise<unknown>;
    counted[name] = (...args: unknown[]) => {
      shared.used += 1;
      if (shared.used > max) {
        return Promise.reject(
          gatewayError(`This request needs more than ${max} EMS calls (MAX_UPSTREAM_CALLS); ask for fewer fields or items`, 'UPSTREAM_CALL_BUDGET_EXCEEDED'),
        );
      }
      return call(...args);
    };
  }
  return counted as EmsApi;
}

/** Calls counted so far; one object shared by the APIs of every region a request reaches, so they spend one budget. */
export interface CallBudget {
  used: number;
}

const counters = new WeakMap<object, () => number>();

/** EMS calls sent so far through a budgeted API (calls refused by the budget are not counted). */
export function callsMade(api: EmsApi): number {
  return counters.get(api)?.() ?? 0;
}
