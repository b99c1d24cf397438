import { useClient } from '@urql/preact';
import type { CombinedError, OperationResult } from '@urql/core';
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { ClusterStatus, FleetClusterFieldsFragment, FleetQuery as FleetQueryData } from '../gql/graphql';
import { CLUSTER_STATUSES, formatGiB, formatTime, hugePageGiB, timeAgo } from '../format';
import { FleetQuery } from '../operations';
import { clusterHref } from '../router';
import { isTokenRefused, useSession } from '../state';
import { CreateClusterForm, EnrollClusterForm } from './cluster-forms';
import { RequestErrorList, StatusBadge, useNow } from './ui';
import { errorMessages } from '../errors';

/** Clusters per request when the fleet is read; a fleet of 1,000 takes two. */
const PAGE_SIZE = 500;
/** Upper bound of pages read, so a runaway cursor cannot loop. */
const MAX_PAGES = 40;
/** The fleet is re-read this often while the view is open. */
const REFRESH_MS = 10_000;

interface FleetState {
  clusters: FleetClusterFieldsFragment[];
  total: number;
  loading: boolean;
  error: CombinedError | null;
  /** Regions that did not answer the last read (their clusters are missing; the others show). */
  missingRegions: string[];
  /** The regions the gateway spans, as the last read listed them. */
  regions: string[];
}

/** The regions named by the errors of a partial answer (a region that failed is left out, with an error naming it). */
function regionsIn(error: CombinedError | undefined): string[] {
  const names = (error?.graphQLErrors ?? []).map((e) => e.extensions?.region).filter((r): r is string => typeof r === 'string');
  return [...new Set(names)];
}

/** Every cluster with one of `status` (all when null), in `region` (all when null), re-read every REFRESH_MS and on `reload`. */
function useFleet(status: string | null, region: string | null): [FleetState, () => void] {
  const client = useClient();
  const { tokenRefused } = useSession();
  const [state, setState] = useState<FleetState>({ clusters: [], total: 0, loading: true, error: null, missingRegions: [], regions: [] });
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    setState((s) => ({ ...s, loading: true }));
    (async () => {
      const clusters: FleetClusterFieldsFragment[] = [];
      let after: string | null = null;
      let total = 0;
      let error: CombinedError | null = null;
      const missingRegions = new Set<string>();
      let regions: string[] = [];
      for (let page = 0; page < MAX_PAGES; page++) {
        const result: OperationResult<FleetQueryData> = await client
          .query(
            FleetQuery,
            { first: PAGE_SIZE, after, status: status ? [status as ClusterStatus] : null, regions: region ? [region] : null },
            { requestPolicy: 'network-only' },
          )
          .toPromise();
        if (cancelled) return;
        // A region that failed leaves the others' clusters: show them, and say which region is missing.
        const failed = regionsIn(result.error);
        if (result.data && failed.length > 0) {
          for (const name of failed) missingRegions.add(name);
        } else if (result.error || !result.data) {
          error = result.error ?? null;
          break;
        }
        regions = result.data.regions.map((r) => r.name);
        const connection = result.data.clusters;
        total = connection.totalCount;
        // A cluster EMS sent unreadably is a null node (with an error): the others still show.
        clusters.push(...connection.edges.flatMap((e) => (e.node ? [e.node] : [])));
        if (!connection.pageInfo.hasNextPage || !connection.pageInfo.endCursor) break;
        after = connection.pageInfo.endCursor;
      }
      if (error) {
        if (isTokenRefused(error)) tokenRefused();
        setState((s) => ({ ...s, loading: false, error }));
      } else {
        setState({ clusters, total, loading: false, error: null, missingRegions: [...missingRegions], regions });
      }
      // The next read starts a while after this one ended, however long it took.
      if (!cancelled) timer = setTimeout(() => setGeneration((g) => g + 1), REFRESH_MS);
    })();
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [client, status, region, generation, tokenRefused]);
  return [state, () => setGeneration((g) => g + 1)];
}

interface Column {
  key: string;
  label: string;
  render(cluster: FleetClusterFieldsFragment, now: number): preact.ComponentChildren;
  numeric?: boolean;
}

/** The region column, shown after the name when the gateway spans several regions. */
const REGION_COLUMN: Column = { key: 'region', label: 'Region', render: (c) => c.region };

/** The fleet table's columns, in order (the region column is added when there are several regions). */
const COLUMNS: Column[] = [
  { key: 'name', label: 'Name', render: (c) => <a href={clusterHref(c.id)}>{c.name}</a> },
  { key: 'status', label: 'Status', render: (c) => <StatusBadge status={c.status} text={c.statusText} label={`Status of ${c.name}`} /> },
  {
    key: 'nodes',
    label: 'Nodes',
    numeric: true,
    render: (c) => {
      const requested = c.k8s?.nodeCount;
      const available = c.availableNodeCount;
      if (requested == null) return available ?? '—';
      return available != null && available !== requested ? `${requested} (${available} available)` : requested;
    },
  },
  { key: 'memory', label: 'Huge-page memory', numeric: true, render: (c) => formatGiB(hugePageGiB(c.memory)) },
  { key: 'release', label: 'Release', render: (c) => c.release?.version ?? c.k8s?.version ?? '—' },
  {
    key: 'updated',
    label: 'Last update',
    render: (c, now) => (
      <time dateTime={c.updatedAt ?? undefined} title={formatTime(c.updatedAt)}>
        {timeAgo(c.updatedAt, now)}
      </time>
    ),
  },
];

