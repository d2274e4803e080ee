/**
 * Host locks: while a job works on an ESXi host it holds that host's lock, so two jobs never work on one host.
 * A host is named by its vCenter inventory id `<instance id>/<moref>` (`vc-001/host-12`), unambiguous across
 * vCenter instances; a lock belongs to a job, not to one of its executions, so a job resumed after a crash
 * keeps the locks it took.
 */
import { ConflictError } from './errors';

export type HostLock = {
  /** The host: `<vCenter instance id>/<host moref>`. */
  id: string;
  job_id: string;
  /** The job's execution attempt that last took or renewed the lock. */
  execution_attempt: number;
  acquired_at: string;
  /** Past this time another job may take the lock over; absent: held until released. */
  lease_until?: string;
  version: number;
};

/** Who holds a host another job asked for. */
export type HostHolder = { host_id: string; job_id: string; acquired_at: string };

/** Hosts are taken one by one in this order by every job, so of two jobs wanting overlapping hosts one gets them all. */
export const lockOrder = (hostIds: readonly string[]): string[] => [...new Set(hostIds)].sort();

/** A lease that has passed frees the lock for another job. */
export const leaseHasPassed = (lock: Pick<HostLock, 'lease_until'>, now: number): boolean =>
  lock.lease_until !== undefined && Date.parse(lock.lease_until) <= now;

/** 409 naming every host another job holds; what the asking job took in that attempt has been given back. */
export class HostsLockedError extends ConflictError {
  constructor(readonly held: HostHolder[]) {
    super(`${held.map((h) => `host '${h.host_id}' is locked by job '${h.job_id}' since ${h.acquired_at}`).join('; ')}`, {
      held_by: held,
    });
  }
}
