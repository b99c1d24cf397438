import { afterEach, describe, expect, it, vi } from 'vitest';
import { createDeviationReporter, type Deviation } from '../../src/ems/read/index.js';

const deviation = (patch: Partial<Deviation> = {}): Deviation => ({
  operation: 'ListClusters',
  field: 'clusters[].cluster_metadata.status',
  kind: 'unknown_enum',
  count: 1,
  requestId: 'req-1',
  ...patch,
});

function reporter() {
  const lines: { level: 'debug' | 'warn'; obj: Record<string, unknown>; msg: string }[] = [];
  const counted: Deviation[] = [];
  const report = createDeviationReporter({
    logger: {
      debug: (obj, msg) => lines.push({ level: 'debug', obj: obj as Record<string, unknown>, msg }),
      warn: (obj, msg) => lines.push({ level: 'warn', obj: obj as Record<string, unknown>, msg }),
    },
    count: (d) => counted.push(d),
  });
  return { report, lines, counted };
}

describe('createDeviationReporter', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('counts every deviation, and logs each (operation, field, kind) at most once a minute with the EMS request id', async () => {
    vi.useFakeTimers({ now: new Date('2026-05-01T10:00:00Z') });
    const { report, lines, counted } = reporter();
    report(deviation({ requestId: 'req-1', count: 3 }));
    report(deviation({ requestId: 'req-2', count: 2 }));
    report(deviation({ field: 'clusters[].cluster_metadata.created_at', kind: 'bad_field', requestId: 'req-3' }));
    await vi.advanceTimersByTimeAsync(59_999);
    report(deviation({ requestId: 'req-4' }));
    expect(counted).toHaveLength(4);
    expect(lines).toEqual([
      {
        level: 'warn',
        obj: { operation: 'ListClusters', field: 'clusters[].cluster_metadata.status', kind: 'unknown_enum', count: 3, requestId: 'req-1' },
        msg: 'EMS response deviates from what the gateway reads strictly; tolerated',
      },
      {
        level: 'warn',
        obj: { operation: 'ListClusters', field: 'clusters[].cluster_metadata.created_at', kind: 'bad_field', count: 1, requestId: 'req-3' },
        msg: 'EMS response deviates from what the gateway reads strictly; tolerated',
      },
    ]);

    await vi.advanceTimersByTimeAsync(1);
    report(deviation({ requestId: 'req-5' }));
    expect(lines).toHaveLength(3);
    // The next line says how much went unlogged since the previous one.
    expect(lines[2]!.obj).toEqual({
      operation: 'ListClusters',
      field: 'clusters[].cluster_metadata.status',
      kind: 'unknown_enum',
      count: 1,
      requestId: 'req-5',
      since: '2026-05-01T10:00:00.000Z',
      notLogged: 3,
    });
  });

  it('logs what the EMS reference itself prescribes (an empty time) at debug level only', () => {
    vi.useFakeTimers();
    const { report, lines, counted } = reporter();
    report(deviation({ operation: 'ListJobs', field: 'jobs[].end_at', kind: 'empty_time', count: 40 }));
    expect(counted).toHaveLength(1);
    expect(lines.map((l) => [l.level, l.obj.kind, l.obj.count])).toEqual([['debug', 'empty_time', 40]]);
  });
});
