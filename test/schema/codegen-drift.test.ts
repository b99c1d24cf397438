import { readFile } from 'node:fs/promises';
import { generate } from '@graphql-codegen/cli';
import { describe, expect, it } from 'vitest';
import config from '../../codegen.js';

describe('typed documents', () => {
  it('test/generated matches what codegen.ts produces from the schema and test/operations', async () => {
    const outputs = await generate({ ...config, cwd: process.cwd(), silent: true }, false);
    expect(outputs.length).toBeGreaterThan(0);
    for (const { filename, content } of outputs) {
      const committed = await readFile(filename, 'utf8').catch(() => '');
      expect(committed === content, `${filename} is stale: run npm run codegen`).toBe(true);
    }
  }, 60_000);
});
