/**
 * An IP observation: one address, seen by one source on one thing (ARCHITECTURE.md "IP observation"), and
 * the identifiers that say which machine that thing is. Pure types and normalisation: no I/O.
 */
import { addressKey } from './addresses';

/** Who saw the address. `discovery` and `dhcp` may report devices EIO does not manage (switches, PDUs, ...). */
export type ObservationSource = 'vcenter' | 'idrac' | 'discovery' | 'manual' | 'dhcp';

/**
 * What the address was seen on: a VM, an ESXi host (vmknic), an iDRAC (its own address), a host NIC seen by
 * the iDRAC, or any other device. Sources may add kinds; IPAM treats one it does not know as `device`.
 */
export type ObservedKind = 'vm' | 'host' | 'idrac' | 'nic' | 'device' | (string & {});

export type IpObservation = {
  address: string;
  source: ObservationSource;
  source_ref: string;
  entity_kind: ObservedKind;
  entity_ref: string;
  mac?: string;
  hostname?: string;
  site_id: string;
  /** Hardware identity for correlation across sources: system_uuid, service_tag, instance_uuid, vm_uuid. */
  hardware_ids?: Record<string, string>;
  /** What discovery classified a device that is not an iDRAC as (shared/domain/device-identity.ts). */
  device_kind?: string;
  first_seen: string;
  last_seen: string;
};

/** The identifiers IPAM correlates by, normalised (UUIDs lowercase, service tags and MACs uppercase / lowercase). */
export type Identifiers = {
  system_uuid?: string;
  service_tag?: string;
  instance_uuid?: string;
  vm_uuid?: string;
  mac?: string;
};

const EMPTY_MACS = new Set(['00:00:00:00:00:00', 'ff:ff:ff:ff:ff:ff']);

/** `aa:bb:cc:dd:ee:ff`, whatever separators and case a source used; undefined for none, all-zero or broadcast. */
export function normaliseMac(mac: string | undefined): string | undefined {
  const hex = mac?.toLowerCase().replace(/[^0-9a-f]/g, '');
  if (hex?.length !== 12) return undefined;
  const text = hex.match(/../g)!.join(':');
  return EMPTY_MACS.has(text) ? undefined : text;
}

const uuid = (v: string | undefined) => (v && /^[0-9a-f-]{32,36}$/i.test(v.trim()) ? v.trim().toLowerCase() : undefined);

export function identifiersOf(o: Pick<IpObservation, 'mac' | 'hardware_ids'>): Identifiers {
  const ids = o.hardware_ids ?? {};
  const tag = ids.service_tag?.trim().toUpperCase();
  // Every key present (undefined when unknown, dropped when stored or sent): one object shape, so the full
  // pass's million reads of these stay fast (deleting keys would turn each object into a slow dictionary).
  return {
    system_uuid: uuid(ids.system_uuid),
    service_tag: tag || undefined,
    instance_uuid: uuid(ids.instance_uuid),
    vm_uuid: uuid(ids.vm_uuid),
    mac: normaliseMac(o.mac),
  };
}

/** The kind of machine an observation belongs to: a VM, a physical server (host and iDRAC alike), or another device. */
export type EntityKind = 'vm' | 'server' | 'device';

export function machineKind(kind: ObservedKind): EntityKind {
  if (kind === 'vm') return 'vm';
  if (kind === 'host' || kind === 'idrac' || kind === 'nic') return 'server';
  return 'device';
}

/**
 * The entity id an observation names on its own, from its strongest identifier: `server:<system uuid>`,
 * `server:<service tag>`, `vm:<instance uuid>`, `vm:<bios uuid>`, `device:<mac>`, else the source's own
 * reference. The same machine seen through vCenter and through its iDRAC gets the same id (the SMBIOS UUID
 * both report); correlation (correlation.ts) ties the rest together.
 */
export function ownEntityId(o: Pick<IpObservation, 'source' | 'entity_kind' | 'entity_ref' | 'mac' | 'hardware_ids'>): string {
  const ids = identifiersOf(o);
  const kind = machineKind(o.entity_kind);
  if (kind === 'server' && ids.system_uuid) return `server:${ids.system_uuid}`;
  if (kind === 'server' && ids.service_tag) return `server:${ids.service_tag}`;
  if (kind === 'vm' && ids.instance_uuid) return `vm:${ids.instance_uuid}`;
  if (kind === 'vm' && ids.vm_uuid) return `vm:${ids.vm_uuid}`;
  if (kind === 'device' && ids.mac) return `device:${ids.mac}`;
  return `${kind}:${o.source}/${o.entity_ref}`;
}

/** Ranks entity ids so a group of observations is named after its strongest identifier. Lower is stronger. */
export function entityIdRank(id: string): number {
  if (/^(server|vm):[0-9a-f-]{32,36}$/.test(id)) return 0;
  if (id.startsWith('server:') && !id.includes('/')) return 1;
  if (id.startsWith('device:') && !id.includes('/')) return 2;
  return 3;
}

/** An observation as stored: its address key (prefix ranges), normalised identifiers and own entity id, computed once at write. */
export type StoredObservation = IpObservation & { key: string; ids: Identifiers; entity_id: string };

export const withIdentity = (o: IpObservation): StoredObservation => ({
  ...o,
  key: addressKey(o.address),
  ids: identifiersOf(o),
  entity_id: ownEntityId(o),
});
