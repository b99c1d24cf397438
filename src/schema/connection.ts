/**
 * Relay connections over EMS offset/limit lists. Cursors are opaque: base64 of the item's offset
 * (the relay plugin's `offsetToCursor`). Connections page forward only (`first`, `after`), as EMS
 * does; `totalCount` is a number or a thunk, so it is computed only when selected.
 *
 * Items are `Listed<T>`: an element EMS sent that cannot be read keeps its place (and cursor), and
 * its `node` is an error on that path (UPSTREAM_BAD_RESPONSE) while its siblings arrive, which is
 * why edge nodes are nullable.
 */
import type { ObjectRef } from '@pothos/core';
import { offsetToCursor } from '@pothos/plugin-relay';
import { Kind, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';
import { builder } from '../builder.js';
import type { Config } from '../config.js';
import { isUnreadable, unreadableError, type Listed } from '../ems/read/index.js';
import { quote } from '../ems/errors.js';
import { userInputError } from '../errors.js';
import { EMS_MAX_PAGE } from '../loaders/walk.js';

/** The `[offset, offset + limit)` window a `first`/`after` pair selects. */
export interface OffsetWindow {
  offset: number;
  limit: number;
}

export interface ConnectionArgs {
  first?: number | null;
  after?: string | null;
}

export interface Connection<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  /** Resolved lazily by the `totalCount` field. */
  totalCount: number | (() => Promise<number>);
}

const CURSOR_PATTERN = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * The largest offset a cursor may carry. EMS pages with 32-bit offsets, and a page may probe up to
 * EMS_MAX_PAGE + 1 items past the cursor; a larger (forged) offset would only earn an EMS 400.
 */
const MAX_CURSOR_OFFSET = 2 ** 31 - 1 - (EMS_MAX_PAGE + 1);

/** The offset a cursor stands for; a BAD_USER_INPUT error for anything we did not issue. */
export function cursorToOffset(cursor: string): number {
  const decoded = CURSOR_PATTERN.test(cursor) ? Buffer.from(cursor, 'base64').toString('utf8') : '';
  const match = /^OffsetConnection:(0|[1-9]\d{0,9})$/.exec(decoded);
  const offset = match ? Number(match[1]) : Number.NaN;
  if (!Number.isSafeInteger(offset) || offset > MAX_CURSOR_OFFSET || offsetToCursor(offset) !== cursor) {
    throw userInputError(`"after" must be a cursor returned by this connection, got ${quote(cursor)}`, {
      argument: 'after',
    });
  }
  return offset;
}

/**
 * Validates `first` and `after` and turns them into an offset window.
 * `first` defaults to limits.defaultPageSize and may not exceed limits.maxPageSize.
 */
export function offsetWindow(args: ConnectionArgs, limits: Config['limits']): OffsetWindow {
  const first = args.first ?? limits.defaultPageSize;
  if (first < 0 || first > limits.maxPageSize) {
    throw userInputError(`"first" must be between 0 and ${limits.maxPageSize}, got ${first}`, { argument: 'first' });
  }
  const offset = args.after != null ? cursorToOffset(args.after) + 1 : 0;
  return { offset, limit: first };
}

/** A connection from one page of items that starts at window.offset. */
export function connectionFromPage<T>(
  items: readonly Listed<T>[],
  window: OffsetWindow,
  hasNextPage: boolean,
  totalCount: number | (() => Promise<number>),
): Connection<T> {
  const count = Math.min(items.length, window.limit);
  const edges = new Array<Edge<T>>(count);
  for (let i = 0; i < count; i++) edges[i] = new Edge(itemOf(items[i]!), window.offset + i);
  return { edges, pageInfo: new PageInfo(hasNextPage, window.offset, count), totalCount };
}

/** The page info of an offset connection: its cursors are encoded only when a query selects them. */
class PageInfo {
  constructor(
    readonly hasNextPage: boolean,
    private readonly offset: number,
    private readonly count: number,
  ) {}

  get hasPreviousPage(): boolean {
    return this.offset > 0;
  }

