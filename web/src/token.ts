/**
 * The EMS token, kept for this browser tab's session only (sessionStorage): it is gone when the tab
 * closes, and never written anywhere else.
 */
const KEY = 'ems-gateway.token';

export function loadToken(): string | null {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export function saveToken(token: string | null): void {
  try {
    if (token) sessionStorage.setItem(KEY, token);
    else sessionStorage.removeItem(KEY);
  } catch {
    // Storage refused (private mode quotas): the token lives in memory for this page only.
  }
}
