/** The host maintenance ledger (domain/maintenance.ts) as the steps read and change it. */

import type { Job } from '../../domain/job';
import { type MaintenanceHost, maintenanceHostId } from '../../domain/maintenance';
import { isoNow } from '../../ports/clock';
import { maintenanceHosts } from '../../records/maintenance-hosts';
import type { EngineDeps } from '../jobs/common';
import type { ScopeHost } from './scope';

export const ledgerOf = (deps: Pick<EngineDeps, 'store'>, job: Pick<Job, 'id'>, targetId: string) =>
  maintenanceHosts.get(deps.store, maintenanceHostId(job.id, targetId));

/** Writes the ledger of a host the first time the job plans it; a resumed execution keeps what is there. */
export async function openLedger(deps: Pick<EngineDeps, 'store' | 'clock'>, job: Job, host: ScopeHost, inMaintenance: boolean) {
  const id = maintenanceHostId(job.id, host.target_id);
  const found = await maintenanceHosts.find(deps.store, id);
  if (found) return found;
  return maintenanceHosts
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
      was_in_maintenance: inMaintenance,
      moved: [],
      stopped: [],
      blocked: [],
      notes: inMaintenance ? ['was already in maintenance mode before the job: left as it was found'] : [],
      updated_at: isoNow(deps.clock),
      version: 1,
    })
    .catch(async () => maintenanceHosts.get(deps.store, id));
}

export async function changeLedger(
  deps: Pick<EngineDeps, 'store' | 'clock'>,
  host: Pick<MaintenanceHost, 'id'>,
  change: (h: MaintenanceHost) => Partial<MaintenanceHost>,
): Promise<MaintenanceHost> {
  return maintenanceHosts.update(deps.store, host.id, (h) => ({ ...h, ...change(h), updated_at: isoNow(deps.clock) }));
}
