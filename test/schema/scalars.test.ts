import { GraphQLScalarType, Kind } from 'graphql';
import { describe, expect, it } from 'vitest';
import { schema } from '../../src/schema/index.js';

const DateTime = schema.getType('DateTime') as GraphQLScalarType;

describe('DateTime', () => {
  it('serializes Dates and EMS timestamps with second precision', () => {
    expect(DateTime.serialize(new Date('2020-09-25T12:05:00Z'))).toBe('2020-09-25T12:05:00Z');
    expect(DateTime.serialize('2020-09-25T12:05:00Z')).toBe('2020-09-25T12:05:00Z');
    expect(DateTime.serialize('2020-09-25T14:05:00+02:00')).toBe('2020-09-25T12:05:00Z');
  });

  it('rejects bad values as input', () => {
    for (const bad of ['yesterday', '2020-09-25', '2020-13-45T99:00:00Z', '2020-09-25 12:05:00Z', 1601035500000, null, {}]) {
      expect(() => DateTime.parseValue(bad), JSON.stringify(bad)).toThrow(/DateTime must be/);
    }
    expect(() => DateTime.parseLiteral({ kind: Kind.INT, value: '1601035500' }, {})).toThrow(/DateTime must be a string/);
    expect(() => DateTime.parseLiteral({ kind: Kind.STRING, value: 'soon' }, {})).toThrow(/DateTime must be/);
    expect(DateTime.parseValue('2020-09-25T12:05:00Z')).toEqual(new Date('2020-09-25T12:05:00Z'));
  });

  it('refuses to serialize an invalid date or a malformed string', () => {
    expect(() => DateTime.serialize(new Date(Number.NaN))).toThrow(/invalid date/);
    expect(() => DateTime.serialize('not a date')).toThrow(/DateTime must be/);
  });
});
