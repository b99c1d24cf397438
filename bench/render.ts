/** The benchmark's results as Markdown: the goal table, the details, the profile summary. */
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CallsRow } from './sections/calls.js';
import type { BenchOptions, Budget, BudgetQuery } from './sections/context.js';
import type { FloorCheck } from './sections/floor.js';
import type { LatencyResult, LatencyRow } from './sections/latency.js';
import type { ProfileResult } from './sections/profile.js';
import type { SubscriptionsResult } from './sections/subscriptions.js';
import type { ThroughputResult } from './sections/throughput.js';
import type { Repeated } from './support/measure.js';
import { kib, ms, pct, ratio, rps, table, verdict, type machine } from './support/report.js';

export interface Results {
  machine: ReturnType<typeof machine>;
  loadAtEnd: string;
  options: BenchOptions;
  sections: string[];
  calls?: CallsRow[];
  /** The floor gateway's answers and EMS calls against the gateway's. */
  floor?: FloorCheck[];
  latency?: LatencyResult;
  throughput?: ThroughputResult;
  subscriptions?: SubscriptionsResult;
  profile?: ProfileResult[];
}

/** The issue's goals. */
export const GOALS = {
  clusterP50Ratio: 1.1,
  clusterP99Ratio: 1.2,
  nestedP50Ratio: 1.15,
  clusterVsYoga: 0.75,
  nestedRps: 250,
  nestedCpuMs: 4,
  heapPerSubscriberKiB: 10,
  fanOutP50Ms: 150,
  fanOutP99Ms: 300,
} as const;

/**
 * Goals against the floor gateway in the same run, judged where an issue goal is below the floor on
 * this machine (the floor itself misses it); see BENCHMARKS.md, "Goals against the floor". The
 * latency ratios are the issue's, taken against the floor instead of direct REST.
 */
export const FLOOR_GOALS = {
  clusterP50Ratio: GOALS.clusterP50Ratio,
  clusterP99Ratio: GOALS.clusterP99Ratio,
  nestedP50Ratio: GOALS.nestedP50Ratio,
  /**
   * rps of either query at least this share of the floor's, CPU per request at most its inverse
   * (1.33×): the issue's `cluster(id)` throughput goal, with the floor in place of bare Yoga.
   */
  rateVsFloor: GOALS.clusterVsYoga,
} as const;

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const QUERY_NAMES = { cluster: '`cluster(id)`', nested: 'nested 100-cluster query', 'fan-out': 'subscription fan-out' } as const;

const spread = (r: Repeated, fmt: (v: number) => string) => (r.runs.length > 1 ? `${fmt(r.median)} (${fmt(r.min)}–${fmt(r.max)})` : fmt(r.median));
const p50p99 = (a: number, b: number) => `${a.toFixed(1)} / ${b.toFixed(1)} ms`;

export interface BudgetCheck {
  name: BudgetQuery;
  measuredMs: number;
  budgetMs: number;
  /** How the budget was set. */
  basis: string;
  /** The floor gateway's CPU per request for the same query in the same run. */
  floorMs: number;
  /**
   * False for a budget not relative to the floor that the floor itself exceeds: below the floor on
   * this machine, it is reported and does not decide.
   */
  judged: boolean;
  pass: boolean;
}

const ratioToFloor = (factor: number) => `${Number(factor.toFixed(2))}×`;

/**
 * The gateway's CPU per request against its budgets: absolute ones (`--budget`, the nested query's
 * 4 ms), bare Yoga's CPU per request in the same run divided by the throughput goal (0.75), and
 * multiples of the floor gateway's CPU per request for the same query in the same run.
 */
