import { builder } from '../builder.js';
import { EMS_CODES } from '../ems/errors.js';
import { CLUSTER_STATUSES, type EmsClusterStatus } from '../ems/models/index.js';
import {
  DuplicateNameError,
  ForbiddenError,
  IdempotencyKeyReusedError,
  MUTATION_ERRORS,
  NotFoundError,
  UpstreamValidationError,
  ValidationError,
  WrongStateError,
  type FieldError as FieldErrorData,
  type MutationErrorCode,
  type MutationName,
  type MutationError,
  type UpstreamMutationError,
} from '../mutations/errors.js';
import { IDEMPOTENCY_WINDOW } from '../mutations/validation.js';
import { ClusterStatus } from './cluster.js';

/**
 * The error members of the mutation result unions (`XxxResult = XxxPayload | <the error types that
 * mutation can return>`, every error type implements `interface Error { message code }`). The
 * classes, and which mutation returns which, live in src/mutations/errors.ts; resolvers throw them
 * and the errors plugin returns them as union members.
 */

const ERROR_CODE_DESCRIPTIONS: Record<MutationErrorCode, string> = {
  VALIDATION_FAILED: 'ValidationError: the input broke an EMS rule; nothing was sent.',
  NOT_FOUND: 'NotFoundError: EMS does not know the cluster or other resource.',
  DUPLICATE_NAME: 'DuplicateNameError: the cluster name is taken in the project.',
  WRONG_STATE: 'WrongStateError: the cluster’s status does not allow the operation.',
  FORBIDDEN: 'ForbiddenError: the caller may not do this.',
  UPSTREAM_VALIDATION: 'UpstreamValidationError: EMS refused the request body.',
  IDEMPOTENCY_KEY_REUSED: 'IdempotencyKeyReusedError: the idempotencyKey was used with a different input.',
};

export const ErrorCode = builder.enumType('ErrorCode', {
  description: 'The `code` of an expected mutation failure: one value per error type, stable.',
  values: Object.fromEntries(
    Object.entries(ERROR_CODE_DESCRIPTIONS).map(([code, description]) => [code, { value: code as MutationErrorCode, description }]),
  ) as Record<MutationErrorCode, { value: MutationErrorCode; description: string }>,
});

export const ErrorInterface = builder.interfaceRef<MutationError>('Error').implement({
  description: 'An expected failure of a mutation: switch on `code` (or `__typename`), show `message`.',
  fields: (t) => ({
    message: t.exposeString('message', { nullable: false, description: 'What went wrong, for humans.' }),
    code: t.field({ type: ErrorCode, nullable: false, description: 'Which failure it is; each error type has its own.', resolve: (e) => e.code }),
  }),
});

export const UpstreamErrorInterface = builder.interfaceRef<UpstreamMutationError>('UpstreamError').implement({
  description: 'A failure EMS reported (the request reached EMS and was refused; nothing changed).',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    upstreamCode: t.string({
      nullable: true,
      description: `The EMS \`error_code\`, e.g. ${EMS_CODES.clusterNotFound}.`,
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
  description: 'The input broke an EMS rule; nothing was sent to EMS. Code VALIDATION_FAILED.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    fields: t.field({ type: [FieldError], nullable: false, description: 'Every refused field and why.', resolve: (e) => e.fields }),
  }),
});

builder.objectType(NotFoundError, {
  name: 'NotFoundError',
  description: `EMS does not know the cluster (${EMS_CODES.clusterNotFound}) or other resource. Code NOT_FOUND.`,
  interfaces: [ErrorInterface, UpstreamErrorInterface],
  fields: (t) => ({
    resourceId: t.id({ nullable: true, description: 'Id of the missing resource, when known.', resolve: (e) => e.subject }),
  }),
});

builder.objectType(DuplicateNameError, {
  name: 'DuplicateNameError',
  description: `A cluster of that name exists in the project (${EMS_CODES.duplicateName}). Code DUPLICATE_NAME.`,
  interfaces: [ErrorInterface, UpstreamErrorInterface],
  fields: (t) => ({
    name: t.string({ nullable: true, description: 'The name that is taken.', resolve: (e) => e.subject }),
  }),
});

builder.objectType(WrongStateError, {
  name: 'WrongStateError',
  description:
    `The cluster’s status does not allow the operation (${EMS_CODES.wrongState}, or "Cluster is not running"). Code WRONG_STATE.`,
  interfaces: [ErrorInterface, UpstreamErrorInterface],
  fields: (t) => ({
    currentStatus: t.field({
      type: ClusterStatus,
      nullable: true,
      description: 'The status EMS reported, when it named a known one.',
      resolve: (e) =>
        e.subject && (CLUSTER_STATUSES as readonly string[]).includes(e.subject)
          ? (e.subject as EmsClusterStatus)
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
  description: `EMS refused the request body (${EMS_CODES.outOfRange}, ${EMS_CODES.invalidParameter}). Code UPSTREAM_VALIDATION.`,
  interfaces: [ErrorInterface, UpstreamErrorInterface],
});

builder.objectType(IdempotencyKeyReusedError, {
  name: 'IdempotencyKeyReusedError',
  description:
    `The idempotencyKey was used in the last ${IDEMPOTENCY_WINDOW}, by the same caller and mutation, with a different input. Code IDEMPOTENCY_KEY_REUSED.`,
  interfaces: [ErrorInterface],
  fields: (t) => ({
    idempotencyKey: t.exposeString('idempotencyKey', { nullable: false }),
  }),
});

/**
 * The `errors` option of a mutation field: `<Name>Result = <Name>Payload | <the error types that
 * mutation can return>` (`createCluster` → `CreateClusterResult`), the payload type as a direct
 * member (no wrapper object).
 */
export function mutationErrors(mutation: MutationName) {
  return {
    types: [...MUTATION_ERRORS[mutation]],
    directResult: true as const,
    union: { name: `${mutation[0]!.toUpperCase()}${mutation.slice(1)}Result`, description: `The payload, or an expected failure of ${mutation}.` },
  };
}
