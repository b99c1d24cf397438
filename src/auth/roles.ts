/**
 * Caller roles. Each role includes the ones before it:
 * - `viewer`: queries (except credentials) and subscriptions;
 * - `operator`: also the cluster mutations and cancelJobs;
 * - `admin`: also credentials (the `credentials` query and `createCredential`).
 */
export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** The roles a caller holds given the roles it was granted (a role grants every lower one). */
export function effectiveRoles(granted: Iterable<string>): ReadonlySet<Role> {
  let top = -1;
  for (const role of granted) top = Math.max(top, ROLES.indexOf(role as Role));
  return new Set(ROLES.slice(0, top + 1));
}

/** Who is calling, as authenticated by the gateway (or, in token pass-through, by EMS). */
export interface Caller {
  /**
   * Stable identity for rate limits, audit and logs: `jwt:<sub>`, `apikey:<name>`, `token:<hash>`
   * (the EMS token's non-reversible scope) or `anonymous:<address>`.
   */
  id: string;
  /** How the caller was identified. */
  kind: 'jwt' | 'apikey' | 'token' | 'anonymous';
  roles: ReadonlySet<Role>;
}

/** Every role: callers the gateway does not authenticate itself (EMS decides what they may do). */
export const ALL_ROLES: ReadonlySet<Role> = new Set(ROLES);
