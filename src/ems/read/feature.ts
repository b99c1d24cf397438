import type { At, Listed, RecordSource, WireReader } from './reader.js';

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

export function readFeature(_value: unknown, at: At | null): FeatureRecord | string {
  if (!at) return 'that is not a JSON object';
  const name = at.id('feature');
  if (!name) return 'without a readable feature name';
  return {
    name,
    enabled: at.bool('switch'),
    type: at.string('type'),
    value: at.string('value'),
    description: at.string('description'),
    source: at.reader.source,
  };
}

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