export function budgetChecks(results: Results): BudgetCheck[] {
  const t = results.throughput;
  if (!t) return [];
  const yogaMs = t.targets.yoga.cpuPerRequestMs.yoga!.median;
  return (Object.entries(results.options.budgets) as [BudgetQuery, Budget[]][]).flatMap(([name, budgets]) => {
    const measuredMs = t.targets[name].cpuPerRequestMs.gateway!.median;
    const floorMs = t.targets[name === 'cluster' ? 'floorCluster' : 'floorNested'].cpuPerRequestMs.floor!.median;
    return budgets.map((budget): BudgetCheck => {
      const [budgetMs, basis] =
        budget.kind === 'absolute'
          ? [budget.ms, 'absolute']
          : budget.kind === 'yoga'
            ? [yogaMs / GOALS.clusterVsYoga, `bare Yoga's ${yogaMs.toFixed(3)} ms / ${GOALS.clusterVsYoga}`]
            : [floorMs * budget.factor, `${ratioToFloor(budget.factor)} the floor's ${floorMs.toFixed(3)} ms`];
      const judged = budget.kind === 'floor' || floorMs <= budgetMs;
      return { name, measuredMs, budgetMs, basis, floorMs, judged, pass: measuredMs <= budgetMs };
    });
  });
}

/** One budget check in words, for the console and the results. */
export function describeCheck(c: BudgetCheck): string {
  const below = c.judged ? '' : `; below the floor (${c.floorMs.toFixed(3)} ms), not judged`;
  return `CPU per request of ${c.name}: ${c.measuredMs.toFixed(3)} ms, budget ${c.budgetMs.toFixed(3)} ms (${c.basis})${below}`;
}

/**
 * One part of a goal (a ratio or a rate with its bound): judged as the issue states it when the floor
 * meets it, else against the floor with `floorBound`. Ratios are of the gateway to the baseline.
 */
interface GoalPart {
  /** e.g. 'p50'; empty when the goal has a single figure of that kind. */
  label: string;
  /** 'max': at most the bound; 'min': at least. */
  sense: 'max' | 'min';
  /** The issue's bound and the gateway's and the floor's figures it applies to. */
  bound: number;
  gateway: number;
  floor: number;
  /** The bound of the gateway's figure relative to the floor's, and that figure. */
  floorBound: number;
  vsFloor: number;
  /** How a bound or figure reads (`1.1×`, `250 rps`). */
  show: (v: number) => string;
  showFloor: (v: number) => string;
}

function judgeParts(parts: GoalPart[]): { goal: string; met: boolean } {
  const ok = (sense: 'max' | 'min', value: number, bound: number) => (sense === 'max' ? value <= bound : value >= bound);
  const sign = (sense: 'max' | 'min') => (sense === 'max' ? '≤' : '≥');
  let met = true;
  const texts = parts.map((p) => {
    const label = p.label ? `${p.label} ` : '';
    if (ok(p.sense, p.floor, p.bound)) {
      met &&= ok(p.sense, p.gateway, p.bound);
      return `${label}${sign(p.sense)} ${p.show(p.bound)}`;
    }
    met &&= ok(p.sense, p.vsFloor, p.floorBound);
    return `${label}${sign(p.sense)} ${p.showFloor(p.floorBound)} (${p.show(p.bound)} is below the floor: ${p.show(p.floor)})`;
  });
  return { goal: texts.join('; '), met };
}

