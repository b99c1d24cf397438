import { useEffect, useState } from 'preact/hooks';

/** Views by URL fragment: `#/` the fleet, `#/clusters/<id>` one cluster. */
export type Route = { view: 'fleet' } | { view: 'cluster'; id: string };

export function parseRoute(hash: string): Route {
  const match = /^#\/clusters\/([^/?#]+)/.exec(hash);
  return match ? { view: 'cluster', id: decodeURIComponent(match[1]!) } : { view: 'fleet' };
}

export const clusterHref = (id: string) => `#/clusters/${encodeURIComponent(id)}`;
export const FLEET_HREF = '#/';

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const update = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', update);
    return () => removeEventListener('hashchange', update);
  }, []);
  return route;
}
