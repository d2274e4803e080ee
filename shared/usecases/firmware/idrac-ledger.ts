/**
 * The ledger of iDRAC jobs EIO creates (domain/firmware.ts IdracJobEntry): an entry is written before EIO asks
 * the iDRAC for a job and gets the JID the iDRAC answered, so a cancel, the kill switch or a crash finds every
 * JID that is EIO's, and EIO never touches one that is not. `GET /api/v1/dell/endpoints/{id}/idrac-jobs` lists
 * one endpoint's.
 */
import { type IdracJobEntry, type IdracJobEntryState, idracJobView } from '../../domain/firmware';
import { isoNow } from '../../ports/clock';
import type { IdracJobState } from '../../ports/idrac';
import { dellEndpoints } from '../../records/dell-endpoints';
import { idracJobs } from '../../records/idrac-jobs';
import type { Deps } from '../deps';

type LedgerDeps = Pick<Deps, 'store' | 'clock'>;

/** The entry for one image on one iDRAC, written `requested` the first time; a resumed step finds it as it was left. */
export async function requestEntry(
  deps: LedgerDeps,
  entry: Omit<IdracJobEntry, 'state' | 'created_at' | 'updated_at' | 'version'>,
): Promise<IdracJobEntry> {
  const found = await idracJobs.find(deps.store, entry.id);
  if (found) return found;
  const at = isoNow(deps.clock);
  return idracJobs.create(deps.store, { ...entry, state: 'requested', created_at: at, updated_at: at, version: 1 });
}

export const changeEntry = (deps: LedgerDeps, id: string, change: (e: IdracJobEntry) => Partial<IdracJobEntry>) =>
  idracJobs.update(deps.store, id, (e) => ({ ...e, ...change(e), updated_at: isoNow(deps.clock) }));

/** How the iDRAC's view of a job maps onto the ledger's. */
export const LEDGER_STATE: Record<IdracJobState, IdracJobEntryState | undefined> = {
  pending: 'scheduled',
  running: 'running',
  completed: 'completed',
  failed: 'failed',
  // Somebody else (an operator on the iDRAC) deleted or cancelled it: it will never apply.
  cancelled: 'deleted',
  unknown: undefined,
};

/** `GET /api/v1/dell/endpoints/{id}/idrac-jobs`: every iDRAC job EIO created on the endpoint (404 for an unknown endpoint). */
export async function listEndpointIdracJobs(deps: Pick<Deps, 'store'>, endpointId: string, page: { limit: number; cursor?: string }) {
  await dellEndpoints.get(deps.store, endpointId);
  const found = await idracJobs.ofEndpoint(deps.store, endpointId, page);
  return { items: found.items.map(idracJobView), cursor: found.cursor };
}
