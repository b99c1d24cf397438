/**
 * Summary of a V8 CPU profile (`.cpuprofile`, as `node --cpu-prof` or the inspector write it): self
 * time by function, by module, and by area of the gateway's work.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface Share {
  name: string;
  ms: number;
  /** Share of the busy (non-idle) time, 0..1. */
  share: number;
}

export interface ProfileSummary {
  /** Busy time: every sample but `(idle)`, ms. */
  busyMs: number;
  wallMs: number;
  requests: number;
  topFunctions: Share[];
  topModules: Share[];
  /** Busy time by area of the gateway's work (they add up to the whole). */
  areas: Share[];
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Where a frame's code lives: a package, a file of ours, a Node internal, or a V8 pseudo-frame. */
export function moduleOf(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return url.replace(/^node:(internal\/)?/, 'node:').split('/').slice(0, 2).join('/');
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  const nm = path.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const parts = path.slice(nm + '/node_modules/'.length).split('/');
    return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
  }
  const inRepo = path.startsWith(ROOT) ? path.slice(ROOT.length) : path;
  // The gateway runs from its build: dist/x.js is src/x.ts.
  return inRepo.startsWith('dist/') ? `src/${inRepo.slice('dist/'.length).replace(/\.js$/, '.ts')}` : inRepo;
}

/**
 * A function's name and place: `name (package/path/in/package.js:line)` in a dependency, `name
 * (src/file.ts)` in our code (run from its build in dist/, so no line: they would be the build's).
 */
function functionOf(frame: CallFrame): string {
  const where = moduleOf(frame);
  const name = frame.functionName || '(anonymous)';
  if (!frame.url) return where === name ? name : `${name} ${where}`;
  const path = frame.url.startsWith('file://') ? fileURLToPath(frame.url) : frame.url;
  const nm = path.lastIndexOf('/node_modules/');
  if (nm >= 0) return `${name} (${path.slice(nm + '/node_modules/'.length)}:${frame.lineNumber + 1})`;
  if (where.startsWith('node:')) return `${name} (${path}:${frame.lineNumber + 1})`;
  return `${name} (${where})`;
}

/**
 * Areas of the gateway's work, for the plan in BENCHMARKS.md. A sample is charged to one area: that
 * of the innermost frame on its stack that belongs to any, so native and Node.js internals count for
 * the code that called them (JSON.parse for the response reader, a socket write for undici or for
 * the HTTP response). The areas partition the busy time.
 */
