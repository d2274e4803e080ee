/**
 * Job targets: a target's kind is its id prefix; the default way a job type resolves its targets is "each id
 * names an existing record of a kind the type accepts".
 */
import type { ErrorDetail } from '../domain/errors';
import { parseInventoryTarget } from '../domain/vcenter';
import type { Store } from '../ports/store';
import { dellEndpoints } from '../records/dell-endpoints';
import { sites } from '../records/sites';
import { getInventory, vcenterInstances } from '../records/vcenter';
import type { ResolveTargets, TargetKind } from './job-type';

/** A target's kind is its id prefix, as everywhere in EIO. */
export function targetKindOf(id: string): TargetKind | undefined {
  const inventory = parseInventoryTarget(id);
  if (inventory) return inventory.kind;
  if (id.startsWith('site-')) return 'site';
  if (id.startsWith('idrac-')) return 'idrac';
  if (id.startsWith('vc-')) return 'vcenter';
  return undefined;
}

/** How to look a target up, per kind. */
const TARGET_LOOKUPS: Record<TargetKind, (store: Store, id: string) => Promise<boolean>> = {
  site: (store, id) => sites.exists(store, id),
  vcenter: (store, id) => vcenterInstances.exists(store, id),
  idrac: (store, id) => dellEndpoints.exists(store, id),
  host: (store, id) => inventoryTargetExists(store, id),
  cluster: (store, id) => inventoryTargetExists(store, id),
};

async function inventoryTargetExists(store: Store, id: string): Promise<boolean> {
  const t = parseInventoryTarget(id)!;
  return (await getInventory(store, t.instance_id, t.kind, t.moref)) !== undefined;
}

const KIND_NAMES: Record<TargetKind, string> = {
  site: 'site',
  idrac: 'iDRAC endpoint',
  vcenter: 'vCenter instance',
  host: 'ESXi host (<vCenter instance>/<host id>, the target_id of its inventory record)',
  cluster: 'cluster (<vCenter instance>/<cluster id>, the target_id of its inventory record)',
};

/** Every target id that does not name an existing record of an accepted kind, with the reason. */
export async function invalidTargets(store: Store, ids: string[], accepted: TargetKind[]): Promise<ErrorDetail[]> {
  const problems = await Promise.all(
    ids.map(async (id, i): Promise<ErrorDetail | undefined> => {
      const path = `body.target_ids[${i}]`;
      const kind = targetKindOf(id);
      if (!kind || !accepted.includes(kind))
        return { path, message: `'${id}' is not a ${accepted.map((k) => KIND_NAMES[k]).join(', ')} id` };
      return (await TARGET_LOOKUPS[kind](store, id)) ? undefined : { path, message: `${KIND_NAMES[kind]} '${id}' does not exist` };
    }),
  );
  return problems.filter((p): p is ErrorDetail => p !== undefined);
}

/** Targets as submitted, each an existing record of one of `accepted` (a job type's `resolveTargets`). */
export const existingTargets =
  (accepted: TargetKind[]): ResolveTargets =>
  async (deps, ids) => {
    const problems = await invalidTargets(deps.store, ids, accepted);
    return problems.length ? { ok: false, problems } : { ok: true, targets: ids };
  };
