import { builder } from '../builder.js';
import type { Context } from '../context.js';
import { EmsProjectId, PROJECT_ID_MAX } from '../ems/models/index.js';
import { sha256Hex } from '../ems/signer.js';
import { missingFieldError, type CredentialRecord } from '../ems/read/index.js';
import { checkArgument, userInputError } from '../errors.js';
import { itemsOf } from './connection.js';
import { inRegion, oneRegionArg } from './region.js';
import { toDate } from './dates.js';

/** The caller's project when the gateway has none configured: ListFeatures names it. */
async function callerProjectId(ctx: Context): Promise<string | null> {
  const page = await ctx.ems.listFeatures({ offset: 0, limit: 1 });
  return page.projectId;
}

/**
 * `<projectId>:<first 16 hex digits of SHA-256(cdKey)>` (the project id empty when EMS sent none it
 * could read): EMS gives credentials no id of their own.
 */
export function credentialId(credential: Pick<CredentialRecord, 'projectId' | 'cdKey'>): string {
  return `${credential.projectId ?? ''}:${sha256Hex(credential.cdKey).slice(0, 16)}`;
}

/** An EMS credential (cdKey) of a project. */
export const Credential = builder.objectRef<CredentialRecord>('Credential').implement({
  description: 'An EMS credential (cdKey) of a project.',
  fields: (t) => ({
    id: t.id({
      nullable: false,
      description:
        'Stable and unique (a cache key): the project id and a one-way hash of the cdKey, so the id reveals nothing of the key.',
      resolve: (c) => credentialId(c),
    }),
    projectId: t.string({
      nullable: false,
      resolve: (c) => c.projectId ?? Promise.reject(missingFieldError(c.source, 'a credential without a readable projectId')),
    }),
    cdKey: t.exposeString('cdKey', { nullable: false }),
    createdAt: t.field({ type: 'DateTime', nullable: true, resolve: (c) => toDate(c.createdAtMs) }),
  }),
});

builder.queryField('credentials', (t) =>
  t.field({
    type: [Credential],
    nullable: { list: false, items: true },
    authScopes: { admin: true },
    description:
      'Credentials of a project (ShowCredentialInfo). `projectId` defaults to the gateway’s project (EMS_PROJECT_ID), ' +
      'else to the caller’s project as ListFeatures reports it (one extra call). ' +
      'A credential EMS sent without a readable cdKey is null, with an error on its path.',
    args: {
      projectId: t.arg.id({ description: `1–${PROJECT_ID_MAX} letters and digits; default EMS_PROJECT_ID, else the caller’s project.` }),
      ...oneRegionArg,
    },
    resolve: async (_root, args, requestCtx) => {
      // Without a region, a projectId that is a configured region's own is read in that region (as createCredential routes).
      const owner = args.region == null && args.projectId != null ? requestCtx.regions.services.list.find((r) => r.projectId === args.projectId)?.name : undefined;
      const ctx = inRegion(requestCtx, args.region ?? owner);
      const projectId = args.projectId ?? ctx.config.ems.projectId ?? (await callerProjectId(ctx));
      if (projectId == null) {
        throw userInputError('"projectId" is required: neither EMS_PROJECT_ID nor EMS names the caller’s project', {
          argument: 'projectId',
        });
      }
      checkArgument('projectId', projectId, EmsProjectId);
      return itemsOf(await ctx.ems.showCredentials(projectId));
    },
  }),
);
