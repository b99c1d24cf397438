import type { EmsApi } from '../ems/api.js';
import { isUnreadable, unreadableError, type Listed, type ReleaseRecord } from '../ems/read/index.js';
import { walkWithTotal } from './walk.js';

/** Every EMS release: one ListReleases call (pages of 1,000, the rest fetched at once if more). */
export function listAllReleases(ems: EmsApi): Promise<Listed<ReleaseRecord>[]> {
  return walkWithTotal(async (offset, limit) => {
    const page = await ems.listReleases({ offset, limit });
    return { total: page.total, items: page.releases };
  });
}

/**
 * Batch function of `releaseByVersion`: every version is looked up in the per-request release list.
 * A version EMS does not list resolves to null (a cluster may run a withdrawn release): that is
 * an answer, not a failure, unless the list holds releases that cannot be read (one of them may be
 * it): then the answer is that element's error. A failing list gives every key its error.
 */
export async function loadReleasesByVersions(
  versions: readonly string[],
  allReleases: () => Promise<readonly Listed<ReleaseRecord>[]>,
): Promise<(ReleaseRecord | null | Error)[]> {
  let releases: readonly Listed<ReleaseRecord>[];
  try {
    releases = await allReleases();
  } catch (error) {
    const failure = error instanceof Error ? error : new Error(String(error));
    return versions.map(() => failure);
  }
  const byVersion = new Map<string, ReleaseRecord>();
  let unreadable: Error | null = null;
  for (const release of releases) {
    if (isUnreadable(release)) unreadable ??= unreadableError(release);
    else byVersion.set(release.version, release);
  }
  return versions.map((version) => byVersion.get(version) ?? unreadable);
}
