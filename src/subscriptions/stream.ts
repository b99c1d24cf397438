/**
 * The stream one subscriber of a watch reads: what a Repeater with a sliding buffer gives, at a
 * fraction of its memory and work per subscriber (thousands of subscribers each hold one).
 *
 * - Starts on the first `next()` (`start` runs then), so a stream nobody reads holds no subscriber.
 * - `push` keeps at most `capacity` values for a reader that has not asked yet, dropping the
 *   oldest: a slow reader skips intermediate values, never the latest one.
 * - `stop(error?)`: the values kept are still read, then the stream rejects once with `error`, or
 *   completes. `return()` ends it at once, dropping what is kept, and settles a pending `next()`.
 * - `onEnd` runs once, after the stream stopped or was returned (in a microtask, never while the
 *   caller of `push`/`stop` is still iterating its subscribers).
 */
export class LiveStream<T> implements AsyncIterableIterator<T> {
  private kept: T[] | null = null;
  private waiting: { resolve(result: IteratorResult<T>): void; reject(error: unknown): void } | null = null;
  private started = false;
  private stopped = false;
  private failure: { error: unknown } | null = null;
  private ended = false;

  constructor(
    private readonly start: (stream: LiveStream<T>) => void,
    private readonly onEnd: () => void,
    private readonly capacity = 16,
  ) {}

  [Symbol.asyncIterator]() {
    return this;
  }

  push(value: T): void {
    if (this.stopped) return;
    const waiting = this.waiting;
    if (waiting) {
      this.waiting = null;
      waiting.resolve({ value, done: false });
      return;
    }
    const kept = (this.kept ??= []);
    kept.push(value);
    if (kept.length > this.capacity) kept.shift();
  }

  stop(error?: unknown): void {
    if (this.stopped) return;
    this.stopped = true;
    if (error !== undefined) this.failure = { error };
    this.end();
    const waiting = this.waiting;
    if (waiting) {
      this.waiting = null;
      this.settle(waiting);
    }
  }

  next(): Promise<IteratorResult<T>> {
    if (!this.started) {
      this.started = true;
      this.start(this);
    }
    if (this.kept?.length) return Promise.resolve({ value: this.kept.shift()!, done: false });
    if (this.stopped) return new Promise((resolve, reject) => this.settle({ resolve, reject }));
    if (this.waiting) return Promise.reject(new Error('LiveStream: next() called while another next() is pending'));
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
    });
  }

  return(): Promise<IteratorResult<T>> {
    this.kept = null;
    this.failure = null;
    this.stop();
    return Promise.resolve(DONE);
  }

  /** A stopped stream's answer to next(): its error once, then done. */
  private settle(to: { resolve(result: IteratorResult<T>): void; reject(error: unknown): void }) {
    const failure = this.failure;
    this.failure = null;
    if (failure) to.reject(failure.error);
    else to.resolve(DONE);
  }

  private end() {
    if (this.ended) return;
    this.ended = true;
    if (this.started) queueMicrotask(this.onEnd);
  }
}

const DONE: IteratorResult<never> = { value: undefined, done: true };
