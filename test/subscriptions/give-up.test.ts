import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../fixtures/harness.js';
import { createClusterJob, pollsOf, subscribe, subscribeSse, until, wsClient } from './live-helpers.js';
import { JobProgressDocument } from '../generated/graphql.js';

/**
 * Subscriptions never go silent: after POLL_MAX_FAILURES failed polls in a row (answers that cannot
 * be read, or EMS unreachable), every subscriber of the resource gets one result whose error has
 * the failure's code, then `complete`, over graphql-ws and over SSE alike.
 */
let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    sim: { clockSpeed: 0 },
    env: { POLL_ACTIVE_MS: '100', POLL_IDLE_MS: '200', POLL_MAX_BACKOFF_MS: '200', POLL_MAX_FAILURES: '3', EMS_MAX_RETRIES: '0' },
  });
});
afterAll(async () => {
  await h?.close();
});

describe('a subscription whose polls keep failing', () => {
  for (const { what, faults, code } of [
    { what: 'EMS answers ShowJob with bodies the gateway cannot read', faults: { malformedRate: 1 }, code: 'UPSTREAM_BAD_RESPONSE' },
    { what: 'EMS is unavailable', faults: { errorRate: 1 }, code: 'UPSTREAM_UNAVAILABLE' },
  ] as const) {
    it(`ends with ${code} on graphql-ws and SSE when ${what}`, async () => {
      const { jobId } = await createClusterJob(h.sim);
      const client = wsClient(h.url, h.token);
      const ws = subscribe(client, JobProgressDocument, { id: jobId });
      const sse = subscribeSse(h.url, h.token, JobProgressDocument, { id: jobId });
      // Both subscribers share the watch (the frozen clock keeps the job INIT) before EMS fails.
      await until(() => ws.values.length === 1 && sse.values.length === 1, 20_000, 'the first state on both transports');
      const before = pollsOf(h.sim, jobId).length;
      h.sim.setFaults({ ...faults, operations: ['ShowJob'] });
      try {
        await Promise.all([ws.done, sse.done]);
        for (const sub of [ws, sse]) {
          expect(sub.error).toBeNull();
          expect(sub.completed).toBe(true);
          expect(sub.results).toHaveLength(2);
          expect(sub.values).toEqual([expect.objectContaining({ id: jobId, status: 'INIT' })]);
          expect(sub.results[1]!.data).toBeNull();
          expect(sub.results[1]!.errors?.[0]).toMatchObject({
            message: expect.stringMatching(/^Watching job ".+" stopped after 3 failed polls in a row/),
            extensions: { code, retryable: true, requestId: expect.any(String) },
          });
        }
        // One shared watch: three failed polls, then none.
        expect(pollsOf(h.sim, jobId).length - before).toBe(3);
        await client.dispose();
      } finally {
        h.sim.resetFaults();
      }
    });
  }
});
