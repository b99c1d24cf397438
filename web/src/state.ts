import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { JobFieldsFragment } from './gql/graphql';

/** What every view may reach: the token's fate, and the jobs this tab submitted. */
export interface Session {
  /** Call when the gateway refuses the token (UNAUTHENTICATED, WebSocket 4403). */
  tokenRefused(): void;
  /**
   * Jobs submitted from this tab, by cluster id: a view shows them at once, before a query of the
   * cluster's jobs would list them.
   */
  submitted: Readonly<Record<string, readonly JobFieldsFragment[]>>;
  addSubmitted(job: JobFieldsFragment): void;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside <SessionContext.Provider>');
  return session;
}

/** Whether a request failed because the gateway refused the credentials (401, or UNAUTHENTICATED). */
export function isTokenRefused(
  error: { graphQLErrors: readonly { extensions?: Record<string, unknown> }[]; response?: { status?: number } } | undefined,
): boolean {
  return !!error && (error.response?.status === 401 || error.graphQLErrors.some((e) => e.extensions?.code === 'UNAUTHENTICATED'));
}
