import { byIdentity, type Listed, type RecordSource, type WireReader } from './reader.js';

/** An EMS feature gate (ListFeatures); its name is its identity. */
export interface FeatureRecord {
  name: string;
  /** `switch`; null when EMS sent none that can be read. */
  enabled: boolean | null;
  type: string | null;
  value: string | null;
  description: string | null;
  source: RecordSource;
}

export const readFeature = byIdentity('feature', 'feature name', (name, at): FeatureRecord => ({
  name,
  enabled: at.bool('switch'),
  type: at.string('type'),
  value: at.string('value'),
  description: at.string('description'),
  source: at.reader.source,
}));

/** ListFeatures: `{ total, project_id, features }`. */
export interface FeatureList {
  /** null when EMS sent no readable total. */
  total: number | null;
  projectId: string | null;
  features: Listed<FeatureRecord>[];
}

export function readListFeatures(json: unknown, r: WireReader): FeatureList {
  const root = r.root(json);
  return { total: root.count('total'), projectId: root.string('project_id'), features: root.list('features', readFeature, { required: true }) };
}
