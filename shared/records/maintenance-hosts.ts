/**
 * Host maintenance ledger: pk MAINTHOST#<job id>|<host target id> / sk MAINTHOST; gsi2 MAINTJOB#<job id> / <host target id>
 * (every host of one job). Updates are conditional on the version (the step working on the host and a
 * compensation may race).
 */
import type { MaintenanceHost } from '../domain/maintenance';
import type { Store } from '../ports/store';
import { Entity } from './entity';
import { allItems } from './paging';

class MaintenanceHostRecords extends Entity<MaintenanceHost> {
  /** Every host of one job, in target id order. */
  ofJob(store: Store, jobId: string): Promise<MaintenanceHost[]> {
    return allItems((cursor) => this.listBy(store, `MAINTJOB#${jobId}`, { limit: 100, cursor }));
  }
}

export const maintenanceHosts = new MaintenanceHostRecords('maintenance host', 'MAINTHOST', (h) => ({
  gsi2pk: `MAINTJOB#${h.job_id}`,
  gsi2sk: h.target_id,
}));
