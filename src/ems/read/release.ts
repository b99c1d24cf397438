import { PREFERRED_VERSION_TAG } from '../models/release.js';
import { byIdentity, type Listed, type WireReader } from './reader.js';

/** An EMS release (ListReleases); its version is its identity. */
export interface ReleaseRecord {
  version: string;
  tag: string | null;
  description: string | null;
  /** Whether EMS recommends it (tag PREFERRED_VERSION). */
  preferred: boolean;
}

export const readRelease = byIdentity('version', 'version', (version, at): ReleaseRecord => {
  const tag = at.string('tag');
  return { version, tag, description: at.string('description'), preferred: tag === PREFERRED_VERSION_TAG };
});

/** ListReleases: `{ total, releases }`. */
export interface ReleaseList {
  /** null when EMS sent no readable total. */
  total: number | null;
  releases: Listed<ReleaseRecord>[];
}

export function readListReleases(json: unknown, r: WireReader): ReleaseList {
  const root = r.root(json);
  return { total: root.count('total'), releases: root.list('releases', readRelease, { required: true }) };
}
