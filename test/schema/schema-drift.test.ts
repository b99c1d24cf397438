import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { SCHEMA_PATH, printSchemaSdl } from '../../src/schema/print.js';

describe('schema/schema.graphql', () => {
  it('matches the schema the code builds (run npm run schema:print after a schema change)', async () => {
    const committed = await readFile(SCHEMA_PATH, 'utf8');
    expect(committed).toBe(printSchemaSdl());
  });
});
