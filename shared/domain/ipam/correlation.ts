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
function machineRef(o: CorrelationInput): string {
  if (o.source !== 'idrac') return o.entity_ref;
  const slash = o.entity_ref.indexOf('/');
  return slash < 0 ? o.entity_ref : o.entity_ref.slice(0, slash);
}

/**
 * Entity id per observation (the group's strongest own id), and how many entities there are. `visit` is
 * called with each observation during correlation's first pass, for a caller that needs other fields of
 * every observation (the full pass): the observations lie scattered in memory, and a second pass over a
 * million of them costs a cache miss each.
 */
export function correlate<T extends CorrelationInput>(
  observations: readonly T[],
  visit?: (o: T, i: number) => void,
): { entityIds: string[]; entities: number } {
  const n = observations.length;
  const parent = new Int32Array(n);
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
  // What each group is, so a weak identifier cannot merge contradicting groups: the index of an observation
  // carrying the group's system / instance UUID (-1: none), and its machine kind. The fields every pass needs
  // are read from the observations once, into arrays: the observations are scattered in memory, and each
  // pass over them costs a cache miss per observation.
  const systemAt = new Int32Array(n);
  const instanceAt = new Int32Array(n);
  const kind = new Uint8Array(n);
  // Sized up front: growing six arrays of a million entries by push copies them and feeds the collector.
  const systems = new Array<string | undefined>(n);
  const instances = new Array<string | undefined>(n);
  const tags = new Array<string | undefined>(n);
  const biosUuids = new Array<string | undefined>(n);
  const macs = new Array<string | undefined>(n);
  const ownIds = new Array<string>(n);

  const merge = (ra: number, rb: number) => {
    parent[rb] = ra;
    if (systemAt[ra] === -1) systemAt[ra] = systemAt[rb]!;
    if (instanceAt[ra] === -1) instanceAt[ra] = instanceAt[rb]!;
    if (kind[rb]! > kind[ra]!) kind[ra] = kind[rb]!;
  };
  const always = (owners: Map<string, number>, token: string | undefined, i: number) => {
    if (token === undefined) return;
    const owner = owners.get(token);
    if (owner === undefined) owners.set(token, i);
    else {
      const [ra, rb] = [find(owner), find(i)];
      if (ra !== rb) merge(ra, rb);
    }
  };
  const bySystem = new Map<string, number>();
  const byInstance = new Map<string, number>();
  // References per source: two sources may use the same text for different things.
  const byRef = new Map<string, Map<string, number>>();
  for (let i = 0; i < n; i++) {
    const o = observations[i]!;
    const ids = o.ids;
    parent[i] = i;
    systems[i] = ids.system_uuid;
    instances[i] = ids.instance_uuid;
    tags[i] = ids.service_tag;
    biosUuids[i] = ids.vm_uuid;
    macs[i] = ids.mac;
    ownIds[i] = o.entity_id;
    systemAt[i] = ids.system_uuid === undefined ? -1 : i;
    instanceAt[i] = ids.instance_uuid === undefined ? -1 : i;
    kind[i] = KIND_CODE[machineKind(o.entity_kind)];
    always(bySystem, ids.system_uuid, i);
    always(byInstance, ids.instance_uuid, i);
    let ofSource = byRef.get(o.source);
    if (!ofSource) byRef.set(o.source, (ofSource = new Map()));
    always(ofSource, machineRef(o), i);
    visit?.(o, i);
  }

  const differ = (at: Int32Array, values: (string | undefined)[], ra: number, rb: number) =>
    at[ra] !== -1 && at[rb] !== -1 && values[at[ra]!] !== values[at[rb]!];
  const unlessContradicted = (owners: Map<string, number>, token: string | undefined, i: number) => {
    if (token === undefined) return;
    const owner = owners.get(token);
    if (owner === undefined) {
      owners.set(token, i);
      return;
    }
    const [ra, rb] = [find(owner), find(i)];
    if (ra === rb || differ(systemAt, systems, ra, rb) || differ(instanceAt, instances, ra, rb)) return;
    if (kind[ra]! > 0 && kind[rb]! > 0 && kind[ra] !== kind[rb]) return;
    merge(ra, rb);
  };
  const byTag = new Map<string, number>();
  const byBiosUuid = new Map<string, number>();
  const byMac = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    unlessContradicted(byTag, tags[i], i);
    unlessContradicted(byBiosUuid, biosUuids[i], i);
    unlessContradicted(byMac, macs[i], i);
  }

  // Each group is named after its strongest own id (ties: the smallest), so the name does not depend on order.
  const bestAt = new Int32Array(n).fill(-1);
  const root = new Int32Array(n);
  let entities = 0;
  for (let i = 0; i < n; i++) {
    const r = find(i);
    root[i] = r;
    const current = bestAt[r]!;
    if (current === -1) {
      entities++;
      bestAt[r] = i;
    } else if (ownIds[i] !== ownIds[current] && stronger(ownIds[i]!, ownIds[current]!)) bestAt[r] = i;
  }
  const entityIds = new Array<string>(n);
  for (let i = 0; i < n; i++) entityIds[i] = ownIds[bestAt[root[i]!]!]!;
  return { entityIds, entities };
}

const stronger = (a: string, b: string) => {
  const ra = entityIdRank(a);
  const rb = entityIdRank(b);
  return ra < rb || (ra === rb && a < b);
};
