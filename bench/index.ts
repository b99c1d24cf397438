/**
 * `npm run bench`: the gateway against its floors, in one run, side by side. See BENCHMARKS.md for
 * what each figure means and the latest results.
 *
 * Sections (each server in a process of its own; the simulator is the upstream throughout):
 *   calls          EMS calls of the nested query for 10 to 1,000 clusters
 *   latency        cluster(id) and the nested query against direct REST and the floor gateway, +0 and +10 ms upstream
 *   throughput     bare Yoga, the floor gateway and the gateway: rps and CPU per request of cluster(id) and the nested query
 *   subscriptions  N graphql-ws subscribers: heap per subscriber vs bare ws, fan-out p50/p99
 *   profile        CPU profiles of cluster(id) and the nested query under load (only on request)
 *
 *   npm run bench                              every section but profile; writes BENCHMARKS.md
 *   npm run bench -- --quick                   short runs, 1,000 subscribers; prints only
 *   npm run bench -- --only latency,throughput --subscribers 2000
 *   npm run bench -- --check                   exit 1 when a CPU-per-request budget is exceeded
 *   npm run bench -- --only throughput --check --budget nested=4 --budget nested=1.5x --budget cluster=0.5
 *   npm run bench:profile                      the profile section; writes its part of BENCHMARKS.md
 *
 * The gateway runs from the compiled build (`npm run build:server` first), as `npm start` runs it.
 * The latency and throughput sections also measure the floor gateway (bench/support/floor-yoga.ts):
 * a bare Yoga answering the same two documents from the same upstream, checked first to answer as
 * the gateway does with the same EMS calls (bench/sections/floor.ts).
 *
 * Not a test: `npm test` and CI do not run it.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { callsSection, type CallsRow } from './sections/calls.js';
import { SEED, startGateway, type BenchContext, type BenchOptions, type Budget, type BudgetQuery } from './sections/context.js';
import { checkFloor, startFloor, type FloorCheck } from './sections/floor.js';
import { latencySection, type LatencyResult } from './sections/latency.js';
import { profileSection, type ProfileResult } from './sections/profile.js';
import { subscriptionsSection, type SubscriptionsResult } from './sections/subscriptions.js';
import { throughputSection, type ThroughputResult } from './sections/throughput.js';
import { killAllChildren, startChild } from './support/child.js';
import { closePools } from './support/measure.js';
import { machine, writeRegion } from './support/report.js';
import { budgetChecks, describeCheck, renderProfile, renderResults, type Results } from './render.js';
import type { SimulatorReady } from './support/simulator.js';

const SECTIONS = ['calls', 'latency', 'throughput', 'subscriptions', 'profile'] as const;
type Section = (typeof SECTIONS)[number];
const DEFAULT_SECTIONS: Section[] = ['calls', 'latency', 'throughput', 'subscriptions'];
const BENCHMARKS_MD = fileURLToPath(new URL('../BENCHMARKS.md', import.meta.url));

/**
 * CPU per request of the gateway, checked by --check. Relative to the floor gateway in the same run:
 * at most 1 / 0.75 (1.33×) of the floor's for both queries (the issue's `cluster(id)` throughput
 * goal, with the floor in place of bare Yoga). The budgets are kept and reported: the nested
 * query's 4 ms, and for `cluster(id)` bare Yoga's CPU per request / 0.75; one the floor itself
 * exceeds is below the floor on this machine and does not decide (BENCHMARKS.md, "Goals against the
 * floor").
 */
const DEFAULT_BUDGETS: Record<BudgetQuery, Budget[]> = {
  cluster: [{ kind: 'yoga' }, { kind: 'floor', factor: 1 / 0.75 }],
  nested: [{ kind: 'absolute', ms: 4 }, { kind: 'floor', factor: 1 / 0.75 }],
};

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    profile: { type: 'boolean', default: false },
    check: { type: 'boolean', default: false },
    budget: { type: 'string', multiple: true },
    write: { type: 'boolean' },
    subscribers: { type: 'string' },
    'client-processes': { type: 'string' },
    events: { type: 'string' },
    interval: { type: 'string' },
    batch: { type: 'string' },
    samples: { type: 'string' },
    repeats: { type: 'string' },
    latencies: { type: 'string' },
    connections: { type: 'string' },
    duration: { type: 'string' },
    'throughput-latency': { type: 'string' },
    'profile-duration': { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
  allowNegative: true,
});

