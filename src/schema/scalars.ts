import { GraphQLError, Kind } from 'graphql';
import { builder } from '../builder.js';
import { quote } from '../ems/errors.js';
import { timestampMs } from '../ems/read/index.js';

function parseDateTime(value: unknown): Date {
  const ms = typeof value === 'string' ? timestampMs(value) : null;
  if (ms === null) {
    throw new GraphQLError(`DateTime must be an ISO 8601 UTC timestamp like 2020-09-25T12:05:00Z, got ${quote(value)}`, {
      extensions: { code: 'BAD_USER_INPUT' },
    });
  }
  return new Date(ms);
}

builder.scalarType('DateTime', {
  description: 'A UTC instant, serialized as ISO 8601 with second precision (e.g. 2020-09-25T12:05:00Z).',
  serialize: (value) => {
    const date = value instanceof Date ? value : parseDateTime(value);
    if (Number.isNaN(date.getTime())) throw new GraphQLError('DateTime cannot represent an invalid date');
    // Second precision, as documented (EMS timestamps have none finer; credential epoch ms are truncated).
    return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
  },
  parseValue: parseDateTime,
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) throw new GraphQLError('DateTime must be a string', { extensions: { code: 'BAD_USER_INPUT' } });
    return parseDateTime(ast.value);
  },
});
