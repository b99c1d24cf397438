import { fileURLToPath } from 'node:url';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { schema } from './index.js';

/** The committed SDL artifact. */
export const SCHEMA_PATH = fileURLToPath(new URL('../../schema/schema.graphql', import.meta.url));

/** The schema as committed: sorted, so the file changes only when the schema does. */
export function printSchemaSdl(): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
