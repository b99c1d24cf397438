import { builder } from '../builder.js';
import type { EmsFeature } from '../ems/models/index.js';
import { AFTER_DESCRIPTION, FIRST_DESCRIPTION, connectionFromPage, offsetWindow, resolveTotalCount, type Connection } from './connection.js';

/** An EMS feature gate (ListFeatures). */
export const Feature = builder.objectRef<EmsFeature>('Feature').implement({
  description: 'An EMS feature gate of the caller’s project.',
  fields: (t) => ({
    id: t.exposeID('feature', { nullable: false, description: 'The feature’s name: stable, and unique in the project (a cache key).' }),
    name: t.exposeString('feature', { nullable: false, description: 'e.g. feature.gates.batch_create_v2_loadbalancers_amount' }),
    enabled: t.exposeBoolean('switch', { nullable: false }),
    type: t.string({ nullable: true, description: 'Type of `value`, e.g. INT.', resolve: (f) => f.type ?? null }),
    value: t.string({ nullable: true, resolve: (f) => f.value ?? null }),
    description: t.string({ nullable: true, resolve: (f) => f.description ?? null }),
  }),
});

type FeatureConnectionShape = Connection<EmsFeature> & { projectId: string | null };

export const FeatureConnection = builder.connectionObject(
  {
    type: Feature,
    name: 'FeatureConnection',
    fields: (t) => ({
      totalCount: t.int({ nullable: false, resolve: resolveTotalCount }),
      projectId: t.string({
        nullable: true,
        description: 'The project the features belong to, as EMS reports it.',
        resolve: (connection) => (connection as unknown as FeatureConnectionShape).projectId,
      }),
    }),
  },
  { name: 'FeatureEdge' },
);

builder.queryField('features', (t) =>
  t.field({
    type: FeatureConnection,
    nullable: false,
    description: 'Feature gates of the caller’s project (ListFeatures), in EMS order.',
    args: {
      first: t.arg.int({ description: FIRST_DESCRIPTION }),
      after: t.arg.string({ description: AFTER_DESCRIPTION }),
    },
    resolve: async (_root, args, ctx) => {
      const window = offsetWindow(args, ctx.config.limits);
      const page = await ctx.ems.listFeatures({ offset: window.offset, limit: window.limit });
      const connection: FeatureConnectionShape = {
        ...connectionFromPage(page.features, window, window.offset + page.features.length < page.total, page.total),
        projectId: page.project_id ?? null,
      };
      return connection;
    },
  }),
);
