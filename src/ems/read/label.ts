import { byIdentity, type Listed, type WireReader } from './reader.js';

/**
 * A Kubernetes node label as EMS returns it: any key (prefixed keys like
 * `topology.kubernetes.io/zone`, up to 253 + 1 + 63 characters), any value, empty ones included.
 */
export interface LabelRecord {
  key: string;
  /** `""` for an empty value; a value EMS sent as null or left out also reads as `""`. */
  value: string;
}

export const readLabel = byIdentity('key', 'key', (key, at): LabelRecord => {
  let value = at.string('value');
  if (value === null) {
    if (at.value.value !== '') at.reader.note(at.path('value'), 'null_value');
    value = '';
  }
  return { key, value };
});

/** ListClustersLabels: `{ total, labels }`. */
export interface LabelList {
  /** null when EMS sent no readable total. */
  total: number | null;
  labels: Listed<LabelRecord>[];
}

export function readListLabels(json: unknown, r: WireReader): LabelList {
  const root = r.root(json);
  return { total: root.count('total'), labels: root.list('labels', readLabel, { required: true }) };
}
