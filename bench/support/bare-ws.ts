/**
 * Child: the floor of a WebSocket subscriber, a bare `ws` server speaking just enough of
 * graphql-transport-ws for the bench's graphql-ws clients (bench/support/subscribers.ts) to
 * subscribe to it: `connection_init` → `connection_ack`, `ping` → `pong`, `subscribe` → one `next`
 * at once, `complete` forgets the subscription. Nothing is parsed as GraphQL or checked.
 *
 * `broadcast` is the fan-out floor: one `next` payload serialized once, and each subscription's
 * message made by putting its id around it, sent to every socket in one loop, as cheap as a server
 * can write the same messages. It answers with the time the broadcast began (the start of the
 * fan-out, as the gateway's in-process subscriber marks it there).
 */
import { createServer } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { epochMs, serveRpc } from './child.js';

/** The subscriptions held: per socket, its operation ids. */
const subscriptions = new Map<WebSocket, string[]>();
/** The payload a new subscription gets at once (the job as it is now). */
let current = payloadOf({ id: 'bench-job', status: 'RUNNING', progress: 0 });

function payloadOf(job: { id: string; status: string; progress: number }): string {
  return JSON.stringify({ data: { jobProgress: job } });
}

const server = createServer();
const wss = new WebSocketServer({ server, handleProtocols: (protocols) => (protocols.has('graphql-transport-ws') ? 'graphql-transport-ws' : false) });
wss.on('connection', (socket) => {
  socket.on('message', (data) => {
    let message: { type?: string; id?: string; payload?: unknown };
    try {
      message = JSON.parse(String(data));
    } catch {
      return;
    }
    switch (message.type) {
      case 'connection_init':
        socket.send('{"type":"connection_ack"}');
        return;
      case 'ping':
        socket.send('{"type":"pong"}');
        return;
      case 'subscribe': {
        const id = String(message.id);
        let ids = subscriptions.get(socket);
        if (!ids) subscriptions.set(socket, (ids = []));
        ids.push(id);
        socket.send(`{"id":${JSON.stringify(id)},"type":"next","payload":${current}}`);
        return;
      }
      case 'complete': {
        const ids = subscriptions.get(socket);
        const at = ids?.indexOf(String(message.id)) ?? -1;
        if (at >= 0) ids!.splice(at, 1);
        return;
      }
    }
  });
  socket.once('close', () => subscriptions.delete(socket));
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address() as { port: number };

serveRpc(
  {
    connections: () => wss.clients.size,
    /** Sends one `next` with this job state to every subscription; resolves to when it began (epochMs). */
    broadcast(job: { id: string; status: string; progress: number }) {
      const at = epochMs();
      current = payloadOf(job);
      const tail = `,"type":"next","payload":${current}}`;
      for (const [socket, ids] of subscriptions) {
        for (const id of ids) socket.send(`{"id":${JSON.stringify(id)}${tail}`);
      }
      return at;
    },
  },
  { url: `ws://127.0.0.1:${port}` },
);
