import { isIPv4 } from 'node:net';
import { generationAfterLogin } from '../../../domain/device-identity';
import type { IdracFirmwareItem, IdracHealth, IdracInventory, IdracPowerState } from '../../../domain/idrac';
import type { IdracCredential, IdracTarget } from '../../../ports/idrac';
import { normalizeMac } from '../mac';
import { allSettledOrThrow } from '../settle';
import type { WsmanClient } from './wsman-client';
import type { CimValue } from './xml';

// DCIM_SystemView.PowerState (CIM_AssociatedPowerManagementService): 2 On, 8 Off (and 6/7/9/... off-like).
function power(value: string): IdracPowerState {
  if (value === '2') return 'On';
  if (['3', '4', '5', '6', '7', '8', '9', '12', '13'].includes(value)) return 'Off';
  return 'Unknown';
}

// DCIM PrimaryStatus / RollupStatus: 0 Unknown, 1 OK, 2 Degraded (Warning), 3 Error (Critical).
const HEALTH: Record<string, IdracHealth> = { '1': 'OK', '2': 'Warning', '3': 'Critical' };

function s(value: CimValue | undefined): string {
  return typeof value === 'string' ? value : Array.isArray(value) ? (value[0] ?? '') : '';
}

/** What runs now, of DCIM_SoftwareIdentity's instances (the others are images kept beside it). */
function installedFirmware(software: Array<Record<string, CimValue>>): IdracFirmwareItem[] {
  return software
    .filter((sw) => s(sw.Status) === 'Installed' || s(sw.InstanceID).startsWith('DCIM:INSTALLED'))
    .map((sw) => ({
      id: s(sw.InstanceID),
      name: s(sw.ElementName),
      version: s(sw.VersionString),
      ...(s(sw.FQDD) ? { fqdd: s(sw.FQDD) } : {}),
    }));
}

/** The installed firmware alone, from DCIM_SoftwareIdentity. */
export async function wsmanFirmware(
  client: WsmanClient,
  target: IdracTarget,
  port: number,
  credential: IdracCredential,
  pageSize: number,
): Promise<IdracFirmwareItem[]> {
  return installedFirmware(await client.enumerate(target, port, credential, 'DCIM_SoftwareIdentity', pageSize));
}

/** Inventory from the four DCIM views, read in parallel (bounded by the endpoint's concurrency limit). */
export async function wsmanInventory(
  client: WsmanClient,
  target: IdracTarget,
  port: number,
  credential: IdracCredential,
  pageSize: number,
): Promise<IdracInventory> {
  const [systems, cards, software, nics] = await allSettledOrThrow([
    client.enumerate(target, port, credential, 'DCIM_SystemView', pageSize),
    client.enumerate(target, port, credential, 'DCIM_iDRACCardView', pageSize),
    client.enumerate(target, port, credential, 'DCIM_SoftwareIdentity', pageSize),
    client.enumerate(target, port, credential, 'DCIM_NICView', pageSize),
  ]);
  const system = systems[0] ?? {};
  const card = cards[0] ?? {};
  const managerModel = s(system.SystemGeneration);
  return {
    protocol: 'wsman',
    generation: generationAfterLogin(managerModel, s(card.FirmwareVersion)).generation,
    model: s(system.Model),
    service_tag: s(system.ServiceTag) || s(system.ChassisServiceTag),
    system_uuid: s(system.UUID).toLowerCase(),
    bios_version: s(system.BIOSVersionString),
    power_state: power(s(system.PowerState)),
    health_rollup: HEALTH[s(system.RollupStatus) || s(system.PrimaryStatus)] ?? 'Unknown',
    firmware: installedFirmware(software),
    nics: nics.map((nic) => ({
      fqdd: s(nic.FQDD),
      mac: normalizeMac(s(nic.CurrentMACAddress) || s(nic.PermanentMACAddress)),
      // DCIM_NICView carries no IP addresses.
      ipv4: [],
    })),
    // DCIM_iDRACCardView has the MAC but not the address; the address it answered on is the best fact.
    idrac_nic: { mac: normalizeMac(s(card.PermanentMACAddress)), ipv4: isIPv4(target.address) ? target.address : null },
    idrac_firmware: s(card.FirmwareVersion),
    ...(managerModel ? { manager_model: managerModel } : {}),
  };
}
