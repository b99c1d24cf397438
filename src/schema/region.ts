/**
 * The regions behind the graph (docs/regions.md): the `Region` type and `regions` query, and the
 * connections that span regions. With one region configured, connections are those of a single
 * EMS list (offset cursors, see connection.ts); with several, `regionalConnection` merges them.
 */
import type { GraphQLResolveInfo } from 'graphql';
import { builder } from '../builder.js';
import type { Context, UpstreamScope } from '../context.js';
import { quote } from '../ems/errors.js';
import type { Listed } from '../ems/read/index.js';
import { userInputError } from '../errors.js';
import { fanOut } from '../regional.js';
import { regionalContext } from '../mutations/route.js';
import type { RegionConfig } from '../regions.js';
import { itemOf, offsetWindow, selectsField, type Connection, type ConnectionArgs, type OffsetWindow } from './connection.js';

export const Region = builder.objectRef<RegionConfig>('Region').implement({
  description: 'An EMS region the gateway spans: its own endpoint, project and fleet.',
  fields: (t) => ({
    name: t.exposeString('name', { nullable: false, description: 'The region, e.g. cn-north-4.' }),
    projectId: t.exposeString('projectId', {
      nullable: true,
      description: 'The project id sent to this region (configured, or found from IAM at start-up); null when none is sent (a token names its own project).',
    }),
    endpoint: t.exposeString('endpoint', { nullable: false, description: 'Base URL of the region’s EMS.' }),
    default: t.boolean({
      nullable: false,
      description: 'The first configured region: the one a single-region client reaches.',
      resolve: (r, _args, ctx) => r.name === ctx.regions.services.default,
    }),
    healthy: t.boolean({
      nullable: false,
      description: 'Whether the region’s EMS answers now (one unretried ListReleases probe, within the request deadline).',
      resolve: (r, _args, ctx) => probeOnce(ctx, r.name),
    }),
  }),
});

/** Each request's probes, by region: one probe per region however many times `healthy` is selected (aliases). */
const probes = new WeakMap<object, Map<string, Promise<boolean>>>();

function probeOnce(ctx: Context, region: string): Promise<boolean> {
  let byRegion = probes.get(ctx.regions);
  if (!byRegion) probes.set(ctx.regions, (byRegion = new Map()));
  let probe = byRegion.get(region);
  if (!probe) {
    probe = ctx.regions.services
      .client(region)
      .ping(ctx.regions.auth(region), { signal: ctx.signal })
      .catch(() => false);
    byRegion.set(region, probe);
  }
  return probe;
}

builder.queryField('regions', (t) =>
  t.field({
    type: [Region],
    nullable: false,
    description: 'The regions the gateway spans, in configured order (the order `clusters` and `jobs` merge them in).',
    resolve: (_root, _args, ctx) => [...ctx.regions.services.list],
  }),
);

/** The `regions` argument of root lists. */
export const regionsArg = builder.args((t) => ({
  regions: t.stringList({ description: 'Only these regions (default: all), merged in configured order.' }),
}));

/** The `region` argument of lookups by id. */
export const regionArg = builder.args((t) => ({
  region: t.string({ description: 'The region the resource is in; without it, every region is asked (one call each).' }),
}));

/** The `region` argument of per-region lists (releases, features, labels, credentials). */
export const oneRegionArg = builder.args((t) => ({
  region: t.string({ description: 'The region to ask (default: the default region, the first configured).' }),
}));

/** `ctx` bound to the region a `region` argument names (BAD_USER_INPUT unless configured), or `ctx` itself. */
export function inRegion(ctx: Context, region: string | null | undefined): Context {
  return region == null ? ctx : regionalContext(ctx, ctx.regions.check('region', region));
}

const CURSOR_PATTERN = /^[A-Za-z0-9+/]+={0,2}$/;
const CURSOR_PREFIX = 'RegionConnection:';
const MAX_CURSOR_OFFSET = 2 ** 31 - 2_002;

