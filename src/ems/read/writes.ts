import type { At, RecordSource, WireReader } from './reader.js';
import { readCredential, type CredentialRecord } from './credential.js';

/**
 * Writes are read minimally: EMS answered 2xx, so the write was accepted, whatever its body holds.
 * Only the ids the gateway uses are read; one it cannot read is null, never an error for the write.
 */

/** A 2xx answer to a write. */
export interface AcceptedWrite extends RecordSource {
  /** Why the body could not be read at all (not JSON, cut off); null when it could. */
  problem: string | null;
}

/** What an error on a missing `key` says about an accepted write, after "EMS <operation> sent". */
export function acceptedWithout(accepted: AcceptedWrite, key: string): string {
  return accepted.problem === null
    ? `a 2xx answer (the write was accepted) with no readable ${key}`
    : `a 2xx answer (the write was accepted) whose body cannot be read: ${accepted.problem}`;
}

/** CreateCluster and EnrollCluster: `{ job_id, cluster_id }`. */
export interface ClusterJobAccepted {
  jobId: string | null;
  clusterId: string | null;
  accepted: AcceptedWrite;
}

/** DeleteClusterById, ExpandCluster, ShrinkCluster: `{ job_id }`. */
export interface JobAccepted {
  jobId: string | null;
  accepted: AcceptedWrite;
}

/** CancelJobs: `{ success_rows, failed_rows, failed_ids }`. */
export interface CancelJobsAccepted {
  /** null when neither `failed_ids` nor the row counts tell which jobs failed. */
  failedIds: string[] | null;
  successRows: number | null;
  failedRows: number | null;
  accepted: AcceptedWrite;
}

/** CreateCredentialInfo: the credential. */
export interface CredentialAccepted {
  credential: CredentialRecord | null;
  accepted: AcceptedWrite;
}

/** The body's root object, or null (with `problem` set) when there is none to read. */
function body(json: unknown, r: WireReader, problem: string | null): { root: At | null; accepted: AcceptedWrite } {
  const root = problem === null ? r.object(json, '', '') : null;
  const why = problem ?? (root ? null : `the body is not a JSON object${r.quote(json)}`);
  return { root, accepted: { ...r.source, problem: why } };
}

function id(root: At | null, key: string, r: WireReader): string | null {
  const value = root?.id(key) ?? null;
  if (value === null) r.note(key, 'bad_field');
  return value;
}

export function readClusterJobAccepted(json: unknown, r: WireReader, problem: string | null): ClusterJobAccepted {
  const { root, accepted } = body(json, r, problem);
  return { jobId: id(root, 'job_id', r), clusterId: id(root, 'cluster_id', r), accepted };
}

export function readJobAccepted(json: unknown, r: WireReader, problem: string | null): JobAccepted {
  const { root, accepted } = body(json, r, problem);
  return { jobId: id(root, 'job_id', r), accepted };
}

export function readCancelJobsAccepted(json: unknown, r: WireReader, problem: string | null): CancelJobsAccepted {
  const { root, accepted } = body(json, r, problem);
  const successRows = root?.count('success_rows') ?? null;
  const failedRows = root?.count('failed_rows') ?? null;
  return { failedIds: root ? failedIdsOf(root) : null, successRows, failedRows, accepted };
}

/** `failed_ids`; null when it cannot be told from them (left out, or one of them unreadable). */
function failedIdsOf(root: At): string[] | null {
  const value = root.value.failed_ids;
  if (value === undefined || value === null) {
    root.reader.note('failed_ids', 'null_list');
    return null;
  }
  if (!Array.isArray(value)) {
    root.reader.note('failed_ids', 'bad_field');
    return null;
  }
  const ids: string[] = [];
  for (const item of value) {
    if (typeof item === 'string' && item !== '') ids.push(item);
    else if (typeof item === 'number' && Number.isFinite(item)) {
      root.reader.note('failed_ids[]', 'string_from_number');
      ids.push(String(item));
    } else {
      root.reader.note('failed_ids[]', 'bad_element');
      return null;
    }
  }
  return ids;
}

export function readCredentialAccepted(json: unknown, r: WireReader, problem: string | null): CredentialAccepted {
  const { root, accepted } = body(json, r, problem);
  const credential = root ? readCredential(json, root) : null;
  if (typeof credential === 'string') r.note('cdKey', 'bad_field');
  return { credential: typeof credential === 'string' ? null : credential, accepted };
}
