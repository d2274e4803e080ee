/**
 * A record's own entry for a key that came from outside: `JOB_TYPES['constructor']` would otherwise find
 * Object.prototype's constructor and pass for a job type.
 */
export const own = <T>(record: Readonly<Record<string, T>>, key: string): T | undefined =>
  Object.hasOwn(record, key) ? record[key] : undefined;
