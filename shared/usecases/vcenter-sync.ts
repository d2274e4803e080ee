/**
 * One sync of one instance's inventory, full or delta, through its vCenter client: the objects the port
 * reads become inventory records (written only when their hash changed) and IP observations, and stored
 * objects that are gone are deleted (vcenter-inventory-writer.ts; a full sync writes while the port reads on).
 * The delta checkpoint is kept, its version on the instance and its session part as a secret: a full read
 * hands it over with the inventory, a delta moves it on. A delta that cannot continue from its checkpoint
 * falls back to a full sync and says why.
 */

import { config } from '../config';
import type { SyncChanges, SyncCounts, SyncProgress, VCenterInstance } from '../domain/vcenter';
import { logger } from '../observability/logger';
import { isoNow } from '../ports/clock';
import {
  type DeltaCheckpoint,
  InvalidCollectorVersionFault,
  type InventoryChanges,
  type InventorySnapshot,
  ManagedObjectNotFoundFault,
  type VCenterClient,
  VSphereSessionLostError,
} from '../ports/vcenter';
import { inventoryHashes, storedHashes, vcenterInstances } from '../records/vcenter';
import type { Deps } from './deps';
import { COUNT_KEY, emptyCounts, inventoryWriter } from './vcenter-inventory-writer';

export { emptyChanges, emptyCounts } from './vcenter-inventory-writer';
export type SyncDeps = Pick<Deps, 'store' | 'secrets' | 'clock' | 'queue'>;
export type SyncResult = { counts: SyncCounts; changes: SyncChanges };
/** Reports where a running sync is (phase, objects retrieved so far). */
export type Progress = (phase: SyncProgress['phase'], objectsRetrieved: number) => Promise<void>;

const sessionSecretRef = (instanceId: string) => `vcenter-sessions/${instanceId}`;

/** The checkpoint's session part, kept only in the Secrets port; undefined when it is gone. */
const readSession = (deps: SyncDeps, ref: string): Promise<string | undefined> => deps.secrets.get(ref).catch(() => undefined);

// ---------------------------------------------------------------------------------------------------------
// Full sync

export async function fullSync(deps: SyncDeps, vc: VCenterClient, instance: VCenterInstance, progress?: Progress): Promise<SyncResult> {
  await dropCheckpoint(deps, vc, instance);
  await progress?.('retrieving', 0);
  // The stored hashes are read while vCenter prepares the inventory; a failure surfaces where they are awaited.
  const stored = inventoryHashes(deps.store, instance.id);
  stored.catch(() => undefined);
  // Half of IPAM's live window: the nightly full sync keeps every unchanged object's addresses live.
  const writer = inventoryWriter(deps, instance, () => stored, { full: true, reconfirmAfterMs: config().ipam.liveMs / 2 });
  let snapshot: InventorySnapshot;
  try {
    snapshot = await vc.readInventory(async (objects, retrieved) => {
      await progress?.('retrieving', retrieved);
      await writer.add(objects);
    });
  } catch (e) {
    await writer.abandon();
    throw e;
  }
  await progress?.('writing', snapshot.objects.length);
  let result: SyncResult;
  try {
    const { counts, changes } = await writer.finish([]);
    result = { counts, changes };
  } catch (e) {
    await snapshot.discard();
    throw e;
  }
  await progress?.('preparing_delta', snapshot.objects.length);
  await keepCheckpoint(deps, vc, instance, snapshot.checkpoint).catch((e: unknown) =>
    logger.warn('Could not keep the delta checkpoint; the next delta will run as full', { instance_id: instance.id, error: e as Error }),
  );
  return result;
}

/** The full read's checkpoint: its session part as a secret, its version on the instance. */
async function keepCheckpoint(deps: SyncDeps, vc: VCenterClient, instance: VCenterInstance, checkpoint: DeltaCheckpoint): Promise<void> {
  try {
    const ref = sessionSecretRef(instance.id);
    await deps.secrets.put(ref, checkpoint.session);
    await vcenterInstances.update(deps.store, instance.id, (c) => ({
      ...c,
      sync_state: { collector_version: checkpoint.version, session_secret_ref: ref, prepared_at: isoNow(deps.clock) },
    }));
  } catch (e) {
    await vc.releaseCheckpoint(checkpoint.session);
    throw e;
  }
}

