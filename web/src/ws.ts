/**
 * What the dashboard and the GraphiQL page share about the gateway's graphql-ws endpoint: its URL,
 * and which close codes end a connection for good (retrying cannot help).
 */

/** The gateway closes with 4403 when the token is missing or refused. */
export const CLOSE_FORBIDDEN = 4403;

/** `ws://` or `wss://` URL of a GraphQL endpoint given relative to this page. */
export function webSocketUrl(endpoint: string): string {
  const url = new URL(endpoint, location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}

/** The close code of a graphql-ws failure (a CloseEvent), or null for any other failure. */
export function closeCode(error: unknown): number | null {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'number' ? error.code : null;
}

/**
 * graphql-ws `shouldRetry`: not after 4403 (the same token will be refused again) nor after the
 * protocol's other 44xx refusals; a dropped connection or a restarting gateway (1001, 1006, 1013) is
 * retried with graphql-ws's back-off.
 */
export function shouldRetry(error: unknown): boolean {
  const code = closeCode(error);
  return code === null || code < 4400 || code >= 4500;
}

export const TOKEN_REFUSED_MESSAGE = 'The gateway refused the token (WebSocket closed 4403): it is missing, mistyped or expired.';