if (args.help) {
  console.log(`npm run bench [-- options]
  --quick                  short runs (1 repeat, 3 s loads, 100 samples, 1,000 subscribers); prints only
  --only a,b               sections: ${SECTIONS.join(', ')} (default: all but profile)
  --profile                add the profile section
  --check                  exit 1 when a CPU-per-request budget is exceeded (needs throughput)
  --budget name=value      CPU budget per request of the gateway for cluster or nested (repeatable; given
                           for a name, it replaces that name's defaults): ms (nested=4); yoga (bare Yoga's
                           CPU per request in the same run / 0.75); Nx (N × the floor gateway's CPU per
                           request for that query in the same run, nested=1.5x); floor (1.33x).
                           Default cluster=yoga cluster=floor, nested=4 nested=floor; a budget the
                           floor itself exceeds is reported, not judged
  --write / --no-write     write BENCHMARKS.md even for a partial or quick run / never (default: full runs only)
  --subscribers N          subscribers of the subscription section (default 10000, quick 1000)
  --client-processes N     processes holding the subscribers (default 2)
  --events N --interval MS changes to time and poll interval of the subscription section (default 5, 3000)
  --batch N                connections opened at once per client process (default 100)
  --samples N --repeats N  latency samples per repeat and side, repeats of every measurement (default 300, 3)
  --latencies 0,10         added upstream latencies of the latency section, ms
  --connections N          concurrent connections of the throughput runs (default 20)
  --duration S             seconds per throughput run (default 10)
  --throughput-latency MS  added upstream latency during throughput runs (default 0)
  --profile-duration S     seconds of load per profile (default 10)`);
  process.exit(0);
}

function int(name: string, value: string | undefined, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min) {
    console.error(`--${name} must be a number >= ${min}, got ${JSON.stringify(value)}`);
    process.exit(2);
  }
  return n;
}

function parseBudgets(list: string[] | undefined): Record<BudgetQuery, Budget[]> {
  const given: Partial<Record<BudgetQuery, Budget[]>> = {};
  for (const item of list ?? []) {
    const match = /^(cluster|nested)=(?:(\d+(?:\.\d+)?)|(\d+(?:\.\d+)?)x|(yoga)|(floor))$/.exec(item);
    if (!match) {
      console.error(`--budget takes name=ms, name=Nx, name=yoga or name=floor with name cluster or nested, got ${JSON.stringify(item)}`);
      process.exit(2);
    }
    const name = match[1] as BudgetQuery;
    const budget: Budget = match[2]
      ? { kind: 'absolute', ms: Number(match[2]) }
      : match[3]
        ? { kind: 'floor', factor: Number(match[3]) }
        : match[4]
          ? { kind: 'yoga' }
          : { kind: 'floor', factor: 1 / 0.75 };
    (given[name] ??= []).push(budget);
  }
  return { ...DEFAULT_BUDGETS, ...given };
}

function parseSections(): Section[] {
  if (args.only === undefined) return args.profile ? [...DEFAULT_SECTIONS, 'profile'] : DEFAULT_SECTIONS;
  const chosen = args.only.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = chosen.filter((s) => !(SECTIONS as readonly string[]).includes(s));
  if (unknown.length > 0 || chosen.length === 0) {
    console.error(`--only takes sections among ${SECTIONS.join(', ')}; got ${JSON.stringify(args.only)}`);
    process.exit(2);
  }
  return SECTIONS.filter((s) => chosen.includes(s) || (s === 'profile' && args.profile));
}

const quick = args.quick!;
const options: BenchOptions = {
  quick,
  samples: int('samples', args.samples, quick ? 100 : 300, 10),
  warmup: quick ? 20 : 50,
  repeats: int('repeats', args.repeats, quick ? 1 : 3, 1),
  latencies: (args.latencies ?? '0,10').split(',').map((s) => int('latencies', s.trim(), 0)),
  connections: int('connections', args.connections, 20, 1),
  durationSec: int('duration', args.duration, quick ? 3 : 10, 1),
  warmupSec: quick ? 1 : 3,
  throughputLatency: int('throughput-latency', args['throughput-latency'], 0),
  subscribers: int('subscribers', args.subscribers, quick ? 1000 : 10_000, 1),
  clientProcesses: int('client-processes', args['client-processes'], 2, 1),
  events: int('events', args.events, quick ? 3 : 5, 1),
  interval: int('interval', args.interval, 3000, 100),
  batch: int('batch', args.batch, 100, 1),
  profileDurationSec: int('profile-duration', args['profile-duration'], quick ? 4 : 10, 1),
  profileSamplingMicros: 1000,
  budgets: parseBudgets(args.budget),
};
const sections = parseSections();
if (args.check && !sections.includes('throughput')) {
  console.error('--check needs the throughput section, which measures CPU per request');
  process.exit(2);
}

