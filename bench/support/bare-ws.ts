/** Child: the floor of a WebSocket subscriber, a bare `ws` server that only holds its connections. */
import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';
import { serveRpc } from './child.js';

const server = createServer();
const wss = new WebSocketServer({ server });
wss.on('connection', (socket) => socket.on('message', () => {}));
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address() as { port: number };

serveRpc({ connections: () => wss.clients.size }, { url: `ws://127.0.0.1:${port}` });
