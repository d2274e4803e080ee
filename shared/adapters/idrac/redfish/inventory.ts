import { isIPv4 } from 'node:net';
import { generationAfterLogin } from '../../../domain/device-identity';
import type { IdracFirmwareItem, IdracHealth, IdracHostNic, IdracInventory, IdracPowerState } from '../../../domain/idrac';
import { normalizeMac } from '../mac';
import { allSettledOrThrow } from '../settle';
import { at, isObject, type JsonObject, str } from './json';
import { FIRMWARE_INVENTORY, MANAGER, MANAGER_NIC, SYSTEM, SYSTEM_NICS } from './paths';
import type { ServiceRoot } from './service-root';
import type { RedfishSession } from './session';

const POWER_STATES: IdracPowerState[] = ['On', 'Off', 'PoweringOn', 'PoweringOff'];
const HEALTH: IdracHealth[] = ['OK', 'Warning', 'Critical'];

/**
 * A collection's members, expanded in one request where the service supports `$expand`, otherwise one
 * GET per wanted member (in parallel, bounded by the endpoint's concurrency limit). Members an expanded
 * answer left as bare links are fetched one by one too.
 */
async function members(
  session: RedfishSession,
  path: string,
  root: ServiceRoot,
  wanted: (id: string) => boolean = () => true,
): Promise<JsonObject[]> {
  const collection = await session.get(root.expand ? `${path}?$expand=${encodeURIComponent(root.expand)}` : path);
  const list = Array.isArray(collection.Members) ? collection.Members.filter(isObject) : [];
  const matching = list.filter((m) => wanted(lastSegment(str(m['@odata.id'])) || str(m.Id)));
  // A service without Dell's id convention: keep everything rather than nothing.
  const selected = matching.length > 0 ? matching : list;
  return allSettledOrThrow(selected.map((m) => (isExpanded(m) ? Promise.resolve(m) : session.get(str(m['@odata.id'])))));
}

function isExpanded(member: JsonObject): boolean {
  return Object.keys(member).some((k) => !k.startsWith('@odata.'));
}

function lastSegment(path: string): string {
  return decodeURIComponent(path.split('/').filter(Boolean).pop() ?? '');
}

function ipv4Of(nic: JsonObject): string[] {
  const list = Array.isArray(nic.IPv4Addresses) ? nic.IPv4Addresses : [];
  return list.map((a) => str(at(a, 'Address'))).filter((a) => a !== '' && a !== '0.0.0.0');
}

function hostNic(nic: JsonObject): IdracHostNic {
  return { fqdd: str(nic.Id), mac: normalizeMac(str(nic.MACAddress) || str(nic.PermanentMACAddress)), ipv4: ipv4Of(nic) };
}

function firmwareItem(entry: JsonObject): IdracFirmwareItem {
  const id = str(entry.Id);
  const fqdd = id.includes('__') ? id.slice(id.indexOf('__') + 2) : undefined;
  return { id, name: str(entry.Name), version: str(entry.Version), ...(fqdd ? { fqdd } : {}) };
}

/** Dell ids say what an entry is: `Installed-…` is what runs; `Previous-`, `Available-`, `Current-` are images. */
function isInstalled(id: string): boolean {
  return id.startsWith('Installed-');
}

/** The installed firmware alone: the FirmwareInventory collection, expanded where the service can. */
export async function redfishFirmware(session: RedfishSession, root: ServiceRoot): Promise<IdracFirmwareItem[]> {
  return (await members(session, FIRMWARE_INVENTORY, root, isInstalled)).map(firmwareItem);
}

export async function redfishInventory(session: RedfishSession, root: ServiceRoot, address: string): Promise<IdracInventory> {
  const [system, manager, idracNic, nics, firmware] = await allSettledOrThrow<
    [JsonObject, JsonObject, JsonObject, JsonObject[], JsonObject[]]
  >([
    session.get(SYSTEM),
    session.get(MANAGER),
    session.get(MANAGER_NIC),
    members(session, SYSTEM_NICS, root),
    members(session, FIRMWARE_INVENTORY, root, isInstalled),
  ]);
  const power = str(system.PowerState) as IdracPowerState;
  const health = (str(at(system, 'Status', 'HealthRollup')) || str(at(system, 'Status', 'Health'))) as IdracHealth;
  const managerModel = str(manager.Model) || str(at(system, 'Oem', 'Dell', 'DellSystem', 'SystemGeneration'));
  const idracIpv4 = ipv4Of(idracNic)[0];
  return {
    protocol: 'redfish',
    generation: generationAfterLogin(managerModel, str(manager.FirmwareVersion)).generation,
    model: str(system.Model),
    service_tag: str(system.SKU) || str(at(system, 'Oem', 'Dell', 'DellSystem', 'ChassisServiceTag')),
    system_uuid: str(system.UUID).toLowerCase(),
    bios_version: str(system.BiosVersion),
    power_state: POWER_STATES.includes(power) ? power : 'Unknown',
    health_rollup: HEALTH.includes(health) ? health : 'Unknown',
    firmware: firmware.map(firmwareItem),
    nics: nics.map(hostNic),
    idrac_nic: {
      mac: normalizeMac(str(idracNic.MACAddress) || str(idracNic.PermanentMACAddress)),
      ipv4: idracIpv4 ?? (isIPv4(address) ? address : null),
    },
    idrac_firmware: str(manager.FirmwareVersion),
    ...(managerModel ? { manager_model: managerModel } : {}),
  };
}
