import { z } from 'zod';
import { builder } from '../builder.js';
import type { Context } from '../context.js';
import { EmsProjectId, PROJECT_ID_MAX } from '../ems/models/index.js';
import { acceptedWithout, isUnreadable, missingFieldError, type AcceptedWrite, type CredentialRecord } from '../ems/read/index.js';
import { sha256Hex } from '../ems/signer.js';
import { gatewayError } from '../errors.js';
import { runMutation } from '../mutations/run.js';
import { validateInput, type EmsMapping } from '../mutations/validation.js';
import { Credential } from './credential.js';
import { idempotencyKeyField, mutationField, regionInputField, replayedField } from './mutation.js';

export const CreateCredentialInput = builder.inputType('CreateCredentialInput', {
  fields: (t) => ({
    projectId: t.id({ description: `1–${PROJECT_ID_MAX} letters and digits; default the gateway’s project (EMS_PROJECT_ID).` }),
    idempotencyKey: idempotencyKeyField(t),
    region: regionInputField(t, 'of the project'),
  }),
});
/** The project id is the path of the request; there is no body. */
const CREATE_CREDENTIAL: EmsMapping<typeof CreateCredentialInput.$inferInput> = { projectId: null, idempotencyKey: null, region: null };
/** `projectId`, defaulted to EMS_PROJECT_ID: required when there is none. */
const ProjectIdOrDefault = z.string({ error: 'is required: the gateway has no EMS_PROJECT_ID to default to' }).pipe(EmsProjectId);
/** Checked with `projectId` already defaulted to EMS_PROJECT_ID. */
export const CREATE_CREDENTIAL_RULES = { mapping: CREATE_CREDENTIAL, params: { projectId: ProjectIdOrDefault } };

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
    replayed: replayedField(t),
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

/** A repeat's credential: found again among the project's by the hash of its cdKey. */
async function findAgain(ctx: Context, projectId: string, stored: StoredCredential): Promise<CredentialRecord> {
  if (stored.cdKeySha256 === null) return Promise.reject(missingFieldError(stored.accepted, acceptedWithout(stored.accepted, 'cdKey')));
  const credentials = await ctx.ems.showCredentials(projectId);
  const credential = credentials.find((c): c is CredentialRecord => !isUnreadable(c) && sha256Hex(c.cdKey) === stored.cdKeySha256);
  if (!credential) {
    throw gatewayError('The credential created by the first request with this idempotencyKey no longer exists', 'NOT_FOUND');
  }
  return credential;
}

mutationField('createCredential', {
  input: CreateCredentialInput,
  payload: CreateCredentialPayload,
  description: 'Creates a credential (cdKey) for a project (CreateCredentialInfo).',
  authScopes: { admin: true },
  resolve: async (input, ctx) => {
    const projectId = input.projectId ?? ctx.config.ems.projectId;
    validateInput({ ...input, projectId }, CREATE_CREDENTIAL_RULES);
    const project = projectId!; // checked just above
    // The first submission's answer, for rendering without a second read.
    let created: CredentialRecord | null = null;
    return runMutation(ctx, {
      name: 'createCredential',
      idempotencyKey: input.idempotencyKey,
      request: { projectId: project },
      submit: async (): Promise<StoredCredential> => {
        const { credential, accepted } = await ctx.ems.createCredential(project);
        created = credential;
        return {
          projectId: credential?.projectId ?? null,
          createAt: credential?.createdAtMs ?? null,
          cdKeySha256: credential ? sha256Hex(credential.cdKey) : null,
          accepted,
        };
      },
      render: async (stored, replayed) => {
        const first = created;
        const credential = first
          ? () => Promise.resolve(first)
          : replayed
            ? () => findAgain(ctx, project, stored)
            : () => Promise.reject(missingFieldError(stored.accepted, acceptedWithout(stored.accepted, 'cdKey')));
        return { credential, replayed };
      },
      summary: (stored) => ({ projectId: stored.projectId, createAt: stored.createAt }),
    });
  },
});
