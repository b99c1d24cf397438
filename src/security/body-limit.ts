import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/**
 * The request body limit, as Yoga's `maxRequestBodySize` enforces it (same errors: 400 for a
 * Content-Length that is not one non-negative integer, 413 REQUEST_ENTITY_TOO_LARGE past `limit`),
 * without its cost on every request: Yoga pipes every body through a TransformStream, whose end
 * allocates an AbortController and a DOMException per request. A body with a valid Content-Length
 * needs no counting (Node's HTTP parser reads exactly that many bytes), so only bodies sent without
 * one (chunked) are counted as they arrive. Yoga's own limit is off (`maxRequestBodySize: false`).
 */
export function limitRequestBody(limit: number): Plugin {
  return {
    onRequestParse({ request, requestParser, setRequestParser, fetchAPI }) {
      const contentLength = request.headers.get('content-length');
      if (contentLength != null) {
        if (!CONTENT_LENGTH.test(contentLength)) throw httpError('Content-Length header is invalid.', 400, 'BAD_REQUEST');
        if (Number(contentLength) > limit) throw tooLarge();
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
              if (read > limit) controller.error(tooLarge());
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
  return httpError('Request body too large', 413, 'REQUEST_ENTITY_TOO_LARGE');
}

function httpError(message: string, status: number, code: string): GraphQLError {
  return new GraphQLError(message, { extensions: { http: { status }, code } });
}
