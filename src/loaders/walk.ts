/**
 * Walks over EMS offset/limit lists. ListClusters and ListJobs report no total, so their pages are
 * fetched one after another until a short page; the lists that do report one (ListReleases,
 * ListClustersLabels) fetch the first page, then every remaining page at once.
 */

/** Largest `limit` ListClusters, ListJobs, ListReleases and ListFeatures accept. */
export const EMS_MAX_PAGE = 1000;

/**
 * Every item of a list without a total: pages of `pageSize` until one comes back short.
 * N items cost floor(N / pageSize) + 1 calls.
 */
export async function walkUntilShort<T>(
  fetchPage: (offset: number, limit: number) => Promise<readonly T[]>,
  pageSize = EMS_MAX_PAGE,
): Promise<T[]> {
  const all: T[] = [];
  for (let offset = 0; ; offset += pageSize) {
    const page = await fetchPage(offset, pageSize);
    all.push(...page);
    if (page.length < pageSize) return all;
  }
}

/**
 * Every item of a list with a total: the first page, then the remaining pages concurrently. When
 * EMS sent no readable total, pages follow one another until a short one, as without a total.
 * @param maxOffset the largest offset the operation accepts (ListClustersLabels: 2000)
 */
export async function walkWithTotal<T>(
  fetchPage: (offset: number, limit: number) => Promise<{ total: number | null; items: readonly T[] }>,
  pageSize = EMS_MAX_PAGE,
  maxOffset = Number.POSITIVE_INFINITY,
): Promise<T[]> {
  const first = await fetchPage(0, pageSize);
  if (first.total === null) {
    const all = [...first.items];
    for (let offset = pageSize, last = first.items.length; last >= pageSize && offset <= maxOffset; offset += pageSize) {
      const page = await fetchPage(offset, pageSize);
      all.push(...page.items);
      last = page.items.length;
    }
    return all;
  }
  const offsets: number[] = [];
  for (let offset = pageSize; offset < first.total && offset <= maxOffset; offset += pageSize) offsets.push(offset);
  const rest = await Promise.all(offsets.map((offset) => fetchPage(offset, pageSize)));
  return [...first.items, ...rest.flatMap((page) => page.items)];
}