function goalTable(results: Results): string {
  const rows: string[][] = [];
  const { latency: l, throughput: t, subscriptions: s } = results;
  const times = (v: number) => `${ratio(v)} of direct`;
  const timesFloor = (v: number) => `${ratio(v)} of the floor`;
  for (const query of ['cluster', 'nested'] as const) {
    for (const addedMs of results.options.latencies) {
      const row = l?.rows.find((r) => r.query === query && r.addedMs === addedMs);
      if (!row) continue;
      const goalApplies = addedMs === 10;
      const parts: GoalPart[] =
        query === 'cluster'
          ? [
              { label: 'p50', sense: 'max', bound: GOALS.clusterP50Ratio, gateway: row.ratioP50, floor: row.floorRatioP50, floorBound: FLOOR_GOALS.clusterP50Ratio, vsFloor: row.vsFloorP50, show: times, showFloor: timesFloor },
              { label: 'p99', sense: 'max', bound: GOALS.clusterP99Ratio, gateway: row.ratioP99, floor: row.floorRatioP99, floorBound: FLOOR_GOALS.clusterP99Ratio, vsFloor: row.vsFloorP99, show: times, showFloor: timesFloor },
            ]
          : [{ label: 'p50', sense: 'max', bound: GOALS.nestedP50Ratio, gateway: row.ratioP50, floor: row.floorRatioP50, floorBound: FLOOR_GOALS.nestedP50Ratio, vsFloor: row.vsFloorP50, show: times, showFloor: timesFloor }];
      const judged = goalApplies ? judgeParts(parts) : null;
      const plan = l?.plans[query];
      const calls = plan ? `, ${plan.calls} GET${plan.calls === 1 ? '' : 's'} in ${plan.rounds.length} round${plan.rounds.length === 1 ? '' : 's'}` : '';
      rows.push([
        `${QUERY_NAMES[query]} p50 / p99, +${addedMs} ms upstream${calls}`,
        `direct ${p50p99(row.direct.p50.median, row.direct.p99.median)}; floor ${p50p99(row.floor.p50.median, row.floor.p99.median)} (${ratio(row.floorRatioP50)} / ${ratio(row.floorRatioP99)} of direct)`,
        p50p99(row.gateway.p50.median, row.gateway.p99.median),
        `${ratio(row.ratioP50)} / ${ratio(row.ratioP99)} of direct; ${ratio(row.vsFloorP50)} / ${ratio(row.vsFloorP99)} of the floor`,
        judged?.goal ?? '—',
        verdict(judged?.met ?? null),
      ]);
    }
  }
  if (t) {
    const yoga = t.targets.yoga.rps.median;
    const cluster = t.targets.cluster.rps.median;
    const floorCluster = t.targets.floorCluster.rps.median;
    const cpu = {
      yoga: t.targets.yoga.cpuPerRequestMs.yoga!.median,
      cluster: t.targets.cluster.cpuPerRequestMs.gateway!.median,
      floorCluster: t.targets.floorCluster.cpuPerRequestMs.floor!.median,
      nested: t.targets.nested.cpuPerRequestMs.gateway!.median,
      floorNested: t.targets.floorNested.cpuPerRequestMs.floor!.median,
    };
    const share = (v: number) => v.toFixed(2);
    const clusterGoal = judgeParts([
      {
        label: '',
        sense: 'min',
        bound: GOALS.clusterVsYoga,
        gateway: cluster / yoga,
        floor: floorCluster / yoga,
        floorBound: FLOOR_GOALS.rateVsFloor,
        vsFloor: cluster / floorCluster,
        show: (v) => `${share(v)} of bare Yoga`,
        showFloor: (v) => `${share(v)} of the floor`,
      },
    ]);
    rows.push([
      `\`cluster(id)\` throughput, ${t.connections} connections`,
      `bare Yoga ${rps(yoga)}; floor ${rps(floorCluster)} (upstream alone ${rps(t.targets.upstream.rps.median)})`,
      rps(cluster),
      `${share(cluster / yoga)} of bare Yoga, ${share(cluster / floorCluster)} of the floor (by CPU per request: ${share(cpu.yoga / cpu.cluster)}, ${share(cpu.floorCluster / cpu.cluster)})`,
      clusterGoal.goal,
      verdict(clusterGoal.met),
    ]);
    rows.push([
      'CPU per request, `cluster(id)` vs bare Yoga and the floor',
      `bare Yoga ${ms(cpu.yoga, 3)}; floor ${ms(cpu.floorCluster, 3)}`,
      ms(cpu.cluster, 3),
      `${ratio(cpu.cluster / cpu.yoga)} bare Yoga's, ${ratio(cpu.cluster / cpu.floorCluster)} the floor's`,
      '—',
      '',
    ]);
    const nested = t.targets.nested.rps.median;
    const floorNested = t.targets.floorNested.rps.median;
    const nestedGoal = judgeParts([
      {
        label: '',
        sense: 'min',
        bound: GOALS.nestedRps,
        gateway: nested,
        floor: floorNested,
        floorBound: FLOOR_GOALS.rateVsFloor,
        vsFloor: nested / floorNested,
        show: rps,
        showFloor: (v) => `${share(v)} of the floor's rps`,
      },
      {
        label: '',
        sense: 'max',
        bound: GOALS.nestedCpuMs,
        gateway: cpu.nested,
        floor: cpu.floorNested,
        floorBound: 1 / FLOOR_GOALS.rateVsFloor,
        vsFloor: cpu.nested / cpu.floorNested,
        show: (v) => `${ms(v, 2)} CPU`,
        showFloor: (v) => `${ratio(v)} the floor's CPU`,
      },
    ]);
    rows.push([
      `nested query throughput and gateway CPU per request, ${t.connections} connections`,
      `floor ${rps(floorNested)}, ${ms(cpu.floorNested, 2)} CPU`,
      `${rps(nested)} (${rps(1000 / cpu.nested)} per core of CPU), ${ms(cpu.nested, 2)} CPU`,
      `${share(nested / floorNested)} of the floor's rps, ${ratio(cpu.nested / cpu.floorNested)} its CPU`,
      nestedGoal.goal,
      verdict(nestedGoal.met),
    ]);
  }
  if (s) {
    // The floor is a bare `ws` server holding the same graphql-ws subscribers and broadcasting
    // pre-serialized messages: a goal below it cannot be met on this machine, whatever the gateway does.
    const per = s.gateway.heapPerSubscriber;
    const floorHeap = s.bare?.heapPerConnection;
    const heapGoal = GOALS.heapPerSubscriberKiB * 1024;
    rows.push([
      `heap per subscriber, ${s.gateway.ready.toLocaleString('en-US')} graphql-ws subscribers on one job`,
      floorHeap !== undefined ? `bare ws (graphql-ws floor) ${kib(floorHeap)}` : '—',
      kib(per),
      floorHeap !== undefined ? `${(per / floorHeap).toFixed(1)}× floor` : '',
      `≤ ${GOALS.heapPerSubscriberKiB} KiB${floorHeap !== undefined ? ` (${(heapGoal / floorHeap).toFixed(1)}× floor${floorHeap > heapGoal ? '; below the floor here' : ''})` : ''}`,
      verdict(per <= heapGoal),
    ]);
    const f = s.fanOut;
    const floor = s.bare?.fanOut ?? null;
    const below = floor && (floor.p50.median > GOALS.fanOutP50Ms || floor.p99.median > GOALS.fanOutP99Ms);
    rows.push([
      `fan-out of one change to all subscribers, p50 / p99 (last)`,
      floor ? `bare ws ${p50p99(floor.p50.median, floor.p99.median)} (${ms(floor.max.median, 0)})` : '—',
      f ? `${p50p99(f.p50.median, f.p99.median)} (${ms(f.max.median, 0)})` : 'no change seen',
      f && floor ? `${(f.p50.median / floor.p50.median).toFixed(1)}× / ${(f.p99.median / floor.p99.median).toFixed(1)}× floor` : '',
      `p50 ≤ ${GOALS.fanOutP50Ms} ms, p99 ≤ ${GOALS.fanOutP99Ms} ms` +
        (floor ? ` (${(GOALS.fanOutP50Ms / floor.p50.median).toFixed(1)}× / ${(GOALS.fanOutP99Ms / floor.p99.median).toFixed(1)}× floor${below ? '; below the floor here' : ''})` : ''),
      f ? verdict(f.p50.median <= GOALS.fanOutP50Ms && f.p99.median <= GOALS.fanOutP99Ms) : verdict(false),
    ]);
  }
  return table(['measure', 'baseline (direct REST / floor)', 'ems-gateway', 'ratio', 'goal', 'goal met'], rows);
}

