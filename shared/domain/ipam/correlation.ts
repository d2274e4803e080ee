/**
 * Correlation: which observations are one machine. A host seen through vCenter and through its iDRAC is one
 * server (same SMBIOS system UUID; service tag), a VM's NICs are one VM (instance UUID, and the same vCenter
 * object), an iDRAC's own address and its host NICs are one server (the same endpoint), and MAC addresses tie
 * interfaces together. Union-find in two passes:
 *   1. identities that cannot be shared by two machines join unconditionally: system UUID, instance UUID,
 *      and the source's own reference (one vCenter object, one iDRAC endpoint);
 *   2. identities that can be copied or faked join only when nothing contradicts it: service tag (every vcsim
 *      host reports the same one), BIOS UUID (kept by some clones), MAC (cloned VMs, VRRP). Two groups with
 *      different system or instance UUIDs, or a VM and a server, never merge.
 * Pure and linear in the number of observations (the full reconciliation pass runs it over all of them).
 */
import { type EntityKind, entityIdRank, type Identifiers, type IpObservation, machineKind } from './observation';

/** What correlation reads of an observation: its identifiers, normalised, and the id it names on its own. */
export type CorrelationInput = Pick<IpObservation, 'source' | 'entity_kind' | 'entity_ref'> & { ids: Identifiers; entity_id: string };

const KIND_CODE: Record<EntityKind, number> = { device: 0, vm: 1, server: 2 };

/** The source's own reference to one machine: a vCenter object, or an iDRAC endpoint (its address and its host NICs alike). */
const machineRef = (o: CorrelationInput) => (o.source === 'idrac' ? `idrac/${o.entity_ref.split('/')[0]}` : `${o.source}/${o.entity_ref}`);

/** Entity id per observation (the group's strongest own id), and how many entities there are. */
export function correlate(observations: readonly CorrelationInput[]): { entityIds: string[]; entities: number } {
  const n = observations.length;
  const parent = new Int32Array(n);
  for (let i = 0; i < n; i++) parent[i] = i;
  const find = (i: number): number => {
    let r = i;
    while (parent[r] !== r) r = parent[r]!;
    while (parent[i] !== r) {
      const next = parent[i]!;
      parent[i] = r;
      i = next;
    }
    return r;
  };
  const joinBy = (owners: Map<string, number>, token: string | undefined, i: number, join: (a: number, b: number) => void) => {
    if (token === undefined) return;
    const owner = owners.get(token);
    if (owner === undefined) owners.set(token, i);
    else join(owner, i);
  };

  const always = (a: number, b: number) => {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent[rb] = ra;
  };
  const systems = new Map<string, number>();
  const instances = new Map<string, number>();
  const refs = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const o = observations[i]!;
    joinBy(systems, o.ids.system_uuid, i, always);
    joinBy(instances, o.ids.instance_uuid, i, always);
    joinBy(refs, machineRef(o), i, always);
  }

  // What each group already is, so the second pass can refuse a contradicting merge.
  const system: (string | undefined)[] = new Array(n);
  const instance: (string | undefined)[] = new Array(n);
  const kind = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const o = observations[i]!;
    const r = find(i);
    system[r] ??= o.ids.system_uuid;
    instance[r] ??= o.ids.instance_uuid;
    kind[r] = Math.max(kind[r]!, KIND_CODE[machineKind(o.entity_kind)]);
  }
  const unlessContradicted = (a: number, b: number) => {
    const ra = find(a);
    const rb = find(b);
    if (ra === rb) return;
    if (system[ra] !== undefined && system[rb] !== undefined && system[ra] !== system[rb]) return;
    if (instance[ra] !== undefined && instance[rb] !== undefined && instance[ra] !== instance[rb]) return;
    if (kind[ra]! > 0 && kind[rb]! > 0 && kind[ra] !== kind[rb]) return;
    parent[rb] = ra;
    system[ra] ??= system[rb];
    instance[ra] ??= instance[rb];
    kind[ra] = Math.max(kind[ra]!, kind[rb]!);
  };
  const tags = new Map<string, number>();
  const biosUuids = new Map<string, number>();
  const macs = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const o = observations[i]!;
    joinBy(tags, o.ids.service_tag, i, unlessContradicted);
    joinBy(biosUuids, o.ids.vm_uuid, i, unlessContradicted);
    joinBy(macs, o.ids.mac, i, unlessContradicted);
  }

  // Each group is named after its strongest own id (ties: the smallest), so the name does not depend on order.
  const best: (string | undefined)[] = new Array(n);
  let entities = 0;
  for (let i = 0; i < n; i++) {
    const r = find(i);
    const id = observations[i]!.entity_id;
    const current = best[r];
    if (current === undefined) entities++;
    if (current === undefined || stronger(id, current)) best[r] = id;
  }
  const entityIds = new Array<string>(n);
  for (let i = 0; i < n; i++) entityIds[i] = best[find(i)]!;
  return { entityIds, entities };
}

const stronger = (a: string, b: string) => {
  const ra = entityIdRank(a);
  const rb = entityIdRank(b);
  return ra < rb || (ra === rb && a < b);
};