const AREAS: { name: string; test: (f: CallFrame, module: string) => boolean }[] = [
  { name: 'garbage collection', test: (f) => f.functionName === '(garbage collector)' },
  { name: 'graphql parse', test: (f) => /\/graphql\/language\//.test(f.url) },
  { name: 'graphql validate', test: (f) => /\/graphql\/validation\//.test(f.url) },
  { name: 'query limits (depth, complexity)', test: (_f, m) => m === 'src/limits.ts' || m === '@pothos/plugin-complexity' },
  { name: 'result serialization (JSON.stringify)', test: (f) => /stringify/i.test(f.functionName) },
  { name: 'EMS response reading (client-response.ts, JSON.parse)', test: (_f, m) => m === 'src/ems/client-response.ts' },
  { name: 'EMS models (zod)', test: (_f, m) => m === 'zod' || m.startsWith('src/ems/models/') },
  { name: 'EMS client (request, retries, breaker, budget)', test: (_f, m) => /^src\/ems\//.test(m) || m === 'cockatiel' },
  { name: 'undici', test: (_f, m) => m === 'undici' },
  { name: 'logging (pino)', test: (_f, m) => m === 'pino' || m === 'sonic-boom' || m === 'thread-stream' },
  { name: 'metrics (prom-client)', test: (_f, m) => m === 'prom-client' || m === 'src/metrics.ts' },
  { name: 'context setup', test: (_f, m) => m === 'src/context.ts' },
  { name: 'resolvers and loaders (src/schema, src/loaders, dataloader)', test: (_f, m) => m.startsWith('src/schema/') || m.startsWith('src/loaders/') || m === 'dataloader' },
  { name: 'subscription hub (src/subscriptions)', test: (_f, m) => m.startsWith('src/subscriptions/') },
  { name: 'graphql execution (executor, Pothos, graphql-js)', test: (_f, m) => m === 'graphql' || m.startsWith('@graphql-tools/') || m.startsWith('@pothos/') },
  { name: 'graphql-ws and ws', test: (_f, m) => m === 'graphql-ws' || m === 'ws' || m.startsWith('@repeaterjs/') },
  { name: 'Yoga, envelop, whatwg-node (HTTP to Fetch, plugins)', test: (_f, m) => m === 'graphql-yoga' || m.startsWith('@graphql-yoga/') || m.startsWith('@envelop/') || m.startsWith('@whatwg-node/') },
  { name: 'other code of ours (src/)', test: (_f, m) => m.startsWith('src/') },
];

/** Where samples go whose stack has no frame of an area: Node's own work (HTTP parsing, the microtask queue) or V8's. */
const NODE_AREA = 'Node.js with no caller of ours (HTTP parsing, microtask queue, timers)';
const OTHER_AREA = 'other (V8, native)';

/** Summarizes `profile`; `requests` is how many requests it covers, for per-request times. */
export function summarizeProfile(profile: CpuProfile, requests: number, top = 15): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

  // A sample lasts until the next one (Chrome DevTools' convention); the last gets the mean.
  const deltas = profile.timeDeltas;
  const mean = (profile.endTime - profile.startTime) / Math.max(1, profile.samples.length);
  const selfMicros = new Map<number, number>();
  profile.samples.forEach((id, i) => selfMicros.set(id, (selfMicros.get(id) ?? 0) + (deltas[i + 1] ?? mean)));

  const fn = new Map<string, number>();
  const mod = new Map<string, number>();
  const area = new Map<string, number>();
  let busy = 0;
  // The area of each node, computed once: its own, else its caller's; failing both, Node's or V8's.
  const areaOf = new Map<number, string | null>();
  const ownOrCallers = (id: number): string | null => {
    const known = areaOf.get(id);
    if (known !== undefined) return known;
    const frame = byId.get(id)!.callFrame;
    const up = parent.get(id);
    const name = AREAS.find((a) => a.test(frame, moduleOf(frame)))?.name ?? (up === undefined ? null : ownOrCallers(up));
    areaOf.set(id, name);
    return name;
  };
  const areaOfNode = (id: number): string => {
    const name = ownOrCallers(id);
    if (name !== null) return name;
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      if (byId.get(at)!.callFrame.url.startsWith('node:')) return NODE_AREA;
    }
    return OTHER_AREA;
  };
  for (const [id, micros] of selfMicros) {
    const frame = byId.get(id)!.callFrame;
    if (frame.functionName === '(idle)') continue;
    busy += micros;
    const f = functionOf(frame);
    fn.set(f, (fn.get(f) ?? 0) + micros);
    const m = moduleOf(frame);
    mod.set(m, (mod.get(m) ?? 0) + micros);
    const a = areaOfNode(id);
    area.set(a, (area.get(a) ?? 0) + micros);
  }
  const shares = (map: Map<string, number>, n: number) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, micros]) => ({ name, ms: micros / 1000, share: micros / busy }));
  return {
    busyMs: busy / 1000,
    wallMs: (profile.endTime - profile.startTime) / 1000,
    requests,
    topFunctions: shares(fn, top),
    topModules: shares(mod, top),
    areas: shares(area, area.size),
  };
}

export async function readProfile(path: string): Promise<CpuProfile> {
  return JSON.parse(await readFile(path, 'utf8')) as CpuProfile;
}