function latencyDetails(l: LatencyResult): string {
  const rows = l.rows.map((r) => [
    QUERY_NAMES[r.query],
    `+${r.addedMs} ms`,
    spread(r.direct.p50, (v) => v.toFixed(1)),
    spread(r.direct.p99, (v) => v.toFixed(1)),
    spread(r.floor.p50, (v) => v.toFixed(1)),
    spread(r.floor.p99, (v) => v.toFixed(1)),
    spread(r.gateway.p50, (v) => v.toFixed(1)),
    spread(r.gateway.p99, (v) => v.toFixed(1)),
    `${ratio(r.floorRatioP50)} / ${ratio(r.floorRatioP99)}`,
    `${ratio(r.ratioP50)} / ${ratio(r.ratioP99)}`,
    `${ratio(r.vsFloorP50)} / ${ratio(r.vsFloorP99)}`,
  ]);
  const plans = (['cluster', 'nested'] as const).map(
    (q) => `- ${QUERY_NAMES[q]}: ${l.plans[q].rounds.map((round, i) => `round ${i + 1}: ${round.map((p) => `\`GET ${p}\``).join(', ')}`).join('; ')}`,
  );
  return [
    `### Latency`,
    '',
    `One request at a time, direct REST, the gateway and the floor gateway taking turns (A B C, C B A, …) so all see the same background load; ` +
      `${l.repeats} repeat${l.repeats === 1 ? '' : 's'} of ${l.samples} samples per side after a warm-up. ` +
      `Each figure is the median over the repeats (min–max in brackets), in ms; ratios are medians of the per-repeat ratios.`,
    '',
    table(
      ['query', 'upstream', 'direct p50', 'direct p99', 'floor p50', 'floor p99', 'gateway p50', 'gateway p99', 'floor / direct p50 / p99', 'gateway / direct', 'gateway / floor'],
      rows,
    ),
    '',
    'The EMS calls direct REST makes, read from the simulator log of one gateway request (calls of a round run concurrently); the floor gateway makes the same calls (checked before the run):',
    '',
    ...plans,
  ].join('\n');
}

