import type { At, Listed, RecordSource, WireReader } from './reader.js';

/** An EMS credential (cdKey); the cdKey is its identity. */
export interface CredentialRecord {
  projectId: string | null;
  cdKey: string;
  /** `createAt`, epoch milliseconds. */
  createdAtMs: number | null;
  source: RecordSource;
}

export function readCredential(_value: unknown, at: At | null): CredentialRecord | string {
  if (!at) return 'that is not a JSON object';
  const cdKey = at.id('cdKey');
  if (!cdKey) return 'without a readable cdKey';
  return { projectId: at.id('projectId'), cdKey, createdAtMs: at.number('createAt'), source: at.reader.source };
}

/** ShowCredentialInfo: a list. */
export function readShowCredentials(json: unknown, r: WireReader): Listed<CredentialRecord>[] {
  return r.rootList(json, readCredential);
}
