import { builder } from '../builder.js';
import { PREFERRED_VERSION_TAG } from '../ems/models/index.js';
import type { ReleaseRecord } from '../ems/read/index.js';
import { connectionFromTotal, listConnection, offsetWindow, pageArgs } from './connection.js';
import { inRegion, oneRegionArg } from './region.js';

/** An EMS release (ListReleases). */
export const Release = builder.objectRef<ReleaseRecord>('Release').implement({
  description: 'An EMS version that clusters can run.',
  fields: (t) => ({
    id: t.exposeID('version', { nullable: false, description: 'The version: stable, and unique among releases (a cache key).' }),
    version: t.exposeString('version', { nullable: false }),
    tag: t.exposeString('tag', { nullable: true }),
    description: t.exposeString('description', { nullable: true }),
    preferred: t.exposeBoolean('preferred', {
      nullable: false,
      description: `Whether EMS recommends this release (tag ${PREFERRED_VERSION_TAG}).`,
    }),
  }),
});

export const ReleaseConnection = listConnection('Release', Release, 'version');

builder.queryField('releases', (t) =>
  t.field({
    type: ReleaseConnection,
    nullable: false,
    description: 'EMS releases (ListReleases), in EMS order.',
    args: { ...pageArgs, ...oneRegionArg },
    resolve: async (_root, args, requestCtx) => {
      const ctx = inRegion(requestCtx, args.region);
      const window = offsetWindow(args, ctx.config.limits);
      // ListReleases reports a total, so one page is one call (pages are at most 1,000 = the EMS cap).
      const page = await ctx.ems.listReleases({ offset: window.offset, limit: window.limit });
      // Without a readable total, the whole list (once for the request) counts them when asked.
      return connectionFromTotal(page.releases, window, page.total, async () => (await ctx.loaders.allReleases()).length);
    },
  }),
);
