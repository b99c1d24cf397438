import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/**
 * The request body limit, as Yoga's `maxRequestBodySize` enforces it (same errors: 400 for a
 * Content-Length that is not one non-negative integer, 413 REQUEST_ENTITY_TOO_LARGE past `limit`),
 * without its cost on every request: Yoga pipes every body through a TransformStream, whose end
 * allocates an AbortController and a DOMException per request. A body with a valid Content-Length
 * needs no counting (Node's HTTP parser reads exactly that many bytes), so only bodies sent without
 * one (chunked) are counted as they arrive. Yoga's own limit is off (`maxRequestBodySize: false`).
 *
 * A 413 closes the connection (`Connection: close`), gracefully: the rest of a refused body is not
 * worth reading, and a connection kept alive behind it would be cut by the body timeout
 * (`requestTimeout`) while it is still being read, resetting whatever request the client sent next
 * on it. See {@link lingeringClose} for how it closes without losing the 413.
 *
 * @param lingerMs how long a refused upload's connection may go on sending before it is destroyed.
 */
export function limitRequestBody(limit: number, lingerMs: number): Plugin {
  return {
    onRequestParse({ request, requestParser, setRequestParser, fetchAPI, serverContext }) {
      const socket = (serverContext as { req?: IncomingMessage }).req?.socket;
      const refuse = () => {
        if (socket) lingeringClose(socket, lingerMs);
        return tooLarge();
      };
      const contentLength = request.headers.get('content-length');
      if (contentLength != null) {
        if (!CONTENT_LENGTH.test(contentLength)) throw httpError('Content-Length header is invalid.', 400, 'BAD_REQUEST');
        if (Number(contentLength) > limit) throw refuse();
        return;
      }
      if (requestParser == null || request.body == null) return;
      const parse = requestParser;
      setRequestParser((req) => {
        const body = req.body;
        if (!body) return parse(req);
        // A native stream takes the native TransformStream, whatwg-node's ponyfill its own.
        const Transform = body instanceof ReadableStream ? globalThis.TransformStream : fetchAPI.TransformStream;
        let read = 0;
        const counted = body.pipeThrough(
          new Transform({
            transform(chunk: Uint8Array, controller: TransformStreamDefaultController<Uint8Array>) {
              read += chunk.byteLength;
              if (read > limit) controller.error(refuse());
              else controller.enqueue(chunk);
            },
          }),
        );
        return parse(
          new fetchAPI.Request(req.url, { method: req.method, headers: req.headers, signal: req.signal, body: counted, duplex: 'half' } as RequestInit),
        );
      });
    },
  };
}

/** One non-negative integer: anything else (a list, as in request smuggling) is refused. */
const CONTENT_LENGTH = /^\d+$/;

function tooLarge(): GraphQLError {
  return httpError('Request body too large', 413, 'REQUEST_ENTITY_TOO_LARGE', { connection: 'close' });
}

function httpError(message: string, status: number, code: string, headers?: Record<string, string>): GraphQLError {
  return new GraphQLError(message, { extensions: { http: headers ? { status, headers } : { status }, code } });
}

/**
 * Makes the close that follows a `Connection: close` answer on `socket` a lingering one (RFC 9112,
 * section 9.6). Node ends such an answer with `socket.destroySoon()`; destroying a socket whose
 * peer is still sending makes the kernel answer with a reset, which can reach the client before it
 * has read the answer, and then the client sees only the reset. Instead the answer is followed by
 * our FIN, what the client still sends is read and dropped (the HTTP parser goes on reading it),
 * and the socket is destroyed once the client closes its side, or after `lingerMs`.
 */
export function lingeringClose(socket: Socket, lingerMs: number): void {
  socket.destroySoon = function destroySoonLingering(this: Socket) {
    if (this.writable) this.end();
    if (this.readableEnded) {
      this.destroy();
      return;
    }
    const timer = setTimeout(() => this.destroy(), lingerMs);
    timer.unref();
    this.once('end', () => this.destroy());
    this.once('close', () => clearTimeout(timer));
  };
}
