/**
 * The error cap of one request: a flag set when its field errors reach MAX_ERRORS, which the
 * executor watches as its `signal`. It has the part of `AbortSignal` the executor uses
 * (`aborted`, `reason`, `throwIfAborted`, `abort` listeners), and none of an `AbortController`'s
 * cost: no EventTarget, no signal object made per request. Only when an execution already has a
 * signal of its own (which must stop it too) is a real one made, joined to that one.
 */
export class ErrorCap {
  aborted = false;
  reason: unknown = undefined;
  /** `abort` listeners, called once on stop (an execution adds one). */
  private listeners: (() => void)[] = [];
  private controller: AbortController | null = null;

  /** Stops the execution with `reason` (once; later calls change nothing). */
  stop(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.controller?.abort(reason);
    const listeners = this.listeners;
    this.listeners = [];
    for (const listener of listeners) listener();
  }

  throwIfAborted(): void {
    if (this.aborted) throw this.reason;
  }

  addEventListener(type: string, listener: () => void): void {
    if (type === 'abort' && !this.aborted) this.listeners.push(listener);
  }

  removeEventListener(type: string, listener: () => void): void {
    if (type !== 'abort') return;
    const i = this.listeners.indexOf(listener);
    if (i >= 0) this.listeners.splice(i, 1);
  }

  /** The signal to give an execution that already has `signal`: aborted by either. */
  joined(signal: AbortSignal): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.aborted) this.controller.abort(this.reason);
    }
    return AbortSignal.any([signal, this.controller.signal]);
  }
}
