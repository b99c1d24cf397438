/**
 * What a heap grew by between two V8 heap snapshots (`.heapsnapshot`, as `v8.writeHeapSnapshot` or
 * Chrome DevTools write them), by kind of object: what each subscriber costs, object by object.
 */
import { readFile } from 'node:fs/promises';

interface HeapSnapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

export interface HeapGrowth {
  /** Kind of object: V8's node type and, for objects and closures, the constructor or function name. */
  kind: string;
  /** Per unit (subscriber): objects and bytes (shallow size). */
  count: number;
  bytes: number;
}

/** Shallow size and count of every kind of object in a snapshot. */
async function kinds(path: string): Promise<Map<string, { count: number; bytes: number }>> {
  const snap = JSON.parse(await readFile(path, 'utf8')) as HeapSnapshot;
  const fields = snap.snapshot.meta.node_fields;
  const types = snap.snapshot.meta.node_types[0];
  const [iType, iName, iSize] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f)) as [number, number, number];
  const out = new Map<string, { count: number; bytes: number }>();
  for (let i = 0; i < snap.nodes.length; i += fields.length) {
    const type = types[snap.nodes[i + iType]!]!;
    const name = snap.strings[snap.nodes[i + iName]!]!;
    const kind =
      type === 'object' || type === 'closure' || type === 'native'
        ? `${type} ${name || '(anonymous)'}`
        : type === 'hidden'
          ? `hidden ${name.replace(/ \/ .*$/, '')}`
          : type.endsWith('string')
            ? 'string'
            : type;
    const entry = out.get(kind) ?? { count: 0, bytes: 0 };
    entry.count++;
    entry.bytes += snap.nodes[i + iSize]!;
    out.set(kind, entry);
  }
  return out;
}

/** Growth from `before` to `after` per unit (divided by `units`), largest first. */
export async function heapGrowth(before: string, after: string, units: number): Promise<{ totalBytes: number; top: HeapGrowth[] }> {
  const a = await kinds(before);
  const b = await kinds(after);
  const rows: HeapGrowth[] = [];
  for (const [kind, v] of b) {
    const o = a.get(kind) ?? { count: 0, bytes: 0 };
    rows.push({ kind, count: (v.count - o.count) / units, bytes: (v.bytes - o.bytes) / units });
  }
  rows.sort((x, y) => y.bytes - x.bytes);
  return { totalBytes: rows.reduce((s, r) => s + r.bytes, 0), top: rows.slice(0, 20) };
}