const outDir = mkdtempSync(join(tmpdir(), 'ems-gateway-bench-'));
const log = (message: string) => console.log(message);
const stopping = () => {
  killAllChildren();
  process.exit(130);
};
process.on('SIGINT', stopping);
process.on('SIGTERM', stopping);

const env = machine();
log(`# ems-gateway benchmark: ${sections.join(', ')}${quick ? ' (quick)' : ''}`);
log(`${env.cores} cores (${env.model}), Node ${env.node}, load average ${env.load}; logs in ${outDir}\n`);

const results: Results = { machine: env, options, sections, loadAtEnd: '' };
let exitCode = 0;
try {
  // The gateway runs from the compiled build, as `npm start` runs it (bench/support/gateway.ts).
  log('building the gateway (npm run build:server) ...');
  execFileSync('npm', ['run', '--silent', 'build:server'], { cwd: fileURLToPath(new URL('..', import.meta.url)), stdio: 'inherit' });
  const sim = await startChild('simulator', 'simulator.ts', {
    env: { SIM_CLUSTER_COUNT: String(SEED.clusters), SIM_JOBS_PER_CLUSTER: String(SEED.jobsPerCluster) },
    logFile: join(outDir, 'simulator.log'),
  });
  const simReady = sim.ready as SimulatorReady;
  const ctx: BenchContext = {
    options,
    sim,
    simReady,
    emsHeaders: { 'x-auth-token': simReady.token, 'x-project-id': simReady.projectId, accept: 'application/json' },
    gatewayHeaders: { 'x-auth-token': simReady.token },
    outDir,
    log,
  };
  const needsGateway = sections.some((s) => s === 'calls' || s === 'latency' || s === 'throughput');
  const gateway = needsGateway ? await startGateway(ctx) : null;
  const needsFloor = sections.some((s) => s === 'latency' || s === 'throughput');
  const floor = needsFloor ? await startFloor(ctx) : null;
  const timed = async <T>(name: Section | 'floor', run: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    log(`## ${name}`);
    const result = await run();
    log(`  (${((performance.now() - started) / 1000).toFixed(0)} s)\n`);
    return result;
  };
  if (sections.includes('calls')) results.calls = await timed<CallsRow[]>('calls', () => callsSection(ctx, gateway!));
  if (floor) results.floor = await timed<FloorCheck[]>('floor', () => checkFloor(ctx, gateway!, floor));
  if (sections.includes('latency')) results.latency = await timed<LatencyResult>('latency', () => latencySection(ctx, gateway!, floor!));
  if (sections.includes('throughput')) results.throughput = await timed<ThroughputResult>('throughput', () => throughputSection(ctx, gateway!, floor!));
  await floor?.stop();
  await gateway?.stop();
  if (sections.includes('subscriptions')) results.subscriptions = await timed<SubscriptionsResult>('subscriptions', () => subscriptionsSection(ctx));
  if (sections.includes('profile')) results.profile = await timed<ProfileResult[]>('profile', () => profileSection(ctx));
  await sim.stop();
  results.loadAtEnd = machine().load;

  const mainSections: Section[] = ['latency', 'throughput', 'subscriptions'];
  const complete = !quick && mainSections.every((s) => sections.includes(s));
  const resultsMd = renderResults(results);
  if (mainSections.some((s) => sections.includes(s)) || sections.includes('calls')) log(resultsMd);
  if (args.write ?? complete) {
    await writeRegion(BENCHMARKS_MD, 'results', resultsMd);
    log(`\nwrote the results to ${BENCHMARKS_MD}`);
  }
  if (results.profile) {
    const profileMd = renderProfile(results);
    log(profileMd);
    if (args.write ?? !quick) {
      await writeRegion(BENCHMARKS_MD, 'profile', profileMd);
      log(`\nwrote the profile summary to ${BENCHMARKS_MD}`);
    }
  }
  if (args.check) {
    const checks = budgetChecks(results);
    for (const c of checks) log(`${c.judged ? (c.pass ? 'PASS' : 'FAIL') : 'BELOW FLOOR'} ${describeCheck(c)}`);
    if (checks.some((c) => c.judged && !c.pass)) exitCode = 1;
  }
} catch (error) {
  console.error(`\nbenchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n(logs in ${outDir})`);
  exitCode = 1;
} finally {
  killAllChildren();
  await closePools();
}
process.exit(exitCode);
