import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createSimulator, type EmsSimulator } from '../../src/simulator/index.js';
import { createTelemetry, tracingWanted } from '../../src/telemetry.js';
import { startHarness } from '../fixtures/harness.js';
import { JobProgressDocument } from '../generated/graphql.js';
import { createClusterJob, pollsOf, subscribe, wsClient } from '../subscriptions/live-helpers.js';

/**
 * Traces and logs of one request: an OpenTelemetry span per GraphQL operation and per EMS call
 * (exported to an in-memory exporter), `traceparent` sent upstream (seen by a recording proxy in
 * front of the simulator), and the request id and trace id on every log line of the request.
 */
describe('observability', () => {
  let sim: EmsSimulator;
  let proxy: Server;
  let app: App;
  let url: string;
  const exporter = new InMemorySpanExporter();
  const upstream: { path: string; headers: IncomingHttpHeaders }[] = [];
  const lines: Record<string, unknown>[] = [];

  beforeAll(async () => {
    sim = createSimulator({ clockSpeed: 0 });
    const simUrl = new URL(await sim.start());
    // Records what the gateway sends, then forwards it to the simulator.
    proxy = createServer((req, res) => {
      upstream.push({ path: req.url!, headers: req.headers });
      const forward = httpRequest({ host: simUrl.hostname, port: simUrl.port, path: req.url, method: req.method, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode!, answer.headers);
        answer.pipe(res);
      });
      req.pipe(forward);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const config = loadConfig({
      AUDIT_LOG: 'off',
      EMS_ENDPOINT: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
      EMS_PROJECT_ID: sim.credentials.projectId,
      EMS_CIRCUIT_THRESHOLD: '0',
    });
    const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
    app = await buildApp(config, { logger, telemetry: createTelemetry({}, { exporter }) });
    url = await app.start(0, '127.0.0.1');
  });
  afterAll(async () => {
    await app?.stop();
    proxy?.closeAllConnections();
    await new Promise((resolve) => proxy?.close(resolve));
    await sim?.stop();
  });
  beforeEach(() => {
    exporter.reset();
    upstream.length = 0;
    lines.length = 0;
  });

  const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
  const parentSpanId = '00f067aa0ba902b7';

  async function post(query: string, headers: Record<string, string> = {}) {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-auth-token': sim.credentials.token, ...headers },
      body: JSON.stringify({ query }),
    });
    return { response, body: (await response.json()) as { data?: any; errors?: any[] } };
  }

  it('spans the GraphQL operation and each EMS call, continuing the caller\'s trace, and sends traceparent upstream', async () => {
    const { body } = await post('query TwoClusters { clusters(first: 2) { edges { node { id jobs { totalCount } } } } }', {
      traceparent: `00-${traceId}-${parentSpanId}-01`,
    });
    expect(body.errors).toBeUndefined();
    const spans = exporter.getFinishedSpans();
    const operation = spans.find((s) => s.name === 'query TwoClusters');
    expect(operation, spans.map((s) => s.name).join(', ')).toBeDefined();
    expect(operation!.spanContext().traceId).toBe(traceId);
    expect(operation!.parentSpanContext?.spanId).toBe(parentSpanId);
    expect(operation!.attributes).toMatchObject({ 'graphql.operation.type': 'query', 'graphql.operation.name': 'TwoClusters' });

    const emsSpans = spans.filter((s) => s.name.startsWith('EMS '));
    expect(emsSpans.map((s) => s.name).sort()).toEqual(expect.arrayContaining(['EMS ListClusters']));
    for (const span of emsSpans) {
      expect(span.spanContext().traceId).toBe(traceId);
      expect(span.parentSpanContext?.spanId).toBe(operation!.spanContext().spanId);
      expect(span.attributes).toMatchObject({ 'http.request.method': 'GET', 'http.response.status_code': 200 });
    }
    // Each upstream request carries its own EMS span as parent.
    expect(upstream.length).toBe(emsSpans.length);
    const sent = upstream.map((u) => String(u.headers.traceparent));
    expect(sent.sort()).toEqual(emsSpans.map((s) => `00-${traceId}-${s.spanContext().spanId}-01`).sort());
  });

  it('marks failed EMS calls and operations as errors', async () => {
    await post('{ cluster(id: "5b3c7a0e-1d2f-4e6a-9b8c-7d6e5f4a3b2c") { id } }');
    const spans = exporter.getFinishedSpans();
    const show = spans.find((s) => s.name === 'EMS ShowCluster');
    expect(show?.status).toMatchObject({ code: 2 });
    expect(show?.attributes['http.response.status_code']).toBe(404);
  });

  it('echoes X-Request-Id (or makes one) and puts it and the trace id on every log line of the request, EMS calls included', async () => {
    const { response } = await post('{ releases(first: 1) { totalCount } }', { 'x-request-id': 'req-obs-1', traceparent: `00-${traceId}-${parentSpanId}-01` });
    expect(response.headers.get('x-request-id')).toBe('req-obs-1');
    const ours = lines.filter((l) => l.requestId === 'req-obs-1');
    expect(ours.map((l) => l.msg)).toEqual(expect.arrayContaining(['EMS call', 'GraphQL operation finished']));
    for (const line of ours) expect(line.traceId).toBe(traceId);
    // Lines about this request without its id: none.
    expect(lines.filter((l) => l.msg === 'EMS call' && l.requestId !== 'req-obs-1')).toEqual([]);

    const generated = await post('{ releases(first: 1) { totalCount } }', { 'x-request-id': 'bad id with spaces' });
    const id = generated.response.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(lines.some((l) => l.requestId === id && l.msg === 'EMS call' && typeof l.traceId === 'string')).toBe(true);
  });

  it('is off by default and turned on by the standard OTEL_* variables', () => {
    expect(tracingWanted({})).toBe(false);
    expect(tracingWanted({ OTEL_TRACES_EXPORTER: 'otlp' })).toBe(true);
    expect(tracingWanted({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(true);
    expect(tracingWanted({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'true' })).toBe(false);
    expect(tracingWanted({ OTEL_TRACES_EXPORTER: 'none' })).toBe(false);
    expect(createTelemetry({}).tracer).toBeNull();
    expect(() => createTelemetry({ OTEL_TRACES_EXPORTER: 'zipkin' })).toThrow(/unsupported exporter "zipkin"/);
  });
});

describe('logs of EMS calls the gateway abandons', () => {
  it('logs a poll cut short because its last subscriber left at debug, not as a failed EMS call', async () => {
    const logged: { level: number; msg: string; operation?: string }[] = [];
    const h = await startHarness({ logger: pino({ level: 'debug' }, { write: (line: string) => void logged.push(JSON.parse(line)) }) });
    try {
      const { jobId } = await createClusterJob(h.sim);
      // The poll hangs upstream until the subscriber has gone.
      h.sim.setFaults({ latencyMs: 5_000, operations: ['ShowJob'] });
      const client = wsClient(h.url, h.token);
      const job = subscribe(client, JobProgressDocument, { id: jobId });
      await expect.poll(() => pollsOf(h.sim, jobId).length, { timeout: 10_000 }).toBe(1);
      job.dispose();
      await client.dispose();
      await expect
        .poll(() => logged.filter((l) => l.msg === 'EMS call abandoned: its caller went away or the gateway is stopping' && l.operation === 'ShowJob').length, { timeout: 10_000 })
        .toBe(1);
      expect(logged.filter((l) => l.level >= 40)).toEqual([]);
    } finally {
      h.sim.resetFaults();
      await h.close();
    }
  });
});
