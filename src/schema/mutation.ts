import { responsePathAsArray, type GraphQLResolveInfo } from 'graphql';
import type { InputFieldBuilder, InputObjectRef, ObjectFieldBuilder, ObjectRef } from '@pothos/core';
import { builder } from '../builder.js';
import type { Context } from '../context.js';
import type { MutationName } from '../mutations/errors.js';
import { IDEMPOTENCY_KEY_DESCRIPTION } from '../mutations/validation.js';
import { mutationErrors } from './error.js';
import { routeMutation, type RoutePart } from '../mutations/route.js';

/** What every mutation has in common: its field, the idempotency key of its input, `replayed` on its payload. */

type Types = typeof builder.$inferSchemaTypes;

/** The `idempotencyKey` field of a mutation input. */
export const idempotencyKeyField = (t: InputFieldBuilder<Types, 'InputObject'>) => t.string({ description: IDEMPOTENCY_KEY_DESCRIPTION });

/** The `region` field of a mutation input. */
export const regionInputField = (t: InputFieldBuilder<Types, 'InputObject'>, what: string) =>
  t.string({ description: `The region ${what}; without it, ${REGION_FALLBACK[what] ?? 'the region that holds what the input names (each region is asked once)'}.` });

const REGION_FALLBACK: Record<string, string> = {
  'to create the cluster in': 'required when several regions are configured',
  'to enroll the cluster in': 'required when several regions are configured',
  'of the project': 'the region whose project id is `projectId`; required otherwise when several regions are configured',
};

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
    /**
     * A write that spans regions (cancelJobs of jobs in several regions, see src/mutations/route.ts):
     * one share per region, `path` being the field's (for the errors naming a region whose share failed).
     */
    resolveParts?(input: Input, parts: RoutePart[], path: readonly (string | number)[]): Promise<Payload>;
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
      // Routed first (src/mutations/route.ts): the payload carries its region, for `job` and `cluster`.
      resolve: (async (_root: unknown, args: { input: Input }, ctx: Context, info: GraphQLResolveInfo) => {
        const route = await routeMutation(name, args.input as Record<string, unknown>, ctx);
        if (!route) return options.resolve(args.input, ctx);
        if (route.parts) {
          if (!options.resolveParts) throw new Error(`${name} cannot span regions`);
          return options.resolveParts(args.input, route.parts, responsePathAsArray(info.path));
        }
        return Object.assign(await options.resolve(args.input, route.ctx), { region: route.region });
      }) as never,
    }),
  );
}
