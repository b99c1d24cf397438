import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../fixtures/harness.js';

describe('per-request EMS call budget (MAX_UPSTREAM_CALLS)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { MAX_UPSTREAM_CALLS: '5' } });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('stops a request that fans out by aliases at the budget, and sends nothing past it', async () => {
    const aliases = Array.from({ length: 8 }, (_, i) => `r${i}: releases(first: 1) { totalCount }`).join('\n');
    h.sim.stats.reset();
    const result = await h.gql(`{ ${aliases} }`);
    // The connections are non-null, so the first refused one nulls the whole result.
    expect(result.data).toBeNull();
    expect(result.errors).toHaveLength(1);
    expect(result.errors![0]!.extensions).toMatchObject({ code: 'UPSTREAM_CALL_BUDGET_EXCEEDED', retryable: false });
    expect(result.errors![0]!.message).toMatch(/more than 5 EMS calls/);
    // The calls within budget may still be landing after the response: wait for them.
    await expect.poll(() => h.sim.stats.calls.ListReleases).toBe(5);
    await new Promise((r) => setTimeout(r, 100));
    expect(h.sim.stats.count()).toBe(5);
  });

  it('gives every request its own budget', async () => {
    for (let i = 0; i < 3; i++) {
      const result = await h.gql('{ a: releases(first: 1) { totalCount } b: features(first: 1) { totalCount } }');
      expect(result.errors).toBeUndefined();
    }
  });
});
