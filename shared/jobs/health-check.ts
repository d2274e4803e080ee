import type { Store } from '../ports/store';
import type { DellEndpoint } from '../domain/dell-endpoint';
import { systemClock } from '../ports/clock';
import { dellEndpoints, endpointsOfSite } from '../records/dell-endpoints';
import { sites } from '../records/sites';
import { probeVcenter } from '../usecases/vcenter-health';
import { probeAndRecord } from '../usecases/dell-endpoints';
import type { TargetKind } from './job-type';
import { targetKindOf } from './targets';

export type ProbeOutcome = { ok: boolean; result: Record<string, unknown> };

/**
 * Reachability probes per target kind. The iDRAC issue adds a Redfish/WS-Man probe and the vCenter issue a
 * vSphere one; a site expands to the endpoints and instances registered under it.
 */
const clockDeps = (store: Store) => ({ store, clock: systemClock });
const PROBES_PER_SITE = 8;

const describe = (ep: DellEndpoint) =>
  `${ep.id} (${ep.address}${ep.last_error ? `: ${ep.last_error.code} — ${ep.last_error.message}` : ''})`;

async function probeIdrac(store: Store, id: string): Promise<ProbeOutcome> {
  const ep = await dellEndpoints.find(store, id);
  if (!ep) return { ok: false, result: { error: `iDRAC endpoint '${id}' no longer exists` } };
  const after = await probeAndRecord(clockDeps(store), ep);
  const result = { address: after.address, status: after.status, protocols: after.protocols ?? {}, generation: after.generation ?? 'unknown' };
  return after.status === 'reachable'
    ? { ok: true, result }
    : { ok: false, result: { ...result, error: `iDRAC ${describe(after)}`, last_error: after.last_error ?? null } };
}

/**
 * Reachability probes per target kind: an iDRAC is probed through the port (unauthenticated, result recorded
 * on the endpoint); a site expands to its iDRAC endpoints. The vCenter issue adds a vSphere one.
 */
export const REACHABILITY_PROBES: Partial<Record<TargetKind, (store: Store, id: string) => Promise<ProbeOutcome>>> = {
  idrac: probeIdrac,
  vcenter: probeVcenter,
  site: async (store, id) => {
    const site = await sites.find(store, id);
    if (!site) return { ok: false, result: { error: `site '${id}' no longer exists` } };
    const endpoints = await endpointsOfSite(store, id);
    if (!endpoints.length)
      return {
        ok: true,
        result: { endpoints_probed: 0, reachable: 0, unreachable: 0, message: `site '${id}' has no iDRAC endpoints registered; nothing to probe` },
      };
    const after: DellEndpoint[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(PROBES_PER_SITE, endpoints.length) }, async () => {
        while (next < endpoints.length) after.push(await probeAndRecord(clockDeps(store), endpoints[next++]!));
      }),
    );
    const down = after.filter((e) => e.status !== 'reachable').sort((a, b) => a.id.localeCompare(b.id));
    const result = {
      endpoints_probed: after.length,
      reachable: after.length - down.length,
      unreachable: down.length,
      unreachable_endpoints: down.map((e) => ({ id: e.id, address: e.address, error: e.last_error ?? null })),
    };
    return down.length
      ? { ok: false, result: { ...result, error: `${down.length} of ${after.length} iDRAC endpoint(s) of site '${id}' unreachable: ${down.map(describe).join('; ')}` } }
      : { ok: true, result };
  },
};

export async function probeTarget(store: Store, targetId: string): Promise<ProbeOutcome> {
  const kind = targetKindOf(targetId);
  const probe = kind ? REACHABILITY_PROBES[kind] : undefined;
  if (!probe) return { ok: false, result: { error: `no reachability probe for '${targetId}'` } };
  return probe(store, targetId);
}
