/**
 * Child: the floor of a GraphQL hop, a bare graphql-yoga hello-world on node:http with Yoga's
 * defaults (run with NODE_ENV=production like the gateway).
 */
import { createServer } from 'node:http';
import { createSchema, createYoga } from 'graphql-yoga';
import { serveRpc } from './child.js';

const yoga = createYoga({
  schema: createSchema({ typeDefs: 'type Query { hello: String! }', resolvers: { Query: { hello: () => 'world' } } }),
  landingPage: false,
  graphiql: false,
  logging: false,
});
const server = createServer(yoga);
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address() as { port: number };

serveRpc({}, { url: `http://127.0.0.1:${port}/graphql` });
