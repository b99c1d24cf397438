/** The benchmark's results as Markdown: the goal table, the details, the profile summary. */
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CallsRow } from './sections/calls.js';
import type { BenchOptions } from './sections/context.js';
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

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const QUERY_NAMES = { cluster: '`cluster(id)`', nested: 'nested 100-cluster query', 'fan-out': 'subscription fan-out' } as const;

const spread = (r: Repeated, fmt: (v: number) => string) => (r.runs.length > 1 ? `${fmt(r.median)} (${fmt(r.min)}–${fmt(r.max)})` : fmt(r.median));
const p50p99 = (a: number, b: number) => `${a.toFixed(1)} / ${b.toFixed(1)} ms`;

export interface BudgetCheck {
  name: string;
  measuredMs: number;
  budgetMs: number;
  /** How the budget was set. */
  basis: string;
  pass: boolean;
}

/**
 * The gateway's CPU per request against its budgets. An absolute budget comes from `--budget`; the
 * default for `cluster(id)` is relative: bare Yoga's CPU per request in the same run divided by the
 * throughput goal (0.75), so it holds on any machine.
 */
export function budgetChecks(results: Results): BudgetCheck[] {
  const t = results.throughput;
  if (!t) return [];
  return Object.entries(results.options.budgets).map(([name, budget]) => {
    const measuredMs = t.targets[name as 'cluster' | 'nested'].cpuPerRequestMs.gateway!.median;
    const relative = budget === 'floor';
    const budgetMs = relative ? t.targets.yoga.cpuPerRequestMs.yoga!.median / GOALS.clusterVsYoga : budget;
    const basis = relative ? `bare Yoga's ${t.targets.yoga.cpuPerRequestMs.yoga!.median.toFixed(3)} ms / ${GOALS.clusterVsYoga}` : 'absolute';
    return { name, measuredMs, budgetMs, basis, pass: measuredMs <= budgetMs };
  });
}

function goalTable(results: Results): string {
  const rows: string[][] = [];
  const { latency: l, throughput: t, subscriptions: s } = results;
  const latencyRow = (row: LatencyRow | undefined, label: string, goal: string, met: boolean | null) => {
    if (!row) return;
    rows.push([
      label,
      p50p99(row.direct.p50.median, row.direct.p99.median),
      p50p99(row.gateway.p50.median, row.gateway.p99.median),
      `${ratio(row.ratioP50)} / ${ratio(row.ratioP99)}`,
      goal,
      verdict(met),
    ]);
  };
  for (const query of ['cluster', 'nested'] as const) {
    for (const addedMs of results.options.latencies) {
      const row = l?.rows.find((r) => r.query === query && r.addedMs === addedMs);
      const goalApplies = addedMs === 10;
      const goal = !goalApplies ? '—' : query === 'cluster' ? `≤ ${GOALS.clusterP50Ratio}× / ≤ ${GOALS.clusterP99Ratio}×` : `p50 ≤ ${GOALS.nestedP50Ratio}×`;
      const met = !row || !goalApplies ? null : query === 'cluster' ? row.ratioP50 <= GOALS.clusterP50Ratio && row.ratioP99 <= GOALS.clusterP99Ratio : row.ratioP50 <= GOALS.nestedP50Ratio;
      const plan = l?.plans[query];
      const calls = plan ? `, ${plan.calls} GET${plan.calls === 1 ? '' : 's'} in ${plan.rounds.length} round${plan.rounds.length === 1 ? '' : 's'}` : '';
      latencyRow(row, `${QUERY_NAMES[query]} p50 / p99, +${addedMs} ms upstream${calls}`, goal, met);
    }
  }
  if (t) {
    const yoga = t.targets.yoga.rps.median;
    const cluster = t.targets.cluster.rps.median;
    const cpuRatio = t.targets.yoga.cpuPerRequestMs.yoga!.median / t.targets.cluster.cpuPerRequestMs.gateway!.median;
    rows.push([
      `\`cluster(id)\` throughput, ${t.connections} connections`,
      `bare Yoga ${rps(yoga)} (upstream alone ${rps(t.targets.upstream.rps.median)})`,
      rps(cluster),
      `${(cluster / yoga).toFixed(2)} of bare Yoga (by CPU per request: ${cpuRatio.toFixed(2)})`,
      `≥ ${GOALS.clusterVsYoga} of bare Yoga`,
      verdict(cluster / yoga >= GOALS.clusterVsYoga),
    ]);
    rows.push([
      'CPU per request, `cluster(id)` vs bare Yoga',
      ms(t.targets.yoga.cpuPerRequestMs.yoga!.median, 3),
      ms(t.targets.cluster.cpuPerRequestMs.gateway!.median, 3),
      ratio(t.targets.cluster.cpuPerRequestMs.gateway!.median / t.targets.yoga.cpuPerRequestMs.yoga!.median),
      '—',
      '',
    ]);
    const nested = t.targets.nested;
    const cpu = nested.cpuPerRequestMs.gateway!.median;
    rows.push([
      `nested query throughput and gateway CPU per request, ${t.connections} connections`,
      '—',
      `${rps(nested.rps.median)} (${rps(1000 / cpu)} per core of CPU), ${ms(cpu, 2)} CPU`,
      '',
      `≥ ${GOALS.nestedRps} rps (≤ ${GOALS.nestedCpuMs} ms CPU)`,
      verdict(nested.rps.median >= GOALS.nestedRps && cpu <= GOALS.nestedCpuMs),
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
    spread(r.gateway.p50, (v) => v.toFixed(1)),
    spread(r.gateway.p99, (v) => v.toFixed(1)),
    `${ratio(r.ratioP50)} / ${ratio(r.ratioP99)}`,
  ]);
  const plans = (['cluster', 'nested'] as const).map(
    (q) => `- ${QUERY_NAMES[q]}: ${l.plans[q].rounds.map((round, i) => `round ${i + 1}: ${round.map((p) => `\`GET ${p}\``).join(', ')}`).join('; ')}`,
  );
  return [
    `### Latency`,
    '',
    `One request at a time, direct REST and the gateway alternating (A B B A …) so both see the same background load; ` +
      `${l.repeats} repeat${l.repeats === 1 ? '' : 's'} of ${l.samples} samples per side after a warm-up. ` +
      `Each figure is the median over the repeats (min–max in brackets), in ms; ratios are medians of the per-repeat ratios.`,
    '',
    table(['query', 'upstream', 'direct p50', 'direct p99', 'gateway p50', 'gateway p99', 'ratio p50 / p99'], rows),
    '',
    'The EMS calls direct REST makes, read from the simulator log of one gateway request (calls of a round run concurrently):',
    '',
    ...plans,
  ].join('\n');
}

function throughputDetails(t: ThroughputResult): string {
  const names = { yoga: 'bare Yoga `{ hello }`', cluster: 'gateway `cluster(id)`', upstream: 'upstream ShowCluster (direct)', nested: 'gateway nested query' };
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
  const checks = budgetChecks(results);
  if (checks.length > 0) {
    parts.push(
      '',
      `CPU budget per request of the gateway (\`--check\`): ${checks.map((c) => `${c.name} ${c.measuredMs.toFixed(2)} ms of ${c.budgetMs.toFixed(2)} ms${c.basis === 'absolute' ? '' : ` (${c.basis})`} **${c.pass ? 'PASS' : 'FAIL'}**`).join('; ')}.`,
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
