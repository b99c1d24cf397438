import { builder } from '../builder.js';
import { missingFieldError, type FeatureRecord } from '../ems/read/index.js';
import { walkWithTotal } from '../loaders/walk.js';
import { connectionFromTotal, listConnection, offsetWindow, pageArgs, type Connection } from './connection.js';
import { inRegion, oneRegionArg } from './region.js';

/** An EMS feature gate (ListFeatures). */
export const Feature = builder.objectRef<FeatureRecord>('Feature').implement({
  description: 'An EMS feature gate of the caller’s project.',
  fields: (t) => ({
    id: t.exposeID('name', { nullable: false, description: 'The feature’s name: stable, and unique in the project (a cache key).' }),
    name: t.exposeString('name', { nullable: false, description: 'e.g. feature.gates.batch_create_v2_loadbalancers_amount' }),
    enabled: t.boolean({
      nullable: false,
      resolve: (f) => f.enabled ?? Promise.reject(missingFieldError(f.source, `feature ${f.name} without a readable switch`)),
    }),
    type: t.exposeString('type', { nullable: true, description: 'Type of `value`, e.g. INT.' }),
    value: t.exposeString('value', { nullable: true }),
    description: t.exposeString('description', { nullable: true }),
  }),
});

type FeatureConnectionShape = Connection<FeatureRecord> & { projectId: string | null };

export const FeatureConnection = listConnection('Feature', Feature, 'name');

builder.objectField(FeatureConnection, 'projectId', (t) =>
  t.string({
    nullable: true,
    description: 'The project the features belong to, as EMS reports it.',
    resolve: (connection) => (connection as unknown as FeatureConnectionShape).projectId,
  }),
);

builder.queryField('features', (t) =>
  t.field({
    type: FeatureConnection,
    nullable: false,
    description: 'Feature gates of the caller’s project (ListFeatures), in EMS order.',
    args: { ...pageArgs, ...oneRegionArg },
    resolve: async (_root, args, requestCtx) => {
      const ctx = inRegion(requestCtx, args.region);
      const window = offsetWindow(args, ctx.config.limits);
      const page = await ctx.ems.listFeatures({ offset: window.offset, limit: window.limit });
      // Without a readable total, walking the list counts them when asked.
      const countAll = async () => {
        const all = await walkWithTotal(async (offset, limit) => {
          const next = await ctx.ems.listFeatures({ offset, limit });
          return { total: next.total, items: next.features };
        });
        return all.length;
      };
      const connection: FeatureConnectionShape = { ...connectionFromTotal(page.features, window, page.total, countAll), projectId: page.projectId };
      return connection;
    },
  }),
);
