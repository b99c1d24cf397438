import { builder } from '../builder.js';
import { PREFERRED_VERSION_TAG, type EmsRelease } from '../ems/models/index.js';
import { AFTER_DESCRIPTION, FIRST_DESCRIPTION, connectionFromPage, offsetWindow, resolveTotalCount } from './connection.js';

/** An EMS release (ListReleases). */
export const Release = builder.objectRef<EmsRelease>('Release').implement({
  description: 'An EMS version that clusters can run.',
  fields: (t) => ({
    id: t.exposeID('version', { nullable: false, description: 'The version: stable, and unique among releases (a cache key).' }),
    version: t.exposeString('version', { nullable: false }),
    tag: t.string({ nullable: true, resolve: (release) => release.tag ?? null }),
    description: t.string({ nullable: true, resolve: (release) => release.description ?? null }),
    preferred: t.boolean({
      nullable: false,
      description: `Whether EMS recommends this release (tag ${PREFERRED_VERSION_TAG}).`,
      resolve: (release) => release.tag === PREFERRED_VERSION_TAG,
    }),
  }),
});

export const ReleaseConnection = builder.connectionObject(
  {
    type: Release,
    name: 'ReleaseConnection',
    fields: (t) => ({ totalCount: t.int({ nullable: false, resolve: resolveTotalCount }) }),
  },
  { name: 'ReleaseEdge' },
);

builder.queryField('releases', (t) =>
  t.field({
    type: ReleaseConnection,
    nullable: false,
    description: 'EMS releases (ListReleases), in EMS order.',
    args: {
      first: t.arg.int({ description: FIRST_DESCRIPTION }),
      after: t.arg.string({ description: AFTER_DESCRIPTION }),
    },
    resolve: async (_root, args, ctx) => {
      const window = offsetWindow(args, ctx.config.limits);
      // ListReleases reports a total, so one page is one call (pages are at most 1,000 = the EMS cap).
      const page = await ctx.ems.listReleases({ offset: window.offset, limit: window.limit });
      return connectionFromPage(page.releases, window, window.offset + page.releases.length < page.total, page.total);
    },
  }),
);