function throughputDetails(t: ThroughputResult): string {
  const names: Record<keyof ThroughputResult['targets'], string> = {
    yoga: 'bare Yoga `{ hello }`',
    floorCluster: 'floor gateway `cluster(id)`',
    cluster: 'gateway `cluster(id)`',
    upstream: 'upstream ShowCluster (direct)',
    floorNested: 'floor gateway nested query',
    nested: 'gateway nested query',
  };
  const rows = (Object.keys(names) as (keyof typeof names)[]).map((name) => {
    const r = t.targets[name];
    const cpu = Object.entries(r.cpuPerRequestMs)
      .map(([proc, v]) => `${proc} ${spread(v, (x) => x.toFixed(3))} ms (${pct(r.coreShare[proc]!.median)} of a core)`)
      .join('; ');
    return [names[name], spread(r.rps, (v) => String(Math.round(v))), `${r.p50.median} / ${r.p99.median} ms`, cpu];
  });
  return [
    '### Throughput and CPU per request',
    '',
    `autocannon, ${t.connections} connections, ${t.durationSec} s per run, ${t.repeats} repeat${t.repeats === 1 ? '' : 's'} taking turns; ` +
      `+${t.addedMs} ms upstream latency. CPU is user + system time of each server process over the run ` +
      '(`process.cpuUsage()` in the process) divided by the requests it completed; the load generator runs in the bench process and is not counted.',
    '',
    table(['target', 'rps, median (min–max)', 'latency p50 / p99 under load', 'CPU per request by process'], rows),
  ].join('\n');
}

