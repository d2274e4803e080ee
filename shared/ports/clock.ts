/** The clock port: use cases read time from Deps, so tests can set it. */
export interface Clock {
  now(): number;
  /** Waits `ms` of this clock's time (a test clock lets it pass at once); without it, real time passes. */
  sleep?(ms: number): Promise<void>;
}
export const systemClock: Clock = { now: () => Date.now() };

/** Waits `ms` on the clock: polling loops that end on the clock's time also wait on it. */
export const sleepOn = (clock: Clock, ms: number): Promise<void> =>
  clock.sleep ? clock.sleep(ms) : new Promise((resolve) => setTimeout(resolve, ms));

/** The clock's time as an ISO 8601 string, the form every record's timestamps take. */
export const isoNow = (clock: Clock): string => new Date(clock.now()).toISOString();
