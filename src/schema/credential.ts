import { createHash } from 'node:crypto';
import { builder } from '../builder.js';
import type { Context } from '../context.js';
import { PROJECT_ID_PATTERN, type EmsCredential } from '../ems/models/index.js';
import { quote, userInputError } from '../errors.js';
import { toDate } from './dates.js';

/** The caller's project when the gateway has none configured: ListFeatures names it. */
async function callerProjectId(ctx: Context): Promise<string | null> {
  const page = await ctx.ems.listFeatures({ offset: 0, limit: 1 });
  return page.project_id || null;
}

/** `<projectId>:<first 16 hex digits of SHA-256(cdKey)>`: EMS gives credentials no id of their own. */
export function credentialId(credential: EmsCredential): string {
  return `${credential.projectId}:${createHash('sha256').update(credential.cdKey).digest('hex').slice(0, 16)}`;
}

/** An EMS credential (cdKey) of a project. */
export const Credential = builder.objectRef<EmsCredential>('Credential').implement({
  description: 'An EMS credential (cdKey) of a project.',
  fields: (t) => ({
    id: t.id({
      nullable: false,
      description:
        'Stable and unique (a cache key): the project id and a one-way hash of the cdKey, so the id reveals nothing of the key.',
      resolve: (c) => credentialId(c),
    }),
    projectId: t.exposeString('projectId', { nullable: false }),
    cdKey: t.exposeString('cdKey', { nullable: false }),
    createdAt: t.field({ type: 'DateTime', nullable: true, resolve: (c) => toDate(c.createAt) }),
  }),
});

builder.queryField('credentials', (t) =>
  t.field({
    type: [Credential],
    nullable: false,
    description:
      'Credentials of a project (ShowCredentialInfo). `projectId` defaults to the gateway’s project (EMS_PROJECT_ID), ' +
      'else to the caller’s project as ListFeatures reports it (one extra call).',
    args: { projectId: t.arg.id({ description: '1–255 letters and digits; default EMS_PROJECT_ID, else the caller’s project.' }) },
    resolve: async (_root, args, ctx) => {
      const projectId = args.projectId ?? ctx.config.ems.projectId ?? (await callerProjectId(ctx));
      if (projectId == null) {
        throw userInputError('"projectId" is required: neither EMS_PROJECT_ID nor EMS names the caller’s project', {
          argument: 'projectId',
        });
      }
      if (!PROJECT_ID_PATTERN.test(projectId)) {
        throw userInputError(`"projectId" must be 1–255 letters or digits, got ${quote(projectId)}`, {
          argument: 'projectId',
        });
      }
      return ctx.ems.showCredentials(projectId);
    },
  }),
);
