import {
  GraphQLError,
  Kind,
  getNamedType,
  isObjectType,
  isInterfaceType,
  valueFromASTUntyped,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import type { Config } from '../config.js';
import type { ErrorExtensions } from '../errors.js';
import { SHOW_CLUSTER_MAX_BATCH, SHOW_JOB_MAX_BATCH } from '../loaders/index.js';

/**
 * The cost of an operation in upstream EMS calls, estimated before execution from the document
 * alone, following the loaders' batching rules (src/loaders/): a list of N clusters asking for
 * their jobs costs one ListJobs walk per job type, not N calls; N clusters by id cost N ShowCluster
 * calls up to SHOW_CLUSTER_MAX_BATCH, then one ListClusters walk; aliases of a root field that calls
 * EMS directly (releases, features, credentials) cost one call each. Each list walk is counted as
 * one page, i.e. projects with under 1,000 items per list; the actual count is reported beside it.
 * With several regions, the bound is that times the number of regions.
 */

/** What resolving one field costs, per parent object. */
type Effect =
  /** `n` calls of its own for every parent object. */
  | { kind: 'calls'; n: number }
  /** One key of a DataLoader batch per parent object (batches form per level of the tree). */
  | { kind: 'key'; loader: 'cluster' | 'job' | 'labels' }
  /** The per-request memoized walk of one or more EMS lists (once per request). */
  | { kind: 'lists'; names: string[] };

type Rule = (args: Record<string, unknown>, field: FieldNode, config: Config) => Effect[];

const selects = (field: FieldNode, name: string) => !!field.selectionSet?.selections.some((s) => s.kind === Kind.FIELD && s.name.value === name);
const jobLists = (type: unknown) => (type === 'SHORT' ? ['jobs:short'] : type === 'LONG' ? ['jobs:long'] : ['jobs:short', 'jobs:long']);
const isFirstPageLarge = (args: Record<string, unknown>, config: Config) => pageSize(args, config) >= 1000;

const clusterJobWrite: Rule = () => [{ kind: 'calls', n: 2 }]; // the write, then ShowJob of its job

/** The fields whose resolvers call EMS, by `Type.field`. Every other field costs nothing. */
const RULES: Record<string, Rule> = {
  'Query.clusters': (args, field, config) =>
    (Array.isArray(args.status) && args.status.length > 0) || selects(field, 'totalCount')
      ? [{ kind: 'lists', names: ['clusters'] }]
      : [{ kind: 'calls', n: isFirstPageLarge(args, config) ? 2 : 1 }],
  'Query.cluster': () => [{ kind: 'key', loader: 'cluster' }],
  'Query.jobs': (args, field, config) =>
    args.clusterId == null && args.type != null && !(Array.isArray(args.status) && args.status.length > 0) && !selects(field, 'totalCount')
      ? [{ kind: 'calls', n: isFirstPageLarge(args, config) ? 2 : 1 }]
      : [{ kind: 'lists', names: jobLists(args.type) }],
  'Query.job': () => [{ kind: 'key', loader: 'job' }],
  'Query.releases': () => [{ kind: 'calls', n: 1 }],
  'Query.features': () => [{ kind: 'calls', n: 1 }],
  'Query.clusterLabels': () => [{ kind: 'key', loader: 'labels' }],
  'Query.credentials': (args, _field, config) => [{ kind: 'calls', n: args.projectId == null && config.ems.projectId == null ? 2 : 1 }],
  'Cluster.jobs': (args) => [{ kind: 'lists', names: jobLists(args.type) }],
  'Cluster.labels': () => [{ kind: 'key', loader: 'labels' }],
  'Cluster.release': () => [{ kind: 'lists', names: ['releases'] }],
  'Job.cluster': () => [{ kind: 'key', loader: 'cluster' }],
  'Mutation.createCluster': clusterJobWrite,
  'Mutation.enrollCluster': clusterJobWrite,
  'Mutation.expandCluster': clusterJobWrite,
  'Mutation.shrinkCluster': clusterJobWrite,
  'Mutation.deleteCluster': clusterJobWrite,
  'Mutation.authorizeCluster': () => [{ kind: 'calls', n: 1 }],
  'Mutation.cancelJobs': () => [{ kind: 'calls', n: 1 }],
  'Mutation.createCredential': () => [{ kind: 'calls', n: 1 }],
  'CreateClusterPayload.cluster': () => [{ kind: 'key', loader: 'cluster' }],
  'EnrollClusterPayload.cluster': () => [{ kind: 'key', loader: 'cluster' }],
  'ExpandClusterPayload.cluster': () => [{ kind: 'key', loader: 'cluster' }],
  'ShrinkClusterPayload.cluster': () => [{ kind: 'key', loader: 'cluster' }],
  'DeleteClusterPayload.cluster': () => [{ kind: 'key', loader: 'cluster' }],
  'AuthorizeClusterPayload.cluster': () => [{ kind: 'key', loader: 'cluster' }],
  // The poller's calls are shared by every subscriber and not charged to any request.
  'Subscription.jobProgress': () => [],
  'Subscription.clusterStatus': () => [],
};

function pageSize(args: Record<string, unknown>, config: Config): number {
  const first = typeof args.first === 'number' ? args.first : config.limits.defaultPageSize;
  return Math.max(0, Math.min(first, config.limits.maxPageSize));
}

/** Multiplicities beyond this are all "too many" alike; keeps the arithmetic finite. */
const MULTIPLICITY_CAP = 1e9;

interface Work {
  type: GraphQLNamedType;
  /** The selection sets merged under one response key (as graphql-js merges them). */
  sets: readonly SelectionSetNode[];
  /** How many objects of `type` the selection runs on. */
  multiplicity: number;
  level: number;
  /**
   * Whether these objects are jobs listed under a cluster (`Cluster.jobs`): their `cluster` is that
   * cluster, already primed into the loader by the list that produced it, so it costs nothing.
   */
  underCluster: boolean;
}

/**
 * The estimated EMS calls of `operation`. Walks the selection tree with an explicit stack (no
 * recursion), merging fields by response key and including each fragment once per selection set,
 * as execution does; variables fill arguments.
 */
export function estimateCost(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  variables: Record<string, unknown> | null | undefined,
  config: Config,
): number {
  const root = schema.getRootType(operation.operation);
  if (!root) return 0;
  let direct = 0;
  const lists = new Set<string>();
  const keys = new Map<string, { loader: string; count: number }>();

  const stack: Work[] = [{ type: root, sets: [operation.selectionSet], multiplicity: 1, level: 0, underCluster: false }];
  while (stack.length > 0) {
    const work = stack.pop()!;
    for (const [type, fields] of collectFields(schema, work.type, work.sets, fragments)) {
      if (!isObjectType(type) && !isInterfaceType(type)) continue;
      const defs = type.getFields();
      for (const nodes of fields.values()) {
        const node = nodes[0]!;
        const def = defs[node.name.value];
        if (!def) continue;
        const args: Record<string, unknown> = {};
        for (const arg of node.arguments ?? []) args[arg.name.value] = valueFromASTUntyped(arg.value, variables ?? undefined);
        const key = `${type.name}.${def.name}`;
        const rule = key === 'Job.cluster' && work.underCluster ? undefined : RULES[key];
        for (const effect of rule ? rule(args, node, config) : []) {
          if (effect.kind === 'calls') direct += effect.n * work.multiplicity;
          else if (effect.kind === 'lists') for (const name of effect.names) lists.add(name);
          else {
            const batch = `${effect.loader}@${work.level}`;
            const entry = keys.get(batch) ?? { loader: effect.loader, count: 0 };
            entry.count = Math.min(MULTIPLICITY_CAP, entry.count + work.multiplicity);
            keys.set(batch, entry);
          }
        }
        const sets = nodes.flatMap((n) => (n.selectionSet ? [n.selectionSet] : []));
        if (sets.length === 0) continue;
        const perParent = 'first' in args || def.args.some((a) => a.name === 'first') ? pageSize(args, config) : 1;
        stack.push({
          type: getNamedType(def.type),
          sets,
          multiplicity: Math.min(MULTIPLICITY_CAP, work.multiplicity * perParent),
          level: work.level + 1,
          underCluster: key === 'Cluster.jobs' || (work.underCluster && key !== 'Job.cluster'),
        });
      }
    }
  }

  let batched = 0;
  for (const { loader, count } of keys.values()) {
    if (loader === 'labels') batched += count;
    else if (loader === 'cluster') {
      if (count <= SHOW_CLUSTER_MAX_BATCH) batched += count;
      else lists.add('clusters');
    } else if (count <= SHOW_JOB_MAX_BATCH) batched += count;
    else for (const name of jobLists(null)) lists.add(name);
  }
  // Several regions (EMS_REGIONS): each may do the same work (lists fan out, ids are looked up in
  // each), so the bound is the one-region estimate once per region.
  const regions = Math.max(1, config.ems.regions?.length ?? 1);
  return Math.min(MULTIPLICITY_CAP, (direct + batched + lists.size) * regions);
}

/**
 * The fields a group of selection sets selects, by the type they are selected on, then by
 * response key; named fragments are included once each, inline and named fragments narrow the
 * type. Iterative: fragments can nest as deep as the document does.
 */
function collectFields(
  schema: GraphQLSchema,
  type: GraphQLNamedType,
  sets: readonly SelectionSetNode[],
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
): Map<GraphQLNamedType, Map<string, FieldNode[]>> {
  const out = new Map<GraphQLNamedType, Map<string, FieldNode[]>>();
  const visited = new Set<string>();
  const pending: { set: SelectionSetNode; type: GraphQLNamedType }[] = sets.map((set) => ({ set, type })).reverse();
  while (pending.length > 0) {
    const { set, type: on } = pending.pop()!;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        const key = selection.alias?.value ?? selection.name.value;
        let byKey = out.get(on);
        if (!byKey) out.set(on, (byKey = new Map()));
        const list = byKey.get(key);
        if (list) list.push(selection);
        else byKey.set(key, [selection]);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const narrowed = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : on;
        if (narrowed) pending.push({ set: selection.selectionSet, type: narrowed });
      } else if (!visited.has(selection.name.value)) {
        visited.add(selection.name.value);
        const fragment = fragments.get(selection.name.value);
        const narrowed = fragment && schema.getType(fragment.typeCondition.name.value);
        if (fragment && narrowed) pending.push({ set: fragment.selectionSet, type: narrowed });
      }
    }
  }
  return out;
}

/** The OPERATION_TOO_COSTLY error of an operation estimated over MAX_OPERATION_COST. */
export function costError(estimated: number, max: number): GraphQLError {
  const extensions: ErrorExtensions = {
    code: 'OPERATION_TOO_COSTLY',
    upstreamCode: null,
    requestId: null,
    retryable: false,
    limit: 'MAX_OPERATION_COST',
    cost: { estimated, max },
  };
  return new GraphQLError(
    `This operation would make about ${estimated} EMS calls; the limit is ${max} (MAX_OPERATION_COST). Ask for fewer items, aliases or nested lists`,
    { extensions },
  );
}
