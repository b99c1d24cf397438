import { performance } from 'node:perf_hooks';
import type { SimulatorClock } from './types.js';

/**
 * Virtual time: `start + elapsed real time × speed + manual advances`. Changing the speed
 * re-anchors, so time never jumps. Everything the simulator derives from time (job progress,
 * cluster states, timestamps) reads this clock; only the X-Sdk-Date freshness check uses the real
 * wall clock.
 */
export class VirtualClock implements SimulatorClock {
  private anchorVirtual: number;
  private anchorReal: number;
  private speed: number;

  constructor(speed: number, startMs: number = Math.floor(Date.now() / 1000) * 1000) {
    assertSpeed(speed);
    this.speed = speed;
    this.anchorVirtual = startMs;
    this.anchorReal = performance.now();
  }

  /** Virtual now in epoch ms (fractional). */
  nowMs(): number {
    return this.anchorVirtual + (performance.now() - this.anchorReal) * this.speed;
  }

  now(): Date {
    return new Date(Math.floor(this.nowMs()));
  }

  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`clock.advance(ms) needs a finite ms >= 0, got ${ms}`);
    this.anchorVirtual += ms;
  }

  setSpeed(speed: number): void {
    assertSpeed(speed);
    this.anchorVirtual = this.nowMs();
    this.anchorReal = performance.now();
    this.speed = speed;
  }
}

function assertSpeed(speed: number): void {
  if (!Number.isFinite(speed) || speed < 0) throw new RangeError(`clock speed must be a finite number >= 0, got ${speed}`);
}
