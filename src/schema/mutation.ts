import type { InputFieldBuilder, InputObjectRef, ObjectFieldBuilder, ObjectRef } from '@pothos/core';
import { builder } from '../builder.js';
import type { Context } from '../context.js';
import type { MutationName } from '../mutations/errors.js';
import { IDEMPOTENCY_KEY_DESCRIPTION } from '../mutations/validation.js';
import { mutationErrors } from './error.js';

/** What every mutation has in common: its field, the idempotency key of its input, `replayed` on its payload. */

type Types = typeof builder.$inferSchemaTypes;

/** The `idempotencyKey` field of a mutation input. */
export const idempotencyKeyField = (t: InputFieldBuilder<Types, 'InputObject'>) => t.string({ description: IDEMPOTENCY_KEY_DESCRIPTION });

/** The `replayed` field of a mutation payload. */
export const replayedField = <Shape extends { replayed: boolean }>(t: ObjectFieldBuilder<Types, Shape>) =>
  t.boolean({
    nullable: false,
    description: 'True when this is the stored result of an earlier request with the same idempotencyKey (nothing was submitted).',
    resolve: (payload) => payload.replayed,
  });

/**
 * Declares `name(input: <Input>!): <Name>Result!`: the payload, or one of the expected failures
 * `name` returns (mutationErrors). `resolve` gets the input as the Pothos ref infers it.
 */
export function mutationField<Input extends object, Payload extends object>(
  name: MutationName,
  options: {
    input: InputObjectRef<Types, Input>;
    payload: ObjectRef<Types, Payload>;
    description: string;
    authScopes?: { admin: true };
    resolve(input: Input, ctx: Context): Promise<Payload>;
  },
): void {
  builder.mutationField(name, (t) =>
    t.field({
      type: options.payload,
      nullable: false,
      description: options.description,
      args: { input: t.arg({ type: options.input, required: true }) },
      errors: mutationErrors(name),
      ...(options.authScopes ? { authScopes: options.authScopes } : {}),
      // Pothos cannot check a resolver against refs of generic shapes; the signature below is what it calls.
      resolve: ((_root: unknown, args: { input: Input }, ctx: Context) => options.resolve(args.input, ctx)) as never,
    }),
  );
}
