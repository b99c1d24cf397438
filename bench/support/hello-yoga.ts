/**
 * Child: the floor of a GraphQL hop, a bare graphql-yoga hello-world on node:http with Yoga's
 * defaults (run with NODE_ENV=production like the gateway).
 */
import { createSchema, createYoga } from 'graphql-yoga';
import { serveGraphqlChild } from './child.js';

const yoga = createYoga({
  schema: createSchema({ typeDefs: 'type Query { hello: String! }', resolvers: { Query: { hello: () => 'world' } } }),
  landingPage: false,
  graphiql: false,
  logging: false,
});
await serveGraphqlChild(yoga);