/** Forget the previous checkpoint (and free its collector on vCenter when it is still ours). */
async function dropCheckpoint(deps: SyncDeps, vc: VCenterClient, instance: VCenterInstance): Promise<void> {
  const state = (await vcenterInstances.get(deps.store, instance.id)).sync_state;
  if (!state?.session_secret_ref) return;
  const session = await readSession(deps, state.session_secret_ref);
  if (session) await vc.releaseCheckpoint(session);
  await vcenterInstances.update(deps.store, instance.id, (c) => ({ ...c, sync_state: undefined }));
}

// ---------------------------------------------------------------------------------------------------------
// Delta sync

/** Why a delta cannot continue from its checkpoint (then a full sync runs), or undefined for other failures. */
function fallbackReason(e: unknown, version: string): string | undefined {
  if (e instanceof VSphereSessionLostError) return `VSphereSessionLostError: ${e.message}`;
  if (e instanceof InvalidCollectorVersionFault) return `InvalidCollectorVersion: version '${version}' is no longer valid`;
  if (e instanceof ManagedObjectNotFoundFault)
    return `ManagedObjectNotFound: the stored collector or filter no longer exists (${e.message})`;
  return undefined;
}

export async function deltaOrFull(deps: SyncDeps, vc: VCenterClient, instance: VCenterInstance, progress?: Progress) {
  const full = async (fallback: string) => {
    logger.info('Delta sync falls back to full', { instance_id: instance.id, reason: fallback });
    // fullSync frees the old collector and view when the session still holds them, then prepares new ones.
    return { executed: 'full' as const, fallback, ...(await fullSync(deps, vc, instance, progress)) };
  };
  const state = instance.sync_state;
  if (!state?.session_secret_ref || !state.collector_version || state.invalidated)
    return full(state?.invalidated ?? 'no stored collector version (first sync, or the instance changed)');
  const session = await readSession(deps, state.session_secret_ref);
  if (!session) return full('session lost: no stored session to resume');
  try {
    return {
      executed: 'delta' as const,
      ...(await deltaSync(deps, vc, instance, { version: state.collector_version, session }, progress)),
    };
  } catch (e) {
    const reason = fallbackReason(e, state.collector_version);
    if (!reason) throw e;
    return full(reason);
  }
}

async function deltaSync(deps: SyncDeps, vc: VCenterClient, instance: VCenterInstance, checkpoint: DeltaCheckpoint, progress?: Progress) {
  await progress?.('retrieving', 0);
  try {
    const changes = await vc.readChanges(checkpoint);
    await progress?.('writing', changes.objects.length);
    const result = await applyChanges(deps, instance, changes);
    await vcenterInstances.update(deps.store, instance.id, (c) => ({
      ...c,
      sync_state: c.sync_state ? { ...c.sync_state, collector_version: changes.version } : c.sync_state,
    }));
    return result;
  } catch (e) {
    // Updates may have been handed out (a timed-out WaitForUpdatesEx, a failure while writing) and not
    // applied: resuming from the stored version could skip them, so the next sync runs full.
    const why = `the previous delta attempt failed after asking vCenter for updates (${(e as Error).name}: ${(e as Error).message})`;
    await vcenterInstances
      .update(deps.store, instance.id, (c) => ({ ...c, sync_state: c.sync_state ? { ...c.sync_state, invalidated: why } : c.sync_state }))
      .catch((err: unknown) => logger.warn('Could not invalidate the delta state', { instance_id: instance.id, error: err as Error }));
    throw e;
  }
}

/** Writes a delta's changes. Its totals are the last sync's counts moved by what it created and removed. */
async function applyChanges(deps: SyncDeps, instance: VCenterInstance, changes: InventoryChanges): Promise<SyncResult> {
  const stored = () => storedHashes(deps.store, instance.id, changes.objects);
  const writer = inventoryWriter(deps, instance, stored, { full: false });
  await writer.add(changes.objects);
  const { changes: made, created, deleted } = await writer.finish(changes.removed);
  // Counting every stored record would make a delta's cost grow with the inventory.
  const totals = emptyCounts();
  if (instance.inventory_counts) {
    for (const k of Object.keys(totals) as (keyof SyncCounts)[])
      totals[k] = Math.max(0, (instance.inventory_counts[k] ?? 0) + created[k] - deleted[k]);
  } else {
    for (const key of (await inventoryHashes(deps.store, instance.id)).keys())
      totals[COUNT_KEY[key.slice(0, key.indexOf('#')) as keyof typeof COUNT_KEY]]++;
  }
  return { counts: totals, changes: made };
}
