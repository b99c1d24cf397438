import { Provider } from '@urql/preact';
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { connect } from './client';
import { ClusterView } from './components/cluster';
import { FleetView } from './components/fleet';
import { TokenForm } from './components/token';
import type { JobFieldsFragment } from './gql/graphql';
import { FLEET_HREF, useRoute } from './router';
import { SessionContext, type Session } from './state';
import { loadCredentials, saveCredentials, type Credentials } from './token';

/**
 * Whether the gateway serves GraphiQL (GRAPHIQL; off in production by default): it says so in the
 * page it serves. Without its word (another server), the link is not shown.
 */
const GRAPHIQL_ON = document.querySelector<HTMLMetaElement>('meta[name="ems-gateway-graphiql"]')?.content === 'on';

export function App() {
  const [credentials, setCredentials] = useState<Credentials | null>(loadCredentials);
  const [refused, setRefused] = useState(false);
  const [submitted, setSubmitted] = useState<Record<string, JobFieldsFragment[]>>({});
  const route = useRoute();

  const chooseToken = (next: Credentials | null) => {
    saveCredentials(next);
    setCredentials(next);
    setRefused(false);
    setSubmitted({});
  };

  const tokenRefused = useCallback(() => setRefused(true), []);
  const connection = useMemo(() => (credentials ? connect(credentials, tokenRefused) : null), [credentials, tokenRefused]);
  useEffect(() => () => connection?.dispose(), [connection]);

  const session = useMemo<Session>(
    () => ({
      tokenRefused,
      submitted,
      addSubmitted: (job) =>
        setSubmitted((all) => {
          const key = job.clusterId ?? '';
          return { ...all, [key]: [job, ...(all[key] ?? []).filter((j) => j.id !== job.id)] };
        }),
    }),
    [tokenRefused, submitted],
  );

  return (
    <>
      <header class="topbar">
        <a class="brand" href={FLEET_HREF}>
          EMS clusters
        </a>
        <nav aria-label="Tools">
          {GRAPHIQL_ON ? <a href="/graphql">GraphiQL</a> : null}
          {credentials ? (
            <button type="button" class="link" onClick={() => chooseToken(null)}>
              Sign out
            </button>
          ) : null}
        </nav>
      </header>
      <main id="main">
        {!credentials || !connection ? (
          <TokenForm onToken={chooseToken} />
        ) : (
          <Provider value={connection.client}>
            <SessionContext.Provider value={session}>
              {refused ? (
                <div class="banner banner-bad" role="alert">
                  <p>The gateway refused these credentials: missing, mistyped or expired.</p>
                  <button type="button" onClick={() => chooseToken(null)}>
                    Sign in again
                  </button>
                </div>
              ) : null}
              {route.view === 'cluster' ? <ClusterView key={route.id} id={route.id} /> : <FleetView />}
            </SessionContext.Provider>
          </Provider>
        )}
      </main>
    </>
  );
}
