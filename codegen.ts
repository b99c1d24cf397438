import type { CodegenConfig } from '@graphql-codegen/cli';

/** Typed documents for the tests and examples, from the committed SDL and test/operations/*.graphql. */
const config: CodegenConfig = {
  schema: 'schema/schema.graphql',
  documents: ['test/operations/**/*.graphql'],
  generates: {
    'test/generated/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      // NodeNext: relative imports in the generated files need their `.js` extension.
      config: {
        emitLegacyCommonJSImports: false,
        scalars: { DateTime: 'string' },
        enumsAsTypes: true,
        useTypeImports: true,
      },
    },
  },
  ignoreNoDocuments: true,
};

export default config;
