/**
 * Fields that belong on every log line of one unit of work (an HTTP request, a queue message, a job step).
 * Kept in AsyncLocalStorage rather than on a module-scope logger, because the local stack serves many
 * requests concurrently in one process and keys appended to a shared logger would bleed between them.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

/** The fields of one unit of work. */
export type WorkContext = {
  correlation_id?: string;
  job_id?: string;
  step_id?: string;
  external_task_id?: string;
  actor?: string;
};

const storage = new AsyncLocalStorage<WorkContext>();

export const runWithContext = <T>(ctx: WorkContext, fn: () => T): T => storage.run({ ...ctx }, fn);

export const currentContext = (): WorkContext => storage.getStore() ?? {};

/** Adds fields to the current unit of work (e.g. the external task id once a vCenter task is created). */
export const addToContext = (fields: WorkContext): void => {
  const store = storage.getStore();
  if (store) Object.assign(store, fields);
};
