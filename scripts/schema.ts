/**
 * `print`: writes schema/schema.graphql from the code. `check`: exits 1 when the committed file
 * differs from what the code prints (the schema test does the same check in `npm test`).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { SCHEMA_PATH, printSchemaSdl } from '../src/schema/print.js';

const mode = process.argv[2];
const printed = printSchemaSdl();
if (mode === 'print') {
  await writeFile(SCHEMA_PATH, printed);
  console.log(`wrote ${SCHEMA_PATH}`);
} else if (mode === 'check') {
  const committed = await readFile(SCHEMA_PATH, 'utf8').catch(() => '');
  if (committed !== printed) {
    console.error(`${SCHEMA_PATH} is out of date: run npm run schema:print and commit it`);
    process.exit(1);
  }
  console.log(`${SCHEMA_PATH} is up to date`);
} else {
  console.error('usage: tsx scripts/schema.ts print|check');
  process.exit(2);
}
