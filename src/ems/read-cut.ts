type Listener = (...args: unknown[]) => unknown;

/**
 * The signal of one EMS read: aborted when the circuit opens ({@link stop}) or when the caller's
 * signal (the request's deadline) aborts, with the reason of whichever came first. It has the part
 * of `AbortSignal` its users read (undici, the retry policy, `timers/promises` sleep: `aborted`,
 * `reason`, `abort` listeners): a listener is added to the caller's signal as it is, and called
 * here when the circuit opens. No AbortController per read, and no listener on the caller's signal
 * to forward its abort.
 */
export class ReadCut {
  private cutReason: unknown = undefined;
  private cut = false;
  private listeners: Listener[] | null = null;

  constructor(private readonly caller: AbortSignal | undefined) {}

  get aborted(): boolean {
    return this.cut || (this.caller?.aborted ?? false);
  }

  get reason(): unknown {
    return this.cut ? this.cutReason : this.caller?.reason;
  }

  /** Whether the circuit opening (not the caller) aborted it. */
  get cutShort(): boolean {
    return this.cut;
  }

  throwIfAborted(): void {
    if (this.aborted) throw this.reason;
  }

  /** Aborts with `reason`, unless already aborted (by the caller, or before). */
  stop(reason: unknown): void {
    if (this.aborted) return;
    this.cut = true;
    this.cutReason = reason;
    const listeners = this.listeners ?? [];
    this.listeners = null;
    for (const listener of listeners) {
      this.caller?.removeEventListener('abort', listener);
      listener.call(this, { type: 'abort', target: this });
    }
  }

  addEventListener(type: string, listener: Listener, options?: AddEventListenerOptions | boolean): void {
    if (type !== 'abort' || this.cut) return;
    (this.listeners ??= []).push(listener);
    this.caller?.addEventListener('abort', listener, options);
  }

  removeEventListener(type: string, listener: Listener): void {
    if (type !== 'abort') return;
    const i = this.listeners?.indexOf(listener) ?? -1;
    if (i >= 0) this.listeners!.splice(i, 1);
    this.caller?.removeEventListener('abort', listener);
  }
}
