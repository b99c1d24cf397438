import { isObjectType, isUnionType, type GraphQLEnumType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { EmsHttpError } from '../../src/ems/errors.js';
import { MUTATION_ERROR_CODES, MUTATION_ERRORS, NotFoundError, type MutationName } from '../../src/mutations/errors.js';
import { toMutationError } from '../../src/mutations/upstream.js';
import { schema } from '../../src/schema/index.js';

/** Each mutation's result union lists exactly the errors that mutation returns. */

const mutations = Object.keys(MUTATION_ERRORS) as MutationName[];

function unionOf(mutation: MutationName) {
  const field = schema.getMutationType()!.getFields()[mutation]!;
  const type = 'ofType' in field.type ? field.type.ofType : field.type;
  if (!isUnionType(type)) throw new Error(`${mutation} does not return a union`);
  return type;
}

describe('mutation result unions', () => {
  it('every mutation of the schema has its list of errors', () => {
    expect(Object.keys(schema.getMutationType()!.getFields()).sort()).toEqual([...mutations].sort());
  });

  it.each(mutations)('%s: the payload and the listed errors, ForbiddenError among them', (mutation) => {
    const members = unionOf(mutation).getTypes().map((t) => t.name);
    const errors = MUTATION_ERRORS[mutation].map((type) => type.name);
    expect(members.filter((name) => name.endsWith('Payload'))).toHaveLength(1);
    expect(members.filter((name) => !name.endsWith('Payload')).sort()).toEqual([...errors].sort());
    expect(errors).toContain('ForbiddenError');
    expect(errors).toContain('ValidationError');
  });

  it('only cluster writes with a name can be refused for a duplicate name; cancelJobs never meets a cluster state', () => {
    const has = (mutation: MutationName, type: string) => unionOf(mutation).getTypes().some((t) => t.name === type);
    expect(mutations.filter((m) => has(m, 'DuplicateNameError')).sort()).toEqual(['createCluster', 'enrollCluster']);
    expect(has('cancelJobs', 'WrongStateError')).toBe(false);
    expect(has('cancelJobs', 'NotFoundError')).toBe(false);
  });

  it('Error.code is the enum ErrorCode, one value per error type', () => {
    const errorInterface = schema.getType('Error');
    expect(errorInterface && 'getFields' in errorInterface ? String(errorInterface.getFields().code!.type) : null).toBe('ErrorCode!');
    const values = (schema.getType('ErrorCode') as GraphQLEnumType).getValues().map((v) => v.name);
    expect(values.sort()).toEqual([...MUTATION_ERROR_CODES].sort());
    const implementations = schema.getPossibleTypes(errorInterface as never).filter(isObjectType);
    expect(implementations).toHaveLength(MUTATION_ERROR_CODES.length);
  });
});

describe('toMutationError', () => {
  const notFound = new EmsHttpError({
    operation: 'ExpandCluster',
    status: 404,
    upstreamCode: 'ems.00030005',
    upstreamMessage: 'Cluster not found: [53f17034-0881-4cb1-b84b-9ceb97a3a613].',
    requestId: 'req-1',
  });

  it('types a refusal the mutation lists', () => {
    const typed = toMutationError(notFound, 'expandCluster');
    expect(typed).toBeInstanceOf(NotFoundError);
    expect(typed).toMatchObject({ code: 'NOT_FOUND', subject: '53f17034-0881-4cb1-b84b-9ceb97a3a613', requestId: 'req-1' });
  });

  it('leaves a refusal the union does not list as the EMS error (a GraphQL error with its code)', () => {
    expect(toMutationError(notFound, 'createCluster')).toBe(notFound);
    expect(toMutationError(notFound, 'cancelJobs')).toBe(notFound);
    expect(notFound.code).toBe('NOT_FOUND');
  });
});
