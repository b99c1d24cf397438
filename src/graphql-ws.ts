import type { IncomingMessage } from 'node:http';
import type { ExecutionResult, GraphQLError } from 'graphql';
import { CloseCode, handleProtocols, makeServer, type ServerOptions } from 'graphql-ws';
import type { Extra } from 'graphql-ws/use/ws';
import type { WebSocket, WebSocketServer } from 'ws';

type LogFn = (obj: object, msg: string) => void;

/**
 * graphql-ws (`graphql-transport-ws`) on a `ws` server, as graphql-ws's own `useServer` does it
 * (the protocol is graphql-ws's `makeServer`), with what a fan-out to thousands of subscribers needs:
 *
 * - **one serialization per result**: subscribers of one watch get one shared result per event
 *   (see subscriptionEventScopes in src/context.ts), so its `data` is turned into JSON once, and
 *   each subscriber's `next` message is that JSON with its own id around it;
 * - **nothing per socket it does not need**: no keep-alive timer of its own (the gateway pings every
 *   socket from one interval: dropSilentSockets in src/app.ts), and socket errors, which are the
 *   client's doing (an oversized or malformed frame, a reset), go to the logger at debug level
 *   instead of stderr.
 */
export function serveGraphqlWs(
  options: ServerOptions<Record<string, unknown> | undefined, Extra>,
  wsServer: WebSocketServer,
  logger: { debug: LogFn; error: LogFn },
): { dispose(): Promise<void> } {
  const server = makeServer<Record<string, unknown> | undefined, Extra>({
    ...options,
    // The payload of a `next` becomes a placeholder that send() replaces with the shared JSON.
    onNext: async (ctx, id, payload, args, result) => {
      const replaced = await options.onNext?.(ctx, id, payload, args, result);
      return placeholder(ctx.extra.socket, (replaced ?? result) as ExecutionResult) as unknown as ExecutionResult;
    },
  });
  wsServer.options.handleProtocols = handleProtocols;
  wsServer.on('error', (err) => logger.error({ err }, 'WebSocket server error'));
  wsServer.on('connection', (socket: WebSocket, request: IncomingMessage) => {
    socket.on('error', (err) => logger.debug({ err: { message: err.message } }, 'WebSocket client error'));
    const closed = server.opened(
      {
        protocol: socket.protocol,
        send: (data) =>
          new Promise<void>((resolve, reject) => {
            if (socket.readyState !== socket.OPEN) return resolve();
            socket.send(withSharedPayload(socket, data), (err) => (err ? reject(err) : resolve()));
          }),
        close: (code, reason) => socket.close(code, reason),
        onMessage: (cb) =>
          socket.on('message', async (message) => {
            try {
              await cb(String(message));
            } catch (err) {
              logger.error({ err }, 'graphql-ws message handling failed');
              socket.close(CloseCode.InternalServerError, 'Internal server error');
            }
          }),
      },
      { socket, request: slimRequest(request) },
    );
    socket.once('close', (code, reason) => {
      pending.delete(socket);
      void closed(code, String(reason));
    });
  });
  return {
    async dispose() {
      for (const client of wsServer.clients) client.close(1001, 'Going away');
      wsServer.removeAllListeners();
      await new Promise<void>((resolve, reject) => wsServer.close((err) => (err ? reject(err) : resolve())));
    },
  };
}

/**
 * What the gateway reads of a WebSocket's upgrade request (its socket, headers and URL), without
 * the request itself: graphql-ws keeps `extra.request` as long as the connection lives, and an
 * IncomingMessage carries streams, buffers and raw headers besides.
 */
function slimRequest(request: IncomingMessage): IncomingMessage {
  return { socket: request.socket, headers: request.headers, url: request.url, method: request.method } as IncomingMessage;
}

/** Prefix of a placeholder payload: a control character, which no JSON serializer leaves unescaped elsewhere. */
const MARK = '\u0000payload:';
/** MARK as it reads inside a JSON string. */
const ESCAPED_MARK = JSON.stringify(MARK).slice(1, -1);

/** Per socket, the payloads waiting for their message to be sent, by placeholder (numbered across sockets). */
const pending = new WeakMap<WebSocket, { payloads: Map<string, string> }>();
let nextPlaceholder = 0;

/** JSON of a result's `data`, made once per data object whoever it is sent to. */
const dataJson = new WeakMap<object, string>();

function placeholder(socket: WebSocket, result: ExecutionResult): { toJSON(): string } {
  let own = pending.get(socket);
  if (!own) pending.set(socket, (own = { payloads: new Map() }));
  const n = nextPlaceholder++;
  own.payloads.set(`${ESCAPED_MARK}${n}`, payloadJson(result));
  return { toJSON: () => `${MARK}${n}` };
}

/**
 * The JSON of a `next` payload as graphql-ws would write it (`errors` as their toJSON), with the
 * `data` part made once per data object.
 */
function payloadJson(result: ExecutionResult): string {
  let json = '';
  for (const [key, value] of Object.entries(result)) {
    if (value === undefined || typeof value === 'function' || key === 'errors') continue;
    let part: string;
    if (key === 'data' && value !== null && typeof value === 'object') {
      part = dataJson.get(value) ?? JSON.stringify(value);
      dataJson.set(value, part);
    } else {
      part = JSON.stringify(value);
    }
    json += `${json ? ',' : ''}${JSON.stringify(key)}:${part}`;
  }
  if (result.errors) {
    const errors = result.errors.map((e) => ((e as GraphQLError).toJSON ? (e as GraphQLError).toJSON() : e));
    json += `${json ? ',' : ''}"errors":${JSON.stringify(errors)}`;
  }
  return `{${json}}`;
}

/** A message as graphql-ws wrote it, its placeholder payload (always the last member) replaced. */
function withSharedPayload(socket: WebSocket, data: string): string {
  const own = pending.get(socket);
  if (!own || own.payloads.size === 0 || !data.endsWith('"}')) return data;
  const at = data.lastIndexOf(PAYLOAD_MEMBER);
  if (at < 0) return data;
  // The placeholder as JSON wrote it (its control character escaped), which is how it is kept.
  const token = data.slice(at + PAYLOAD_MEMBER.length, -2);
  const json = own.payloads.get(token);
  if (json === undefined) return data;
  own.payloads.delete(token);
  // Nothing kept per socket between messages (thousands of sockets wait for the next event).
  if (own.payloads.size === 0) pending.delete(socket);
  return `${data.slice(0, at)},"payload":${json}}`;
}

const PAYLOAD_MEMBER = ',"payload":"';
