import type { Caller } from '../auth/roles.js';
import { ErrorCap } from './error-cap.js';

/** What the security layer knows about one request (or one WebSocket operation). */
export interface RequestSecurity {
  caller: Caller;
  /** The caller's network address. */
  address: string;
  /** Field errors so far; past MAX_ERRORS the execution is stopped. */
  errors: number;
  /** Stops the execution (too many errors): the executor's signal. */
  cap: ErrorCap;
  /** EMS calls estimated before execution (null until estimated). */
  estimatedCost: number | null;
}

/** A caller nobody authenticated: holds no role, so every field is refused. */
const NOBODY: Caller = { id: 'unauthenticated', kind: 'anonymous', roles: new Set() };

/** Callers of HTTP requests, set when the request is authenticated (before it is parsed). */
const requestCallers = new WeakMap<Request, { caller: Caller; address: string }>();

export function rememberCaller(request: Request, caller: Caller, address: string): void {
  requestCallers.set(request, { caller, address });
}

/** The security state of a new context: from the HTTP request, or from the WebSocket connection. */
export function requestSecurity(initial: { request?: Request; caller?: Caller; address?: string }): RequestSecurity {
  const known = initial.caller ? { caller: initial.caller, address: initial.address ?? 'unknown' } : initial.request && requestCallers.get(initial.request);
  return {
    caller: known?.caller ?? NOBODY,
    address: known?.address ?? 'unknown',
    errors: 0,
    cap: new ErrorCap(),
    estimatedCost: null,
  };
}
