import { gatewayError } from '../errors.js';
import type { EmsApi } from './api.js';
import { isEmsError } from './errors.js';

/**
 * The EMS operations of `api`, counted: past `max` calls, every further call rejects before it is
 * sent. One budget serves one GraphQL request (or one subscription event), so a request cannot
 * fan out into thousands of EMS calls, e.g. by aliasing a root field, and starve other callers of
 * the shared connection pool and of the caller's own EMS rate limit.
 */
export function withCallBudget(api: EmsApi, max: number, shared: CallBudget = newCallBudget()): EmsApi {
  const budgeted = {} as Record<keyof EmsApi, unknown>;
  counters.set(budgeted, () => shared.admitted - shared.unsent);
  for (const name of Object.keys(api) as (keyof EmsApi)[]) {
    const call = api[name] as (...args: unknown[]) => Promise<unknown>;
    budgeted[name] = (...args: unknown[]) => {
      if (shared.admitted >= max) {
        return Promise.reject(
          gatewayError(`This request needs more than ${max} EMS calls (MAX_UPSTREAM_CALLS); ask for fewer fields or items`, 'UPSTREAM_CALL_BUDGET_EXCEEDED'),
        );
      }
      shared.admitted += 1;
      shared.running += 1;
      return call(...args).then(
        (value) => {
          shared.running -= 1;
          return value;
        },
        (error: unknown) => {
          shared.running -= 1;
          // Never sent: a token EMS refused a moment ago (held by the token gate, then failed), a
          // deadline already passed, a closed client. Still spent from the budget, not counted as made.
          if (isEmsError(error) && !error.sent) shared.unsent += 1;
          throw error;
        },
      );
    };
  }
  return budgeted as EmsApi;
}

/** One request's budget, shared by the APIs of every region it reaches, so they spend one budget. */
export interface CallBudget {
  /** Calls admitted by the budget. */
  admitted: number;
  /** Admitted calls that failed without being sent. */
  unsent: number;
  /** Admitted calls not finished yet. */
  running: number;
}

export function newCallBudget(): CallBudget {
  return { admitted: 0, unsent: 0, running: 0 };
}

const counters = new WeakMap<object, () => number>();

/**
 * EMS calls made so far through a budgeted API: those that went upstream (or are on their way).
 * Calls refused by the budget, and calls that failed without being sent, are not counted.
 */
export function callsMade(api: EmsApi): number {
  return counters.get(api)?.() ?? 0;
}
