/**
 * Scaled timers: every simulated duration is given at real-iDRAC scale and divided by `speed`,
 * so tests run a 30-second firmware job in tens of milliseconds without changing its shape.
 */
export class Timers {
  private readonly pending = new Set<NodeJS.Timeout>();

  constructor(readonly speed: number) {
    if (!(speed > 0)) throw new Error(`speed must be > 0, got ${speed}`);
  }

  scaled(baseMs: number): number {
    return Math.max(1, Math.round(baseMs / this.speed));
  }

  after(baseMs: number, fn: () => void): void {
    const handle = setTimeout(() => {
      this.pending.delete(handle);
      fn();
    }, this.scaled(baseMs));
    // Never keep a test process or the CLI alive on a simulated job.
    handle.unref();
    this.pending.add(handle);
  }

  clearAll(): void {
    for (const handle of this.pending) clearTimeout(handle);
    this.pending.clear();
  }
}

/**
 * Real-scale durations (ms at speed 1), roughly what an R750 takes. Each endpoint keeps its own copy
 * (`EndpointOptions.durations`, `endpoint.setDurations()`), still divided by `speed`.
 */
export const BASE_DURATIONS = {
  /** POST: from power on until the host is On (staged updates add `run` to it). */
  powerOn: 8_000,
  /** A graceful shutdown. */
  powerOff: 4_000,
  /** Off in the middle of a reboot, between shutdown and power on. */
  rebootOff: 3_000,
  download: 6_000,
  schedule: 2_000,
  /** A firmware job from Running 0 % to Completed. */
  run: 24_000,
  managerReboot: 90_000,
};

export type Durations = typeof BASE_DURATIONS;
