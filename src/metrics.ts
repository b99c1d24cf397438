import type { Plugin } from 'graphql-yoga';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { EmsOperation } from './ems/api.js';
import type { EmsError } from './ems/errors.js';
import type { Deviation } from './ems/read/index.js';
import type { HubStats, PollReport } from './subscriptions/index.js';

export interface UpstreamCall {
  operation: EmsOperation;
  method: string;
  status: number | null;
  durationMs: number;
  error?: EmsError;
}

export interface Metrics {
  registry: Registry;
  /** `region`: the call's region, given only when several regions are configured (one region: no `region` label, series as before). */
  observeUpstream(call: UpstreamCall, region?: string): void;
  /** Counts what EMS sent that the gateway tolerated, by operation, field and kind. */
  observeDeviation(deviation: Deviation): void;
  /** Counts subscription polls by resource kind and outcome. */
  observePoll(report: PollReport): void;
  /** Reports the hub's watches, subscribers and pollers at every scrape. */
  observeLive(stats: () => HubStats): void;
  /** Counts GraphQL operations by type and outcome. */
  yogaPlugin: Plugin;
}

/** One registry per gateway instance (tests build several in one process). */
export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
    new Counter<L>({ name, help, labelNames, registers: [registry] });
  // `region` is set only when several regions are configured: a one-region gateway keeps its series as they were.
  const upstreamCalls = counter('ems_upstream_requests_total', 'EMS API calls by operation and outcome (and region, with several regions)', ['operation', 'status', 'code', 'region']);
  const upstreamDuration = new Histogram({
    name: 'ems_upstream_request_duration_seconds',
    help: 'EMS API call duration, retries included (by region too, with several regions)',
    labelNames: ['operation', 'region'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const deviations = counter(
    'ems_response_deviations_total',
    'Tolerated departures of EMS responses from the strict reading (docs/tolerant-reading.md), by operation, field and kind; kind empty_time is the reference\'s own "" for a time not reached yet, not drift',
    ['operation', 'field', 'kind'],
  );
  const upstreamSeries = new Map<string, { calls: { inc(): void }; duration: { observe(value: number): void } }>();
  const operations = counter('graphql_operations_total', 'GraphQL operations by type and whether the result carried errors', ['type', 'errors']);
  const polls = counter('ems_subscription_polls_total', 'Upstream polls made by subscription pollers, by resource kind and outcome', ['kind', 'code']);
  let liveStats: (() => HubStats) | null = null;
  for (const [field, help] of [
    ['watches', 'Resources watched by this replica'],
    ['subscribers', 'Subscribers connected to this replica'],
    ['polling', 'Resources this replica polls (holds the lock of)'],
  ] as const) {
    new Gauge({
      name: `ems_subscription_${field}`,
      help,
      registers: [registry],
      collect() {
        if (liveStats) this.set(liveStats()[field]);
      },
    });
  }

  new Gauge({
    name: 'ems_subscription_mode',
    help: 'How this replica runs its pollers: 1 for the current mode (single: no Redis; shared: one poller per resource across replicas; local: Redis unreachable, polling for its own subscribers)',
    labelNames: ['mode'] as const,
    registers: [registry],
    collect() {
      if (!liveStats) return;
      const current = liveStats().mode;
      for (const mode of ['single', 'shared', 'local'] as const) this.set({ mode }, mode === current ? 1 : 0);
    },
  });

  return {
    registry,
    observePoll(report) {
      polls.inc({ kind: report.kind, code: report.ok ? 'OK' : (report.code ?? 'ERROR') });
    },
    observeLive(stats) {
      liveStats = stats;
    },
    observeDeviation(deviation) {
      deviations.inc({ operation: deviation.operation, field: deviation.field, kind: deviation.kind }, deviation.count);
    },
    observeUpstream(call, region) {
      const status = String(call.status ?? 'none');
      const code = call.error?.code ?? 'OK';
      // The label sets are few (operation × status × code): their series are looked up once, then kept.
      const key = `${call.operation}\0${status}\0${code}\0${region ?? ''}`;
      let series = upstreamSeries.get(key);
      if (!series) {
        const where = region === undefined ? {} : { region };
        series = {
          calls: upstreamCalls.labels({ operation: call.operation, status, code, ...where }),
          duration: upstreamDuration.labels({ operation: call.operation, ...where }),
        };
        upstreamSeries.set(key, series);
      }
      series.calls.inc();
      series.duration.observe(call.durationMs / 1000);
    },
    yogaPlugin: {
      onExecute({ args }) {
        const definition = args.document.definitions.find((d: { kind: string }) => d.kind === 'OperationDefinition');
        const type = definition && 'operation' in definition ? definition.operation : 'unknown';
        return {
          onExecuteDone({ result }) {
            const errors = 'errors' in result && Array.isArray(result.errors) && result.errors.length > 0;
            operations.inc({ type, errors: String(errors) });
          },
        };
      },
    },
  };
}
