import { getOperationAST, parse, type DocumentNode, type FormattedExecutionResult } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import { CLOSE_FORBIDDEN, TOKEN_REFUSED_MESSAGE, closeCode, shouldRetry, webSocketUrl } from './ws';

/**
 * The GraphiQL page's fetcher (the gateway loads this module into GraphiQL). Queries and mutations go
 * over HTTP with the Headers pane's headers; subscriptions go over graphql-ws with those headers in
 * the `connection_init` payload (`{ headers: { "X-Auth-Token": ... } }`), so the token typed once in
 * the Headers pane serves both. A refused token ends the subscription at once with a clear error.
 */

interface FetcherParams {
  query: string;
  operationName?: string | null;
  variables?: Record<string, unknown> | null;
}

interface FetcherOpts {
  headers?: Record<string, unknown>;
  documentAST?: DocumentNode;
}

type Fetcher = (params: FetcherParams, opts?: FetcherOpts) => Promise<FormattedExecutionResult> | AsyncIterable<FormattedExecutionResult>;

export function createFetcher(endpoint: string): Fetcher {
  const httpUrl = new URL(endpoint, location.href).toString();
  // One WebSocket per set of headers: a changed token in the Headers pane opens a new connection.
  let socket: { headers: string; client: Client } | null = null;
  const wsClient = (headers: Record<string, unknown>) => {
    const key = JSON.stringify(headers);
    if (socket?.headers !== key) {
      void socket?.client.dispose();
      socket = { headers: key, client: createClient({ url: webSocketUrl(endpoint), connectionParams: { headers }, shouldRetry, retryAttempts: 5 }) };
    }
    return socket.client;
  };

  return (params, opts = {}) => {
    const headers = stringValues(opts.headers);
    if (isSubscription(params, opts.documentAST)) return subscribe(wsClient(headers), params);
    return fetch(httpUrl, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', ...headers },
      body: JSON.stringify(params),
    }).then((response) => response.json() as Promise<FormattedExecutionResult>);
  };
}

async function* subscribe(client: Client, params: FetcherParams): AsyncIterable<FormattedExecutionResult> {
  try {
    yield* client.iterate({ query: params.query, operationName: params.operationName ?? undefined, variables: params.variables ?? undefined });
  } catch (error) {
    const code = closeCode(error);
    const message =
      code === CLOSE_FORBIDDEN
        ? `${TOKEN_REFUSED_MESSAGE} Put it in the Headers pane as {"X-Auth-Token": "<token>"}.`
        : code !== null
          ? `The WebSocket closed with ${code}${(error as { reason?: string }).reason ? `: ${(error as { reason?: string }).reason}` : ''}.`
          : `The subscription failed: ${error instanceof Error ? error.message : String(error)}`;
    yield { errors: [{ message, extensions: { code: code === CLOSE_FORBIDDEN ? 'UNAUTHENTICATED' : 'WEBSOCKET_CLOSED', closeCode: code } }] };
  }
}

function isSubscription(params: FetcherParams, document: DocumentNode | undefined): boolean {
  try {
    return getOperationAST(document ?? parse(params.query), params.operationName ?? undefined)?.operation === 'subscription';
  } catch {
    return false;
  }
}

/** The Headers pane's entries whose values are strings (all an HTTP header can carry). */
function stringValues(headers: Record<string, unknown> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(headers ?? {}).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}
