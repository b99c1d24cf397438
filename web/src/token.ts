/**
 * What the dashboard signs in with, kept for this browser tab's session only (sessionStorage): gone
 * when the tab closes, never written anywhere else.
 * - `emsToken`: an EMS (IAM) token, sent as `X-Auth-Token` and passed through to EMS;
 * - `gatewayKey`: the gateway's own caller credential (an API key or a JWT, when it runs with
 *   GATEWAY_AUTH=apikey or jwt), sent as `Authorization: Bearer …`.
 */
export interface Credentials {
  emsToken: string | null;
  gatewayKey: string | null;
}

const KEYS = { emsToken: 'ems-gateway.token', gatewayKey: 'ems-gateway.gateway-key' } as const;

export function loadCredentials(): Credentials | null {
  try {
    const credentials = { emsToken: sessionStorage.getItem(KEYS.emsToken), gatewayKey: sessionStorage.getItem(KEYS.gatewayKey) };
    return credentials.emsToken || credentials.gatewayKey ? credentials : null;
  } catch {
    return null;
  }
}

export function saveCredentials(credentials: Credentials | null): void {
  try {
    for (const key of ['emsToken', 'gatewayKey'] as const) {
      const value = credentials?.[key];
      if (value) sessionStorage.setItem(KEYS[key], value);
      else sessionStorage.removeItem(KEYS[key]);
    }
  } catch {
    // Storage refused (private mode quotas): the credentials live in memory for this page only.
  }
}
