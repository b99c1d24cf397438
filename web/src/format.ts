/** Display helpers: sizes, durations, statuses. */

const GIB = 1024 ** 3;

/** Huge-page memory in GiB: `totalBytes`, else pages × page size; null when EMS said neither. */
export function hugePageGiB(memory: { hugePageCount?: number | null; hugePageSizeMb?: number | null; totalBytes?: number | null } | null | undefined): number | null {
  if (!memory) return null;
  if (memory.totalBytes != null) return memory.totalBytes / GIB;
  if (memory.hugePageCount != null && memory.hugePageSizeMb != null) return (memory.hugePageCount * memory.hugePageSizeMb) / 1024;
  return null;
}

export function formatGiB(gib: number | null): string {
  if (gib === null) return '—';
  return `${gib >= 100 ? Math.round(gib).toLocaleString('en') : gib.toLocaleString('en', { maximumFractionDigits: 1 })} GiB`;
}

/** "12 s ago", "5 min ago", "3 h ago", "2 d ago"; "—" without a time. */
export function timeAgo(iso: string | null | undefined, now: number): string {
  if (!iso) return '—';
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return '—';
  const seconds = Math.max(0, Math.round((now - then) / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.floor(hours / 24)} d ago`;
}

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

/** Cluster statuses the filter offers (EMS's list; a status EMS adds later still shows as a badge). */
export const CLUSTER_STATUSES = ['CREATING', 'RUNNING', 'FREEZE', 'UPGRADING', 'EXPANDING', 'SHRINKING', 'DELETING', 'DELETED'] as const;

/** Statuses in which a cluster is changing: shown as busy. */
export const TRANSITIONS = new Set(['CREATING', 'UPGRADING', 'EXPANDING', 'SHRINKING', 'DELETING']);

export const TERMINAL_JOB_STATUSES = new Set(['COMPLETED', 'FAILED', 'STOPPED']);

/** The tone of a status badge. */
export function statusTone(status: string): 'ok' | 'busy' | 'bad' | 'off' | 'unknown' {
  if (status === 'RUNNING' || status === 'COMPLETED') return 'ok';
  if (TRANSITIONS.has(status) || status === 'INIT') return 'busy';
  if (status === 'FAILED' || status === 'FREEZE') return 'bad';
  if (status === 'DELETED' || status === 'STOPPED') return 'off';
  return 'unknown';
}
