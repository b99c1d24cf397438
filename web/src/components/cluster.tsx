import { useQuery, useSubscription } from '@urql/preact';
import { useEffect, useMemo } from 'preact/hooks';
import { formatGiB, formatTime, hugePageGiB, timeAgo } from '../format';
import { ClusterQuery, ClusterStatusSubscription } from '../operations';
import { FLEET_HREF } from '../router';
import { isTokenRefused, useSession } from '../state';
import { AuthorizeButton, DeleteButton, NodeNamesForm } from './cluster-actions';
import { JobList } from './jobs';
import { RequestErrorList, StatusBadge, useNow } from './ui';
import { errorMessages } from '../errors';

/** Jobs of one cluster read at once (EMS lists them oldest first). */
const JOBS_SHOWN = 200;

export function ClusterView({ id }: { id: string }) {
  const session = useSession();
  const now = useNow(5_000);
  const [{ data, error, fetching }, refetch] = useQuery({ query: ClusterQuery, variables: { id, jobs: JOBS_SHOWN }, requestPolicy: 'cache-and-network' });
  const [{ data: live }] = useSubscription({ query: ClusterStatusSubscription, variables: { id } });
  const reread = () => refetch({ requestPolicy: 'network-only' });

  useEffect(() => {
    if (isTokenRefused(error)) session.tokenRefused();
  }, [error]);

  // A new status means nodes, release or jobs may have changed too.
  const liveStatus = live?.clusterStatus.status;
  useEffect(() => {
    if (liveStatus && data?.cluster && liveStatus !== data.cluster.status) reread();
  }, [liveStatus]);

  const cluster = data?.cluster;
  const jobs = useMemo(() => {
    const listed = (cluster?.jobs?.edges ?? []).flatMap((e) => (e.node ? [e.node] : []));
    const known = new Set(listed.map((j) => j.id));
    return [...(session.submitted[id] ?? []).filter((j) => !known.has(j.id)), ...listed];
  }, [cluster, session.submitted, id]);

  if (!cluster) {
    return (
      <section>
        <p>
          <a href={FLEET_HREF}>← All clusters</a>
        </p>
        {error && isTokenRefused(error) ? null : error ? (
          <RequestErrorList what="The cluster" messages={errorMessages(error)} />
        ) : fetching || !data ? (
          <p>Loading…</p>
        ) : (
          <p role="alert">EMS knows no cluster {id}.</p>
        )}
      </section>
    );
  }

  const status = live?.clusterStatus.status ?? cluster.status;
  const statusText = live ? live.clusterStatus.statusText : cluster.statusText;
  const reason = live?.clusterStatus.reason ?? cluster.reason;
  const available = live?.clusterStatus.availableNodeCount ?? cluster.availableNodeCount;
  const nodeCount = live?.clusterStatus.k8s?.nodeCount ?? cluster.k8s?.nodeCount;
  const updatedAt = live?.clusterStatus.updatedAt ?? cluster.updatedAt;
  const target = { id: cluster.id, name: cluster.name };
  const gone = status === 'DELETED';

  return (
    <section aria-labelledby="cluster-title">
      <p>
        <a href={FLEET_HREF}>← All clusters</a>
      </p>
      <div class="title-row">
        <h1 id="cluster-title">{cluster.name}</h1>
        <span aria-live="polite" data-testid="cluster-status">
          <StatusBadge status={status} text={statusText} label="Cluster status" />
        </span>
      </div>
      {reason ? <p class="reason">{reason}</p> : null}
      <dl class="facts">
        <dt>Nodes</dt>
        <dd>
          {nodeCount ?? '—'}
          {available != null && available !== nodeCount ? ` (${available} available)` : ''}
        </dd>
        <dt>Huge-page memory</dt>
        <dd>{formatGiB(hugePageGiB(cluster.memory))}</dd>
        <dt>Region</dt>
        <dd>{cluster.region}</dd>
        <dt>Release</dt>
        <dd>{cluster.release?.version ?? cluster.k8s?.version ?? '—'}</dd>
        <dt>Last update</dt>
        <dd>
          <time dateTime={updatedAt ?? undefined} title={formatTime(updatedAt)}>
            {timeAgo(updatedAt, now)}
          </time>
        </dd>
        <dt>Created</dt>
        <dd>{formatTime(cluster.createdAt)}</dd>
        <dt>CCE cluster</dt>
        <dd>
          {cluster.k8sName ?? '—'} <code>{cluster.k8s?.k8sClusterId}</code>
        </dd>
        <dt>Namespace</dt>
        <dd>{cluster.k8s?.namespace ?? '—'}</dd>
        <dt>Cluster ID</dt>
        <dd>
          <code>{cluster.id}</code>
        </dd>
        {cluster.description ? (
          <>
            <dt>Description</dt>
            <dd>{cluster.description}</dd>
          </>
        ) : null}
      </dl>

      {gone ? (
        <p class="banner" role="status">
          This cluster has been deleted. <a href={FLEET_HREF}>Back to all clusters</a>
        </p>
      ) : (
        <div class="cluster-actions">
          <NodeNamesForm cluster={target} verb="expand" />
          <NodeNamesForm cluster={target} verb="shrink" />
          <AuthorizeButton cluster={target} />
          <DeleteButton cluster={target} />
        </div>
      )}

      <JobList jobs={jobs} onJobEnded={reread} />
      {cluster.jobs && cluster.jobs.totalCount > JOBS_SHOWN ? (
        <p class="hint">
          Showing the first {JOBS_SHOWN} of {cluster.jobs.totalCount} jobs.
        </p>
      ) : null}
    </section>
  );
}
