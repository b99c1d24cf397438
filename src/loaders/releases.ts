import type { EmsApi } from '../ems/api.js';
import type { EmsRelease } from '../ems/models/index.js';
import { walkWithTotal } from './walk.js';

/** Every EMS release: one ListReleases call (pages of 1,000, the rest fetched at once if more). */
export function listAllReleases(ems: EmsApi): Promise<EmsRelease[]> {
  return walkWithTotal(async (offset, limit) => {
    const page = await ems.listReleases({ offset, limit });
    return { total: page.total, items: page.releases };
  });
}

/**
 * Batch function of `releaseByVersion`: every version is looked up in the per-request release list.
 * A version EMS does not list resolves to null (a cluster may run a withdrawn release): that is
 * an answer, not a failure. A failing list gives every key its error.
 */
export async function loadReleasesByVersions(
  versions: readonly string[],
  allReleases: () => Promise<readonly EmsRelease[]>,
): Promise<(EmsRelease | null | Error)[]> {
  let releases: readonly EmsRelease[];
  try {
    releases = await allReleases();
  } catch (error) {
    const failure = error instanceof Error ? error : new Error(String(error));
    return versions.map(() => failure);
  }
  const byVersion = new Map(releases.map((release) => [release.version, release]));
  return versions.map((version) => byVersion.get(version) ?? null);
}
