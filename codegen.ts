import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * Everything generated from the committed SDL (`npm run codegen`; a test fails when an output drifts):
 * - test/generated/: typed documents of test/operations/*.graphql, for the tests and examples;
 * - web/src/gql/: typed documents of the dashboard's `graphql()` calls;
 * - schema/possible-types.json: which object types each union and interface can be, for clients
 *   that must know it to read fragments on them (Apollo Client's `possibleTypes`).
 */
const typedDocuments = {
  scalars: { DateTime: 'string' },
  enumsAsTypes: true,
  useTypeImports: true,
};

const config: CodegenConfig = {
  schema: 'schema/schema.graphql',
  generates: {
    'test/generated/': {
      documents: ['test/operations/**/*.graphql'],
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      // NodeNext: relative imports in the generated files need their `.js` extension.
      config: { ...typedDocuments, emitLegacyCommonJSImports: false },
    },
    'web/src/gql/': {
      documents: ['web/src/**/*.{ts,tsx}', '!web/src/gql/**'],
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: typedDocuments,
    },
    'schema/possible-types.json': {
      plugins: ['fragment-matcher'],
      config: { apolloClientVersion: 3, deterministic: true },
    },
  },
  ignoreNoDocuments: true,
};

export default config;