  get startCursor(): string | null {
    return this.count > 0 ? offsetToCursor(this.offset) : null;
  }

  get endCursor(): string | null {
    return this.count > 0 ? offsetToCursor(this.offset + this.count - 1) : null;
  }
}

/** An edge of an offset connection: its cursor is encoded only when a query selects it. */
class Edge<T> {
  constructor(
    readonly node: T,
    private readonly offset: number,
  ) {}

  get cursor(): string {
    return offsetToCursor(this.offset);
  }
}

/**
 * A list element as a field value: the record, or the error of an element that cannot be read.
 * graphql-js reports an `Error` returned as a value as an error on that path (that item or node
 * is null), so one bad element costs only itself.
 */
export function itemOf<T>(item: Listed<T>): T {
  return isUnreadable(item) ? (unreadableError(item) as unknown as T) : item;
}

/** List elements as field values: see {@link itemOf}. */
export function itemsOf<T>(items: readonly Listed<T>[]): T[] {
  // Most lists hold no unreadable element: they are served as they are, without a copy.
  for (const item of items) if (isUnreadable(item)) return items.map(itemOf);
  return items as T[];
}

/**
 * A connection from one page of a list that reports its total (ListReleases, ListFeatures), which
 * costs one call. When EMS sent no readable total, a full page may be followed by more, and
 * `countAll` counts the whole list if `totalCount` is asked for.
 */
export function connectionFromTotal<T>(
  items: readonly Listed<T>[],
  window: OffsetWindow,
  total: number | null,
  countAll: () => Promise<number>,
): Connection<T> {
  if (total !== null) return connectionFromPage(items, window, window.offset + items.length < total, total);
  return connectionFromPage(items, window, window.limit > 0 && items.length >= window.limit, countAll);
}

/** A connection from the whole (already filtered) list. */
export function connectionFromList<T>(all: readonly Listed<T>[], window: OffsetWindow): Connection<T> {
  const items = all.slice(window.offset, window.offset + window.limit);
  return connectionFromPage(items, window, window.offset + window.limit < all.length, all.length);
}

/** Resolver of a connection's `totalCount` field. */
export function resolveTotalCount(connection: unknown): number | Promise<number> {
  const total = (connection as Connection<unknown>).totalCount;
  return typeof total === 'function' ? total() : total;
}

/** Whether the field being resolved selects `name` directly (through fragments too). */
export function selectsField(info: GraphQLResolveInfo, name: string): boolean {
  const visit = (set: SelectionSetNode | undefined): boolean =>
    !!set?.selections.some((selection) => {
      if (selection.kind === Kind.FIELD) return selection.name.value === name;
      if (selection.kind === Kind.INLINE_FRAGMENT) return visit(selection.selectionSet);
      return visit(info.fragments[selection.name.value]?.selectionSet);
    });
  return info.fieldNodes.some((node) => visit(node.selectionSet));
}

/** The arguments of every connection field: `first` and `after`. */
export const pageArgs = builder.args((t) => ({
  first: t.int({ description: 'Number of items to return (default and maximum are set by the gateway: DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE).' }),
  after: t.string({ description: 'Return items after this cursor (an `endCursor` or edge `cursor` of this connection).' }),
}));

/**
 * `<name>Connection` and `<name>Edge` over a list of `type`, with `totalCount`. An element EMS
 * sent without its identity keeps its edge: `node` is null, with the error on its path.
 * @param identity what the element cannot be read without, e.g. "id"
 */
export function listConnection<T>(name: string, type: ObjectRef<typeof builder extends { $inferSchemaTypes: infer S } ? S : never, T>, identity: string) {
  return builder.connectionObject(
    {
      type,
      name: `${name}Connection`,
      nodeNullable: true,
      fields: (t) => ({ totalCount: t.int({ nullable: false, resolve: resolveTotalCount }) }),
    },
    {
      name: `${name}Edge`,
      nodeField: {
        description: `The ${name.toLowerCase()}; null, with an UPSTREAM_BAD_RESPONSE error on this path, when EMS sent one the gateway cannot read (no ${identity}).`,
      },
    },
  );
}
