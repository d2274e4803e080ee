/** The clock port: use cases read time from Deps, so tests can set it. */
export interface Clock {
  now(): number;
}
export const systemClock: Clock = { now: () => Date.now() };

/** The clock's time as an ISO 8601 string, the form every record's timestamps take. */
export const isoNow = (clock: Clock): string => new Date(clock.now()).toISOString();
