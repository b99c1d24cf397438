import { builder } from '../builder.js';
import { missingFieldError, type FeatureRecord } from '../ems/read/index.js';
import { walkWithTotal } from '../loaders/walk.js';
import {
  AFTER_DESCRIPTION,
  FIRST_DESCRIPTION,
  connectionFromPage,
  mayHaveMore,
  offsetWindow,
  resolveTotalCount,
  type Connection,
} from './connection.js';

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

export const FeatureConnection = builder.connectionObject(
  {
    type: Feature,
    name: 'FeatureConnection',
    nodeNullable: true,
    fields: (t) => ({
      totalCount: t.int({ nullable: false, resolve: resolveTotalCount }),
      projectId: t.string({
        nullable: true,
        description: 'The project the features belong to, as EMS reports it.',
        resolve: (connection) => (connection as unknown as FeatureConnectionShape).projectId,
      }),
    }),
  },
  {
    name: 'FeatureEdge',
    nodeField: { description: 'The feature; null, with an UPSTREAM_BAD_RESPONSE error on this path, when EMS sent one the gateway cannot read (no name).' },
  },
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
      const { total } = page;
      const connection: FeatureConnectionShape = {
        ...(total === null
          ? connectionFromPage(page.features, window, mayHaveMore(window, page.features.length), async () => {
              // No readable total: count them by walking the list.
              const all = await walkWithTotal(async (offset, limit) => {
                const next = await ctx.ems.listFeatures({ offset, limit });
                return { total: next.total, items: next.features };
              });
              return all.length;
            })
          : connectionFromPage(page.features, window, window.offset + page.features.length < total, total)),
        projectId: page.projectId,
      };
      return connection;
    },
  }),
);
