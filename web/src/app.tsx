import { Provider } from '@urql/preact';
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { connect } from './client';
import { ClusterView } from './components/cluster';
import { FleetView } from './components/fleet';
import { TokenForm } from './components/token';
import type { JobFieldsFragment } from './gql/graphql';
import { FLEET_HREF, useRoute } from './router';
import { SessionContext, type Session } from './state';
import { loadToken, saveToken } from './token';

export function App() {
  const [token, setToken] = useState<string | null>(loadToken);
  const [refused, setRefused] = useState(false);
  const [submitted, setSubmitted] = useState<Record<string, JobFieldsFragment[]>>({});
  const route = useRoute();

  const chooseToken = (next: string | null) => {
    saveToken(next);
    setToken(next);
    setRefused(false);
    setSubmitted({});
  };

  const tokenRefused = useCallback(() => setRefused(true), []);
  const connection = useMemo(() => (token ? connect(token, tokenRefused) : null), [token, tokenRefused]);
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
          <a href="/graphql">GraphiQL</a>
          {token ? (
            <button type="button" class="link" onClick={() => chooseToken(null)}>
              Forget token
            </button>
          ) : null}
        </nav>
      </header>
      <main id="main">
        {!token || !connection ? (
          <TokenForm onToken={chooseToken} />
        ) : (
          <Provider value={connection.client}>
            <SessionContext.Provider value={session}>
              {refused ? (
                <div class="banner banner-bad" role="alert">
                  <p>The gateway refused this token: it is missing, mistyped or expired.</p>
                  <button type="button" onClick={() => chooseToken(null)}>
                    Enter another token
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
