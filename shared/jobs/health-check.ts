import type { Store } from '../ports/store';
import { sites } from '../records/sites';
import type { TargetKind } from './job-type';
import { targetKindOf } from './targets';

export type ProbeOutcome = { ok: boolean; result: Record<string, unknown> };

/**
 * Reachability probes per target kind. The iDRAC issue adds a Redfish/WS-Man probe and the vCenter issue a
 * vSphere one; a site expands to the endpoints and instances registered under it.
 */
export const REACHABILITY_PROBES: Partial<Record<TargetKind, (store: Store, id: string) => Promise<ProbeOutcome>>> = {
  site: async (store, id) => {
    const site = await sites.find(store, id);
    if (!site) return { ok: false, result: { error: `site '${id}' no longer exists` } };
    // No endpoint kinds exist yet, so there is nothing under a site to reach; say so rather than invent a result.
    return {
      ok: true,
      result: {
        endpoints_probed: 0,
        reachable: 0,
        unreachable: 0,
        message: `site '${id}' has no iDRAC endpoints or vCenter instances registered; nothing to probe`,
      },
    };
  },
};

export async function probeTarget(store: Store, targetId: string): Promise<ProbeOutcome> {
  const kind = targetKindOf(targetId);
  const probe = kind ? REACHABILITY_PROBES[kind] : undefined;
  if (!probe) return { ok: false, result: { error: `no reachability probe for '${targetId}'` } };
  return probe(store, targetId);
}