/** A cursor across regions: the region of the item and its offset in that region's (filtered) list. */
export const regionCursor = (region: string, offset: number) => Buffer.from(`${CURSOR_PREFIX}${region}:${offset}`, 'utf8').toString('base64');

function decodeRegionCursor(cursor: string, regions: readonly string[]): { region: string; offset: number } {
  const decoded = CURSOR_PATTERN.test(cursor) ? Buffer.from(cursor, 'base64').toString('utf8') : '';
  const match = /^RegionConnection:([a-z0-9-]{1,64}):(0|[1-9]\d{0,9})$/.exec(decoded);
  const offset = match ? Number(match[2]) : Number.NaN;
  if (!match || offset > MAX_CURSOR_OFFSET || regionCursor(match[1]!, offset) !== cursor) {
    throw userInputError(`"after" must be a cursor returned by this connection, got ${quote(cursor)}`, { argument: 'after' });
  }
  if (!regions.includes(match[1]!)) {
    throw userInputError(`"after" points into region ${match[1]}, which this page does not include (regions: ${regions.join(', ')})`, { argument: 'after' });
  }
  return { region: match[1]!, offset };
}

/** What one region contributes to a page: items from `window.offset`, whether more follow, its total. */
export interface RegionSlice<T> {
  items: readonly Listed<T>[];
  hasMore: boolean;
  total: number | (() => Promise<number>);
}

/**
 * A connection over several regions, in configured order, then in each region's own order:
 * the edge of item i of region r has cursor (r, i), so a cursor stays valid whatever the other
 * regions hold. `fetch` reads one region's slice (`needTotal`: the whole list is needed anyway).
 * The regions from the cursor's on are asked at once (with `totalCount`, all of them); one that
 * fails is left out, recorded in `extensions.regions`, with an error naming it on this field.
 */
export async function regionalConnection<T>(
  ctx: Context,
  info: GraphQLResolveInfo,
  args: ConnectionArgs & { regions?: readonly string[] | null },
  fetch: (scope: UpstreamScope, window: OffsetWindow, needTotal: boolean) => Promise<RegionSlice<T>>,
): Promise<Connection<T>> {
  const { limit } = offsetWindow({ first: args.first ?? null }, ctx.config.limits);
  const selected = ctx.regions.select('regions', args.regions);
  const start = args.after != null ? decodeRegionCursor(args.after, selected) : { region: selected[0]!, offset: -1 };
  const startIndex = selected.indexOf(start.region);
  const needTotal = selectsField(info, 'totalCount');
  const asked = selected.filter((_, i) => i >= startIndex || needTotal);
  const windowOf = (name: string): OffsetWindow => {
    const i = selected.indexOf(name);
    if (i < startIndex) return { offset: 0, limit: 0 };
    return { offset: i === startIndex ? start.offset + 1 : 0, limit };
  };
  const slices = await fanOut(ctx, asked, info, (scope, name) => fetch(scope, windowOf(name), needTotal));

  const edges: { cursor: string; node: T }[] = [];
  let hasNextPage = false;
  for (const name of selected.slice(startIndex)) {
    const slice = slices.get(name);
    if (!slice) continue;
    const { offset } = windowOf(name);
    slice.items.forEach((item, i) => {
      if (edges.length < limit) edges.push({ cursor: regionCursor(name, offset + i), node: itemOf(item) });
      else hasNextPage = true;
    });
    if (slice.hasMore) hasNextPage = true;
  }
  return {
    edges,
    pageInfo: {
      hasNextPage,
      hasPreviousPage: args.after != null,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
    totalCount: async () => {
      let total = 0;
      for (const slice of slices.values()) total += typeof slice.total === 'function' ? await slice.total() : slice.total;
      return total;
    },
  };
}

/** A slice of a whole (already filtered) list. */
export function sliceOf<T>(all: readonly Listed<T>[], window: OffsetWindow): RegionSlice<T> {
  return { items: all.slice(window.offset, window.offset + window.limit), hasMore: all.length > window.offset + window.limit, total: all.length };
}
