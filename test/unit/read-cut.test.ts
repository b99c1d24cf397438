import { describe, expect, it, vi } from 'vitest';
import { ReadCut } from '../../src/ems/read-cut.js';
import { ErrorCap } from '../../src/security/error-cap.js';

describe('ReadCut', () => {
  it('aborts with the circuit’s reason when cut first, and calls its listeners once', () => {
    const caller = new AbortController();
    const cut = new ReadCut(caller.signal);
    const listener = vi.fn();
    cut.addEventListener('abort', listener, { once: true });
    cut.stop('circuit');
    caller.abort('deadline');
    expect(cut.aborted).toBe(true);
    expect(cut.reason).toBe('circuit');
    expect(cut.cutShort).toBe(true);
    expect(listener).toHaveBeenCalledTimes(1);
  });

  it('keeps the caller’s reason when the caller aborted first', () => {
    const caller = new AbortController();
    const cut = new ReadCut(caller.signal);
    const listener = vi.fn();
    cut.addEventListener('abort', listener, { once: true });
    caller.abort('deadline');
    cut.stop('circuit');
    expect(cut.reason).toBe('deadline');
    expect(cut.cutShort).toBe(false);
    expect(listener).toHaveBeenCalledTimes(1);
  });

  it('calls no listener removed before the abort', () => {
    const caller = new AbortController();
    const cut = new ReadCut(caller.signal);
    const listener = vi.fn();
    cut.addEventListener('abort', listener);
    cut.removeEventListener('abort', listener);
    caller.abort('deadline');
    cut.stop('circuit');
    expect(listener).not.toHaveBeenCalled();
  });
});

describe('ErrorCap', () => {
  it('throws its reason once stopped and calls its listeners once', () => {
    const cap = new ErrorCap();
    const listener = vi.fn();
    cap.addEventListener('abort', listener);
    expect(() => cap.throwIfAborted()).not.toThrow();
    cap.stop('first');
    cap.stop('second');
    expect(() => cap.throwIfAborted()).toThrow('first');
    expect(listener).toHaveBeenCalledTimes(1);
  });
});
