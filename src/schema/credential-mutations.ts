import { createHash } from 'node:crypto';
import { GraphQLError } from 'graphql';
import { builder } from '../builder.js';
import type { Context } from '../context.js';
import { acceptedWithout, isUnreadable, missingFieldError, type AcceptedWrite, type CredentialRecord } from '../ems/read/index.js';
import { runMutation } from '../mutations/run.js';
import { validateCreateCredential } from '../mutations/validation.js';
import { IDEMPOTENCY_KEY_DESCRIPTION } from './cluster-mutations.js';
import { Credential } from './credential.js';
import { mutationErrors } from './error.js';

export const CreateCredentialInput = builder.inputType('CreateCredentialInput', {
  fields: (t) => ({
    projectId: t.id({ description: '1–255 letters and digits; default the gateway’s project (EMS_PROJECT_ID).' }),
    idempotencyKey: t.string({ description: IDEMPOTENCY_KEY_DESCRIPTION }),
  }),
});

export interface CreateCredentialPayloadData {
  /** The credential, read from EMS's answer (or, for a repeat, found again). */
  credential: () => Promise<CredentialRecord>;
  replayed: boolean;
}

export const CreateCredentialPayload = builder.objectRef<CreateCredentialPayloadData>('CreateCredentialPayload').implement({
  description: 'The credential EMS created.',
  fields: (t) => ({
    credential: t.field({
      type: Credential,
      nullable: true,
      description:
        'The new credential; null, with an error on this path, when EMS’s answer holds none the gateway can read or a repeat cannot find it again (the write was still accepted).',
      resolve: (p) => p.credential(),
    }),
    replayed: t.exposeBoolean('replayed', { nullable: false,
      description: 'True when this is the stored result of an earlier request with the same idempotencyKey (nothing was submitted).',
    }),
  }),
});

/**
 * What an idempotency record keeps of a new credential. Not the cdKey: it is a secret, and records
 * may live in a shared Redis. A repeat finds the credential again with ShowCredentialInfo by the
 * cdKey's hash.
 */
interface StoredCredential {
  projectId: string | null;
  createAt: number | null;
  /** null when EMS's answer held no readable cdKey. */
  cdKeySha256: string | null;
  accepted: AcceptedWrite;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** A repeat's credential: found again among the project's by the hash of its cdKey. */
async function findAgain(ctx: Context, projectId: string, stored: StoredCredential): Promise<CredentialRecord> {
  if (stored.cdKeySha256 === null) return Promise.reject(missingFieldError(stored.accepted, acceptedWithout(stored.accepted, 'cdKey')));
  const credentials = await ctx.ems.showCredentials(projectId);
  const credential = credentials.find((c): c is CredentialRecord => !isUnreadable(c) && sha256(c.cdKey) === stored.cdKeySha256);
  if (!credential) {
    throw new GraphQLError('The credential created by the first request with this idempotencyKey no longer exists', {
      extensions: { code: 'NOT_FOUND', upstreamCode: null, requestId: null, retryable: false },
    });
  }
  return credential;
}

builder.mutationField('createCredential', (t) =>
  t.field({
    type: CreateCredentialPayload,
    nullable: false,
    description: 'Creates a credential (cdKey) for a project (CreateCredentialInfo).',
    args: { input: t.arg({ type: CreateCredentialInput, required: true }) },
    errors: mutationErrors('createCredential', 'CreateCredentialResult'),
    authScopes: { admin: true },
    resolve: async (_root, { input }, ctx) => {
      const { projectId } = validateCreateCredential(input, ctx.config.ems.projectId);
      // The first submission's answer, for rendering without a second read.
      let created: CredentialRecord | null = null;
      return runMutation(ctx, {
        name: 'createCredential',
        idempotencyKey: input.idempotencyKey,
        request: { projectId },
        submit: async (): Promise<StoredCredential> => {
          const { credential, accepted } = await ctx.ems.createCredential(projectId);
          created = credential;
          return {
            projectId: credential?.projectId ?? null,
            createAt: credential?.createdAtMs ?? null,
            cdKeySha256: credential ? sha256(credential.cdKey) : null,
            accepted,
          };
        },
        render: async (stored, replayed) => {
          const first = created;
          const credential = first
            ? () => Promise.resolve(first)
            : replayed
              ? () => findAgain(ctx, projectId, stored)
              : () => Promise.reject(missingFieldError(stored.accepted, acceptedWithout(stored.accepted, 'cdKey')));
          return { credential, replayed };
        },
        summary: (stored) => ({ projectId: stored.projectId, createAt: stored.createAt }),
      });
    },
  }),
);
