import { builder } from '../builder.js';
import { CLUSTER_STATUSES, type EmsClusterStatus } from '../ems/models/index.js';
import {
  DuplicateNameError,
  ForbiddenError,
  IdempotencyKeyReusedError,
  NotFoundError,
  UpstreamValidationError,
  ValidationError,
  WrongStateError,
  type FieldError as FieldErrorData,
  type MutationError,
  type UpstreamMutationError,
} from '../mutations/errors.js';
import { ClusterStatus } from './cluster.js';

/**
 * The error members of the mutation result unions (CONTRACT.md: `XxxResult = XxxPayload | <error
 * types>`, every error type implements `interface Error { message code }`). The classes live in
 * src/mutations/errors.ts; resolvers throw them and the errors plugin returns them as union members.
 */

export const ErrorInterface = builder.interfaceRef<MutationError>('Error').implement({
  description: 'An expected failure of a mutation: switch on `code`, show `message`.',
  fields: (t) => ({
    message: t.exposeString('message', { nullable: false, description: 'What went wrong, for humans.' }),
    code: t.exposeString('code', { nullable: false,
      description:
        'Stable, UPPER_SNAKE: VALIDATION_FAILED, NOT_FOUND, DUPLICATE_NAME, WRONG_STATE, FORBIDDEN, UPSTREAM_VALIDATION, IDEMPOTENCY_KEY_REUSED.',
    }),
  }),
});

export const UpstreamErrorInterface = builder.interfaceRef<UpstreamMutationError>('UpstreamError').implement({
  description: 'A failure EMS reported (the request reached EMS and was refused; nothing changed).',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    upstreamCode: t.string({
      nullable: true,
      description: 'The EMS `error_code`, e.g. ems.00030005.',
      resolve: (e) => e.upstreamCode,
    }),
    requestId: t.string({
      nullable: true,
      description: 'The EMS `X-Request-Id` of the refused request; quote it to support.',
      resolve: (e) => e.requestId,
    }),
  }),
});

export const FieldError = builder.objectRef<FieldErrorData>('FieldError').implement({
  description: 'One refused input field.',
  fields: (t) => ({
    path: t.exposeStringList('path', { nullable: false, description: 'Path in the mutation arguments, e.g. ["input", "k8s", "nodeCount"].' }),
    field: t.exposeString('field', { nullable: false, description: 'The path below `input`, dotted, e.g. "k8s.nodeCount" or "nodeNames.2".' }),
    message: t.exposeString('message', { nullable: false, description: 'The rule the value broke, and the value.' }),
  }),
});

builder.objectType(ValidationError, {
  name: 'ValidationError',
  description: 'The input broke an EMS rule (ems-api.md); nothing was sent to EMS. Code VALIDATION_FAILED.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    fields: t.field({ type: [FieldError], nullable: false, description: 'Every refused field and why.', resolve: (e) => e.fields }),
  }),
});

builder.objectType(NotFoundError, {
  name: 'NotFoundError',
  description: 'EMS does not know the cluster (ems.00030005) or other resource. Code NOT_FOUND.',
  interfaces: [ErrorInterface, UpstreamErrorInterface],
  fields: (t) => ({
    resourceId: t.id({ nullable: true, description: 'Id of the missing resource, when known.', resolve: (e) => e.resourceId }),
  }),
});

builder.objectType(DuplicateNameError, {
  name: 'DuplicateNameError',
  description: 'A cluster of that name exists in the project (ems.00030033). Code DUPLICATE_NAME.',
  interfaces: [ErrorInterface, UpstreamErrorInterface],
  fields: (t) => ({
    name: t.string({ nullable: true, description: 'The name that is taken.', resolve: (e) => e.clusterName }),
  }),
});

builder.objectType(WrongStateError, {
  name: 'WrongStateError',
  description:
    'The cluster’s status does not allow the operation (ems.00030034, or "Cluster is not running"). Code WRONG_STATE.',
  interfaces: [ErrorInterface, UpstreamErrorInterface],
  fields: (t) => ({
    currentStatus: t.field({
      type: ClusterStatus,
      nullable: true,
      description: 'The status EMS reported, when it named a known one.',
      resolve: (e) =>
        e.currentStatus && (CLUSTER_STATUSES as readonly string[]).includes(e.currentStatus)
          ? (e.currentStatus as EmsClusterStatus)
          : null,
    }),
  }),
});

builder.objectType(ForbiddenError, {
  name: 'ForbiddenError',
  description: 'The caller may not do this: its gateway role does not include it, or its IAM rights do not (EMS HTTP 403). Code FORBIDDEN.',
  interfaces: [ErrorInterface, UpstreamErrorInterface],
});

builder.objectType(UpstreamValidationError, {
  name: 'UpstreamValidationError',
  description: 'EMS refused the request body (common.00000400, EMS.00004000). Code UPSTREAM_VALIDATION.',
  interfaces: [ErrorInterface, UpstreamErrorInterface],
});

builder.objectType(IdempotencyKeyReusedError, {
  name: 'IdempotencyKeyReusedError',
  description:
    'The idempotencyKey was used in the last 10 minutes, by the same caller and mutation, with a different input. Code IDEMPOTENCY_KEY_REUSED.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    idempotencyKey: t.exposeString('idempotencyKey', { nullable: false }),
  }),
});

/** The error members of every mutation result union. */
export const MUTATION_ERROR_TYPES = [
  ValidationError,
  NotFoundError,
  DuplicateNameError,
  WrongStateError,
  ForbiddenError,
  UpstreamValidationError,
  IdempotencyKeyReusedError,
];

/**
 * The `errors` option of a mutation field: `<Name>Result = <Name>Payload | <error types>`, the
 * payload type as a direct member (no wrapper object).
 */
export function mutationErrors(resultName: string) {
  return {
    types: MUTATION_ERROR_TYPES,
    directResult: true as const,
    union: { name: resultName, description: `The payload, or the expected failure of the mutation.` },
  };
}