type Panel = 'none' | 'create' | 'enroll';

export function FleetView() {
  const [status, setStatus] = useState<string>('');
  const [region, setRegion] = useState<string>('');
  const [search, setSearch] = useState('');
  const [panel, setPanel] = useState<Panel>('none');
  const [fleet, reload] = useFleet(status || null, region || null);
  const regions = fleet.regions;
  const multiRegion = regions.length > 1;
  const columns = multiRegion ? [COLUMNS[0]!, REGION_COLUMN, ...COLUMNS.slice(1)] : COLUMNS;
  const now = useNow(5_000);
  const shown = useMemo(() => {
    const needle = search.trim().toLowerCase();
    return needle ? fleet.clusters.filter((c) => c.name.toLowerCase().includes(needle)) : fleet.clusters;
  }, [fleet.clusters, search]);

  return (
    <section aria-labelledby="fleet-title">
      <div class="heading-row">
        <h1 id="fleet-title">Clusters</h1>
        <div class="actions">
          <button type="button" aria-expanded={panel === 'create'} onClick={() => setPanel(panel === 'create' ? 'none' : 'create')}>
            New cluster
          </button>
          <button type="button" aria-expanded={panel === 'enroll'} onClick={() => setPanel(panel === 'enroll' ? 'none' : 'enroll')}>
            Enroll cluster
          </button>
        </div>
      </div>

      {panel === 'create' ? <CreateClusterForm onClose={() => setPanel('none')} regions={regions} /> : null}
      {panel === 'enroll' ? <EnrollClusterForm onClose={() => setPanel('none')} regions={regions} /> : null}

      <form class="filters" role="search" aria-label="Filter clusters" onSubmit={(e) => e.preventDefault()}>
        {multiRegion ? (
          <div class="field">
            <label for="fleet-region">Region</label>
            <select id="fleet-region" value={region} onChange={(e) => setRegion(e.currentTarget.value)}>
              <option value="">All regions</option>
              {regions.map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </select>
          </div>
        ) : null}
        <div class="field">
          <label for="fleet-status">Status</label>
          <select id="fleet-status" value={status} onChange={(e) => setStatus(e.currentTarget.value)}>
            <option value="">All statuses</option>
            {CLUSTER_STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="fleet-search">Search by name</label>
          <input id="fleet-search" type="search" value={search} onInput={(e) => setSearch(e.currentTarget.value)} placeholder="e.g. kvcache" />
        </div>
        <button type="button" onClick={reload} disabled={fleet.loading}>
          {fleet.loading ? 'Refreshing…' : 'Refresh'}
        </button>
      </form>

      {fleet.error && !isTokenRefused(fleet.error) ? <RequestErrorList what="The fleet" messages={errorMessages(fleet.error)} /> : null}

      {fleet.missingRegions.length > 0 ? (
        <p class="form-errors" role="alert">
          Not shown: {fleet.missingRegions.join(', ')} did not answer; the other regions’ clusters are shown.
        </p>
      ) : null}

      {/* A failed read with nothing read before it shows its error (or, for refused credentials, the
          banner above), not an empty table that would look like an empty fleet. */}
      {fleet.error && !fleet.clusters.length ? null : (
        <FleetTable fleet={fleet} shown={shown} now={now} columns={columns} multiRegion={multiRegion} />
      )}
    </section>
  );
}

function FleetTable({ fleet, shown, now, columns, multiRegion }: { fleet: FleetState; shown: FleetClusterFieldsFragment[]; now: number; columns: readonly Column[]; multiRegion: boolean }) {
  return (
    <>
      <p class="summary" aria-live="polite">
        {fleet.loading && !fleet.clusters.length ? 'Loading clusters…' : `Showing ${shown.length} of ${fleet.total} clusters`}
      </p>

      <div class="table-wrap">
        <table class="fleet">
          <caption class="visually-hidden">Clusters, with {multiRegion ? 'region, ' : ''}status, nodes, huge-page memory, release and last update</caption>
          <thead>
            <tr>
              {columns.map((c) => (
                <th key={c.key} scope="col" class={c.numeric ? 'numeric' : undefined}>
                  {c.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {shown.map((cluster) => (
              <tr key={`${cluster.region}:${cluster.id}`} data-cluster-id={cluster.id} data-region={cluster.region}>
                {columns.map((c) => (
                  <td key={c.key} class={c.numeric ? 'numeric' : undefined}>
                    {c.render(cluster, now)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
