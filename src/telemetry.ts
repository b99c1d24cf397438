import { randomFillSync } from 'node:crypto';
import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  defaultTextMapGetter,
  defaultTextMapSetter,
  isSpanContextValid,
  trace,
  type Context as OtelContext,
  type Span,
  type SpanOptions,
  type Tracer,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, ConsoleSpanExporter, SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';

/**
 * Tracing with OpenTelemetry: a span per GraphQL operation (app.ts) and per EMS call (the EMS
 * client), W3C `traceparent` in and out. Off unless the standard variables ask for it:
 *
 * - `OTEL_TRACES_EXPORTER=otlp` (or `console`), or an `OTEL_EXPORTER_OTLP_ENDPOINT` /
 *   `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, turns it on; `OTEL_SDK_DISABLED=true` or
 *   `OTEL_TRACES_EXPORTER=none` keeps it off;
 * - the OTLP exporter (http/protobuf) reads `OTEL_EXPORTER_OTLP_*` itself (endpoint, headers,
 *   timeout, compression); the batch processor `OTEL_BSP_*`;
 * - `OTEL_SERVICE_NAME` (default `ems-gateway`) and `OTEL_RESOURCE_ATTRIBUTES` name the resource.
 *
 * Off, nothing is recorded or exported, but trace context still flows: an incoming `traceparent`
 * is passed on to EMS (or a fresh one made), and its trace id is in the request's log lines.
 */
export interface Telemetry {
  /** Null when tracing is off. */
  readonly tracer: Tracer | null;
  /**
   * Starts a span as a child of `parent`. With tracing off, a non-recording span that carries
   * `parent`'s trace (or a new trace id) and a fresh span id, so `traceparent` still goes upstream.
   */
  startSpan(name: string, options: SpanOptions, parent: OtelContext): Span;
  /** The trace context of incoming headers (`traceparent`, `tracestate`), or the root context. */
  extract(headers: { get(name: string): string | null } | null | undefined): OtelContext;
  /** Adds `traceparent` (and `tracestate`) of `ctx` to outgoing headers. */
  inject(ctx: OtelContext, headers: Record<string, string>): void;
  /** Flushes and stops the exporter. */
  shutdown(): Promise<void>;
}

export interface TelemetryOptions {
  /** Export to this exporter instead of the one the environment names (tests: an in-memory exporter, exported at once). */
  exporter?: SpanExporter;
}

const propagator = new W3CTraceContextPropagator();

/** Whether the environment turns tracing on (see {@link Telemetry}). */
export function tracingWanted(env: Record<string, string | undefined>): boolean {
  if ((env.OTEL_SDK_DISABLED ?? '').trim().toLowerCase() === 'true') return false;
  const exporters = (env.OTEL_TRACES_EXPORTER ?? '').split(',').map((e) => e.trim().toLowerCase()).filter(Boolean);
  if (exporters.includes('none')) return false;
  if (exporters.length > 0) return true;
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim());
}

/**
 * Tracing as the environment (or `options.exporter`) says.
 * @throws Error when OTEL_TRACES_EXPORTER names an exporter other than otlp, console or none.
 */
export function createTelemetry(env: Record<string, string | undefined> = process.env, options: TelemetryOptions = {}): Telemetry {
  if (!options.exporter && !tracingWanted(env)) return telemetryOf(null, null);
  const processors = [];
  if (options.exporter) {
    processors.push(new SimpleSpanProcessor(options.exporter));
  } else {
    const names = (env.OTEL_TRACES_EXPORTER ?? 'otlp').split(',').map((e) => e.trim().toLowerCase()).filter(Boolean);
    for (const name of names.length ? names : ['otlp']) {
      if (name === 'otlp') processors.push(new BatchSpanProcessor(new OTLPTraceExporter()));
      else if (name === 'console') processors.push(new SimpleSpanProcessor(new ConsoleSpanExporter()));
      else throw new Error(`OTEL_TRACES_EXPORTER: unsupported exporter ${JSON.stringify(name)} (use otlp, console or none)`);
    }
  }
  const resource = resourceFromAttributes({ 'service.name': env.OTEL_SERVICE_NAME?.trim() || 'ems-gateway' }).merge(
    detectResources({ detectors: [envDetector] }),
  );
  const provider = new BasicTracerProvider({ resource, spanProcessors: processors });
  return telemetryOf(provider.getTracer('ems-gateway'), provider);
}

function telemetryOf(tracer: Tracer | null, provider: BasicTracerProvider | null): Telemetry {
  return {
    tracer,
    startSpan(name, options, parent) {
      if (tracer) return tracer.startSpan(name, options, parent);
      const inherited = trace.getSpanContext(parent);
      return trace.wrapSpanContext({
        traceId: inherited && isSpanContextValid(inherited) ? inherited.traceId : randomHex(16),
        spanId: randomHex(8),
        traceFlags: inherited?.traceFlags ?? TraceFlags.NONE,
        ...(inherited?.traceState ? { traceState: inherited.traceState } : {}),
      });
    },
    extract(headers) {
      // Without a traceparent the propagator reads nothing (tracestate alone is ignored).
      const traceparent = headers?.get('traceparent');
      if (traceparent == null) return ROOT_CONTEXT;
      const carrier: Record<string, string> = { traceparent };
      const tracestate = headers!.get('tracestate');
      if (tracestate !== null) carrier.tracestate = tracestate;
      return propagator.extract(ROOT_CONTEXT, carrier, defaultTextMapGetter);
    },
    inject(ctx, headers) {
      propagator.inject(ctx, headers, defaultTextMapSetter);
    },
    async shutdown() {
      await provider?.shutdown().catch(() => undefined);
    },
  };
}

/** Random bytes drawn ahead, so an id costs a slice of this pool rather than a call into the CSPRNG (as randomUUID does). */
const RANDOM_POOL = Buffer.alloc(4096);
let randomAt = RANDOM_POOL.length;

/** `bytes` random bytes as lower-case hex (a trace id: 16, a span id: 8), never all zero (an invalid id). */
function randomHex(bytes: number): string {
  for (;;) {
    if (randomAt + bytes > RANDOM_POOL.length) {
      randomFillSync(RANDOM_POOL);
      randomAt = 0;
    }
    const id = RANDOM_POOL.toString('hex', randomAt, (randomAt += bytes));
    if (!ALL_ZERO.test(id)) return id;
  }
}

const ALL_ZERO = /^0+$/;

/** Marks a span failed with `error`'s message (no stack: spans leave the gateway). */
export function failSpan(span: Span, error: unknown, code?: string): void {
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
  if (code) span.setAttribute('error.type', code);
}

export { SpanKind, SpanStatusCode, trace, type OtelContext, type Span };