function subscriptionDetails(s: SubscriptionsResult, cores: number): string {
  const lines = [
    '### Subscriptions',
    '',
    `${s.subscribers.toLocaleString('en-US')} subscribers held by ${s.clientProcesses} client process${s.clientProcesses === 1 ? '' : 'es'}; ` +
      `heap measured after two forced GCs in the server process, before and after the connections, divided by their number.`,
    '',
    table(
      ['server', 'connections', 'heap per connection', 'external per connection', 'RSS per connection'],
      [
        ...(s.bare
          ? [['bare `ws`, graphql-ws subscribers (floor)', `${s.subscribers - s.bare.failed}`, kib(s.bare.heapPerConnection), kib(s.bare.externalPerConnection), kib(s.bare.rssPerConnection)]]
          : []),
        [
          'gateway, graphql-ws `jobProgress`',
          `${s.gateway.ready} (${s.gateway.failed} failed; set up in ${s.gateway.setupSec.toFixed(1)} s)`,
          kib(s.gateway.heapPerSubscriber),
          kib(s.gateway.externalPerSubscriber),
          kib(s.gateway.rssPerSubscriber),
        ],
      ],
    ),
  ];
  if (s.gateway.firstFailure) lines.push('', `First failure: ${s.gateway.firstFailure}`);
  if (s.fanOut) {
    lines.push(
      '',
      `Fan-out, poll interval ${s.intervalMs} ms: from the gateway having the new state (an in-process subscriber registered before the clients sees it) to each client's \`next\`. ` +
        `CPU per message delivered while the changes went out: gateway ${s.fanOut.gatewayCpuPerDeliveryMicros.toFixed(1)} µs, ` +
        `client processes ${s.fanOut.clientCpuPerDeliveryMicros.toFixed(1)} µs (they share the machine's ${cores} cores with the gateway, so their work is part of the time).`,
      '',
      table(
        ['change', 'received', 'p50', 'p99', 'last'],
        s.fanOut.events.map((e) => [`${e.status} ${e.progress}%`, `${e.received}/${s.gateway.ready}`, ms(e.p50, 0), ms(e.p99, 0), ms(e.max, 0)]),
      ),
    );
  }
  const floor = s.bare?.fanOut;
  if (floor) {
    lines.push(
      '',
      `Fan-out floor: the bare \`ws\` server broadcasting ${floor.events.length} pre-serialized \`next\` messages (one JSON, each subscription's id put around it, one loop over the sockets) to the same clients, timed the same way. ` +
        `CPU per message delivered: bare \`ws\` ${floor.gatewayCpuPerDeliveryMicros.toFixed(1)} µs, client processes ${floor.clientCpuPerDeliveryMicros.toFixed(1)} µs.`,
      '',
      table(
        ['message', 'received', 'p50', 'p99', 'last'],
        floor.events.map((e, i) => [`${i + 1}`, `${e.received}/${s.subscribers - (s.bare?.failed ?? 0)}`, ms(e.p50, 0), ms(e.p99, 0), ms(e.max, 0)]),
      ),
    );
  }
  return lines.join('\n');
}

function callsDetails(rows: CallsRow[]): string {
  return [
    '### Upstream calls of the nested query',
    '',
    'EMS calls of one nested query (`clusters(first: 100)` with jobs, tasks and release), then with `labels` added (5 ms upstream latency, so concurrency shows).',
    '',
    table(
      ['clusters', 'jobs per cluster', 'calls', 'per operation', 'with labels', 'ListClustersLabels', 'in flight'],
      rows.map((r) => [
        String(r.clusters),
        String(r.jobsPerCluster),
        String(r.total),
        Object.entries(r.calls).sort(([a], [b]) => a.localeCompare(b)).map(([op, n]) => `${op} ${n}`).join(', '),
        String(r.withLabels.total),
        String(r.withLabels.labelCalls),
        String(r.withLabels.labelsInFlight),
      ]),
    ),
  ].join('\n');
}

