import type { ComponentSpec, FirmwareInventory } from './firmware';

export interface ResolvedPackage {
  targets: string[];
  version?: string;
  packageName: string;
}

const INVENTORY_PREFIX = '/redfish/v1/UpdateService/FirmwareInventory/';

/**
 * What an update package would install. A real iDRAC opens the DUP; the simulator never fetches the image
 * (tests only talk to loopback), so it reads the package file name the way Dell names DUPs, e.g.
 * `iDRAC-with-Lifecycle-Controller_Firmware_XXXXX_WN64_7.00.00.00_A00.EXE` or `BIOS_XXXXX_WN64_1.9.2.EXE`:
 * a keyword picks the component (fixtures/hardware/firmware-components.json `dupKeywords`) and the last
 * dotted number is the version. An uploaded `Available-…` entry resolves exactly.
 */
export function resolvePackage(imageUri: string, inventory: FirmwareInventory, explicitTargets: string[] = []): ResolvedPackage {
  const path = safeDecode(imageUri.replace(/^[a-z]+:\/\/[^/]*/i, '').split('?')[0] ?? '');
  const packageName = path.split('/').pop() ?? path;

  if (path.startsWith(INVENTORY_PREFIX)) {
    const entry = inventory.find(path.slice(INVENTORY_PREFIX.length));
    if (!entry) return { targets: [], packageName };
    return { targets: withSiblings(entry.component, inventory), version: entry.version, packageName };
  }

  const lower = packageName.toLowerCase();
  const fromTargets = explicitTargets
    .map((uri) => inventory.find(safeDecode(uri).slice(INVENTORY_PREFIX.length))?.component)
    .filter((c): c is ComponentSpec => c !== undefined);
  const matched = fromTargets[0] ?? inventory.list().find((c) => c.dupKeywords.some((k) => lower.includes(k)));
  const versions = packageName.replace(/\.(exe|bin|d9|d7|pm|sign)$/i, '').match(/\d+(?:\.[0-9A-Za-z]+)+/g) ?? [];
  return {
    targets: matched ? withSiblings(matched, inventory) : [],
    version: versions[versions.length - 1],
    packageName,
  };
}

/** Devices one package updates: same SoftwareId (both ports of a NIC, both PSUs) and riders (LC with iDRAC). */
function withSiblings(component: ComponentSpec, inventory: FirmwareInventory): string[] {
  const all = inventory.list();
  const same = component.softwareId === '0' ? [component] : all.filter((c) => c.softwareId === component.softwareId);
  const riders = all.filter((c) => c.updatedWith !== undefined && same.some((s) => s.fqdd === c.updatedWith));
  return [...same, ...riders].map((c) => c.fqdd);
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
