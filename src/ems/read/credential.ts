import { byIdentity, type Listed, type RecordSource, type WireReader } from './reader.js';

/** An EMS credential (cdKey); the cdKey is its identity. */
export interface CredentialRecord {
  projectId: string | null;
  cdKey: string;
  /** `createAt`, epoch milliseconds. */
  createdAtMs: number | null;
  source: RecordSource;
}

export const readCredential = byIdentity('cdKey', 'cdKey', (cdKey, at): CredentialRecord => ({
  projectId: at.id('projectId'),
  cdKey,
  createdAtMs: at.number('createAt'),
  source: at.reader.source,
}));

/** ShowCredentialInfo: a list. */
export function readShowCredentials(json: unknown, r: WireReader): Listed<CredentialRecord>[] {
  return r.rootList(json, readCredential);
}