export function renderResults(results: Results): string {
  const m = results.machine;
  const parts = [
    `Measured ${m.date} on ${m.cores} cores (${m.model}), Node ${m.node}, ${results.options.quick ? 'quick run' : 'full run'}; ` +
      `load average ${m.load} at the start, ${results.loadAtEnd} at the end (the machine is shared: see "Noise" above).`,
    '',
    goalTable(results),
  ];
  if (results.floor) {
    parts.push(
      '',
      `The floor gateway (a bare Yoga over the same upstream, \`bench/support/floor-yoga.ts\`) answered as the gateway does: ` +
        results.floor
          .map(
            (f) =>
              `${QUERY_NAMES[f.query]} ${f.counts.clusters} cluster${f.counts.clusters === 1 ? '' : 's'}, ${f.counts.jobs} jobs, ${f.counts.tasks} tasks ` +
              `(${f.identical ? 'identical data' : 'same shape, values differ'}), with the same ${f.plan.calls} EMS call${f.plan.calls === 1 ? '' : 's'}` +
              (f.sameRounds ? ` in ${f.plan.rounds.length} round${f.plan.rounds.length === 1 ? '' : 's'}` : ` (in rounds that differed as timed: floor ${f.plan.rounds.map((r) => r.length).join(' + ')})`),
          )
          .join('; ') +
        '.',
    );
  }
  const checks = budgetChecks(results);
  if (checks.length > 0) {
    const judged = (c: BudgetCheck) => (c.judged ? `**${c.pass ? 'PASS' : 'FAIL'}**` : `below the floor's ${c.floorMs.toFixed(2)} ms, not judged (${c.pass ? 'within' : 'over'})`);
    parts.push(
      '',
      `CPU budget per request of the gateway (\`--check\`): ${checks.map((c) => `${c.name} ${c.measuredMs.toFixed(2)} ms of ${c.budgetMs.toFixed(2)} ms (${c.basis}) ${judged(c)}`).join('; ')}.`,
    );
  }
  if (results.latency) parts.push('', latencyDetails(results.latency));
  if (results.throughput) parts.push('', throughputDetails(results.throughput));
  if (results.subscriptions) parts.push('', subscriptionDetails(results.subscriptions, results.machine.cores));
  if (results.calls) parts.push('', callsDetails(results.calls));
  return parts.join('\n');
}

export function renderProfile(results: Results): string {
  const m = results.machine;
  const parts = [
    `Profiled ${m.date} on ${m.cores} cores (${m.model}), Node ${m.node}: ${results.options.profileDurationSec} s of load per query, ` +
      `${results.options.connections} connections, no added upstream latency, sampling every ${results.options.profileSamplingMicros} µs. ` +
      "Shares are of the gateway's busy (non-idle) samples; the time per request is the share times the CPU per request measured " +
      "with `process.cpuUsage()` in the same run (the profile's own clock also counts time the process waited for a core on this shared machine).",
  ];
  for (const p of results.profile ?? []) {
    const s = p.summary;
    const unit = p.query === 'fan-out' ? 'message' : 'request';
    const heading =
      p.query === 'fan-out'
        ? `${s.requests.toLocaleString('en-US')} messages to ${p.subscribers?.toLocaleString('en-US')} subscribers, ${(p.cpuPerRequestMs * 1000).toFixed(0)} µs CPU per message`
        : `${rps(p.rps)}, ${ms(p.cpuPerRequestMs, 2)} CPU per request`;
    const per = (share: number) => `${(share * p.cpuPerRequestMs * 1000).toFixed(0)} µs`;
    parts.push(
      '',
      `### ${QUERY_NAMES[p.query]}: ${heading} while profiled (\`${relative(ROOT, p.file)}\`)`,
      '',
      'Busy time by area (each sample charged to the innermost frame that belongs to an area, so natives such as `JSON.parse` or `writev` count for their caller):',
      '',
      table(['area', 'share', `per ${unit}`], s.areas.map((a) => [a.name, pct(a.share), per(a.share)])),
      '',
      'Top functions by self time:',
      '',
      table(['function', 'self', `per ${unit}`], s.topFunctions.map((f) => [`\`${f.name}\``, pct(f.share), per(f.share)])),
      '',
      'Top modules by self time:',
      '',
      table(['module', 'self', `per ${unit}`], s.topModules.map((f) => [`\`${f.name}\``, pct(f.share), per(f.share)])),
    );
    if (p.heap) {
      parts.push(
        '',
        `Heap per subscriber, from heap snapshots of the gateway before the ${p.subscribers?.toLocaleString('en-US')} subscribers connected and after the changes reached them ` +
          `(\`bench/profiles/subscribers-*.heapsnapshot\`): ${kib(p.heap.totalBytes)} in all (shallow sizes), largest kinds of object:`,
        '',
        table(
          ['kind of object', 'objects per subscriber', 'bytes per subscriber'],
          p.heap.top.map((h) => [`\`${h.kind}\``, h.count.toFixed(1), h.bytes.toFixed(0)]),
        ),
      );
    }
  }
  return parts.join('\n');
}
