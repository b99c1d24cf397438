import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The dashboard (index.html) and the GraphiQL fetcher (src/graphiql-fetcher.ts), built into
 * web/dist/ with every asset bundled: the gateway serves them, and nothing is loaded from elsewhere.
 * `npm run build:web`.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  // Preact's automatic JSX runtime, with no framework plugin.
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    rolldownOptions: {
      input: {
        dashboard: fileURLToPath(new URL('index.html', import.meta.url)),
        'graphiql-fetcher': fileURLToPath(new URL('src/graphiql-fetcher.ts', import.meta.url)),
      },
      // The GraphiQL page imports the fetcher by a fixed name; everything else is content-hashed.
      preserveEntrySignatures: 'exports-only',
      output: {
        entryFileNames: (chunk) => (chunk.name === 'graphiql-fetcher' ? 'assets/graphiql-fetcher.js' : 'assets/[name]-[hash].js'),
      },
    },
  },
});
