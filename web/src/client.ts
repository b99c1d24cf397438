import { Client, cacheExchange, fetchExchange, subscriptionExchange } from '@urql/core';
import { createClient as createWsClient } from 'graphql-ws';
import { CLOSE_FORBIDDEN, closeCode, shouldRetry, webSocketUrl } from './ws';

/** The gateway's GraphQL endpoint: the dashboard speaks only to the gateway that serves it. */
export const GRAPHQL_ENDPOINT = '/graphql';

export interface Connection {
  client: Client;
  /** Closes the WebSocket and ends every subscription. */
  dispose(): void;
}

/**
 * An urql client for one token: queries and mutations over HTTP (`X-Auth-Token`), subscriptions over
 * graphql-ws (`authToken` in `connection_init`). `onTokenRefused` is called when the gateway closes
 * the WebSocket with 4403; that connection is not retried.
 */
export function connect(token: string, onTokenRefused: () => void): Connection {
  const ws = createWsClient({
    url: webSocketUrl(GRAPHQL_ENDPOINT),
    connectionParams: { authToken: token },
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
    fetchOptions: () => ({ headers: { 'x-auth-token': token } }),
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
