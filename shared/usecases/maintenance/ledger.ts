/** The host maintenance ledger (domain/maintenance.ts) as the steps read and change it. */

import type { Job } from '../../domain/job';
import { type MaintenanceHost, maintenanceHostId } from '../../domain/maintenance';
import { isoNow } from '../../ports/clock';
import { maintenanceHosts } from '../../records/maintenance-hosts';
import type { EngineDeps } from '../jobs/common';
import type { ScopeHost } from './scope';

export const ledgerOf = (deps: Pick<EngineDeps, 'store'>, job: Pick<Job, 'id'>, targetId: string) =>
  maintenanceHosts.get(deps.store, maintenanceHostId(job.id, targetId));

/**
 * Writes the ledgers of the hosts the first time the job plans them (read in one batch first); a resumed
 * execution keeps what is there. In the hosts' order.
 */
export async function openLedgers(
  deps: Pick<EngineDeps, 'store' | 'clock'>,
  job: Job,
  hosts: ScopeHost[],
  inMaintenance: readonly string[],
): Promise<MaintenanceHost[]> {
  const found = await maintenanceHosts.findMany(
    deps.store,
    hosts.map((h) => maintenanceHostId(job.id, h.target_id)),
  );
  return Promise.all(
    hosts.map((host) => {
      const id = maintenanceHostId(job.id, host.target_id);
      const was = inMaintenance.includes(host.target_id);
      return (
        found.get(id) ??
        maintenanceHosts
          .create(deps.store, {
            id,
            job_id: job.id,
            target_id: host.target_id,
            instance_id: host.instance_id,
            moref: host.moref,
            name: host.name,
            cluster_id: host.cluster_id,
            phase: 'waiting',
            entered_maintenance: false,
            was_in_maintenance: was,
            moved: [],
            stopped: [],
            blocked: [],
            notes: was ? ['was already in maintenance mode before the job: left as it was found'] : [],
            updated_at: isoNow(deps.clock),
            version: 1,
          })
          .catch(async () => maintenanceHosts.get(deps.store, id))
      );
    }),
  );
}

export async function changeLedger(
  deps: Pick<EngineDeps, 'store' | 'clock'>,
  host: Pick<MaintenanceHost, 'id'>,
  change: (h: MaintenanceHost) => Partial<MaintenanceHost>,
): Promise<MaintenanceHost> {
  return maintenanceHosts.update(deps.store, host.id, (h) => ({ ...h, ...change(h), updated_at: isoNow(deps.clock) }));
}
