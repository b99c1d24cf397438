import { createHash } from 'node:crypto';
import { builder } from '../builder.js';
import type { EmsCredential } from '../ems/models/index.js';
import { NotFoundError } from '../mutations/errors.js';
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
  credential: EmsCredential;
  replayed: boolean;
}

export const CreateCredentialPayload = builder.objectRef<CreateCredentialPayloadData>('CreateCredentialPayload').implement({
  description: 'The credential EMS created.',
  fields: (t) => ({
    credential: t.field({ type: Credential, nullable: false, resolve: (p) => p.credential }),
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
  projectId: string;
  createAt: number;
  cdKeySha256: string;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

builder.mutationField('createCredential', (t) =>
  t.field({
    type: CreateCredentialPayload,
    nullable: false,
    description: 'Creates a credential (cdKey) for a project (CreateCredentialInfo).',
    args: { input: t.arg({ type: CreateCredentialInput, required: true }) },
    errors: mutationErrors('createCredential', 'CreateCredentialResult'),
    resolve: async (_root, { input }, ctx) => {
      const { projectId } = validateCreateCredential(input, ctx.config.ems.projectId);
      // The first submission's credential, for rendering without a second read.
      let created: EmsCredential | null = null;
      return runMutation(ctx, {
        name: 'createCredential',
        idempotencyKey: input.idempotencyKey,
        request: { projectId },
        submit: async (): Promise<StoredCredential> => {
          created = await ctx.ems.createCredential(projectId);
          return { projectId: created.projectId, createAt: created.createAt, cdKeySha256: sha256(created.cdKey) };
        },
        render: async (stored, replayed) => {
          if (created) return { credential: created, replayed };
          const credentials = await ctx.ems.showCredentials(projectId);
          const credential = credentials.find((c) => sha256(c.cdKey) === stored.cdKeySha256);
          if (!credential) {
            throw new NotFoundError(
              'The credential created by the first request with this idempotencyKey no longer exists',
              { upstreamCode: null, requestId: null, upstreamMessage: null, status: null },
            );
          }
          return { credential, replayed };
        },
        summary: (stored) => ({ projectId: stored.projectId, createAt: stored.createAt }),
      });
    },
  }),
);
