import { Client, cacheExchange, fetchExchange, subscriptionExchange } from '@urql/core';
import { createClient as createWsClient } from 'graphql-ws';
import type { Credentials } from './token';
import { CLOSE_FORBIDDEN, closeCode, shouldRetry, webSocketUrl } from './ws';

/** The gateway's GraphQL endpoint: the dashboard speaks only to the gateway that serves it. */
export const GRAPHQL_ENDPOINT = '/graphql';

export interface Connection {
  client: Client;
  /** Closes the WebSocket and ends every subscription. */
  dispose(): void;
}

/**
 * An urql client for one set of credentials: queries and mutations over HTTP (`X-Auth-Token`,
 * `Authorization: Bearer`), subscriptions over graphql-ws (`authToken`, `authorization` in
 * `connection_init`). `onTokenRefused` is called when the gateway closes the WebSocket with 4403;
 * that connection is not retried.
 */
export function connect(credentials: Credentials, onTokenRefused: () => void): Connection {
  const headers: Record<string, string> = {};
  const connectionParams: Record<string, string> = {};
  if (credentials.emsToken) headers['x-auth-token'] = connectionParams.authToken = credentials.emsToken;
  if (credentials.gatewayKey) headers.authorization = connectionParams.authorization = `Bearer ${credentials.gatewayKey}`;
  const ws = createWsClient({
    url: webSocketUrl(GRAPHQL_ENDPOINT),
    connectionParams,
    shouldRetry,
    retryAttempts: 10,
    on: {
      closed: (event) => {
        if (closeCode(event) === CLOSE_FORBIDDEN) onTokenRefused();
      },
    },
  });
  const client = new Client({
    url: GRAPHQL_ENDPOINT,
    preferGetMethod: false,
    fetchOptions: () => ({ headers }),
    exchanges: [
      cacheExchange,
      fetchExchange,
      subscriptionExchange({
        forwardSubscription: (request) => ({
          subscribe: (sink) => ({ unsubscribe: ws.subscribe({ ...request, query: request.query ?? '' }, sink) }),
        }),
      }),
    ],
  });
  return { client, dispose: () => void ws.dispose() };
}
