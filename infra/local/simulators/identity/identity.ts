import { fixture } from '../fixtures/load';
import { nthAddress } from '../net/ipv4';
import { type ComponentSpec, componentCatalog } from '../state/firmware';
import { expressServiceCodeFor, platformGuidFor, seededBytes, serviceTagFor, smbiosGuidFor, systemUuidFor } from './dell-ids';
import { type Generation, type GenerationProfile, PROFILES } from './profiles';

export interface Ipv4Address {
  Address: string;
  AddressOrigin: string;
  Gateway: string;
  SubnetMask: string;
}

export interface NicIdentity {
  id: string;
  description: string;
  family: string;
  mac: string;
  uefiDevicePath: string;
  linkStatus: string | null;
  speedMbps: number;
  status: { Health: string | null; State: string | null };
  ipv4: Ipv4Address[];
}

/** Everything that makes one simulated server distinct; derived deterministically from (seed, index). */
export interface EndpointIdentity {
  index: number;
  profile: GenerationProfile;
  address: string;
  serviceTag: string;
  expressServiceCode: string;
  systemUuid: string;
  platformGuid: string;
  smbiosGuid: string;
  serialNumber: string;
  partNumber: string;
  hostName: string;
  idracMac: string;
  idracLinkLocal: string;
  idracGateway: string;
  idracSubnetMask: string;
  nics: NicIdentity[];
  firmware: ComponentSpec[];
}

interface NicTemplate {
  id: string;
  description: string;
  family: string;
  uefiDevicePath: string;
  linkStatus: string | null;
  speedMbps: number;
  status: { Health: string | null; State: string | null };
}

export interface IdentityOptions {
  seed?: string;
  generation?: Generation;
  address: string;
  /** Fixed service tag (e.g. to pin a test fixture); otherwise derived from seed and index. */
  serviceTag?: string;
  /** Fixed SMBIOS system UUID (e.g. to pair with a vCenter host's); otherwise derived from the service tag, as Dell does. */
  systemUuid?: string;
  /** The host OS address reported on the first integrated NIC (as with the iDRAC Service Module installed). */
  hostIpv4?: string | null;
}

function mac(bytes: number[], upper: boolean): string {
  const text = bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
  return upper ? text.toUpperCase() : text;
}

/** Locally administered MACs (0x02 bit): unique per (seed, index, port) and never a real vendor's. */
function macFor(seedByte: number, port: number, index: number, upper: boolean): string {
  return mac([(seedByte & 0xf0) | 0x02, port, (index >> 16) & 0xff, (index >> 8) & 0xff, index & 0xff, seedByte & 0x0f], upper);
}

export function deriveIdentity(index: number, options: IdentityOptions): EndpointIdentity {
  const seed = options.seed ?? 'eio';
  const profile = PROFILES[options.generation ?? 'idrac9'];
  const label = `${seed}:${index}`;
  const serviceTag = options.serviceTag ?? serviceTagFor(label);
  const [seedByte = 0, serialA = 0, serialB = 0, serialC = 0] = seededBytes(`misc:${label}`, 4);
  // Host OS addresses from 10.128.1.1 on; 10.128.0.1 is their gateway.
  const hostIpv4 = options.hostIpv4 === undefined ? nthAddress('10.128.1.1', index) : options.hostIpv4;

  const nics = fixture<NicTemplate[]>('hardware/nics.json').map((template, port): NicIdentity => {
    const nicMac = macFor(seedByte, 0x10 + port, index, true);
    const primary = template.id === 'NIC.Integrated.1-1-1' && hostIpv4 !== null;
    return {
      ...template,
      mac: nicMac,
      uefiDevicePath: template.uefiDevicePath.replace('{{MacHex}}', nicMac.replace(/:/g, '')),
      // The capture's lab host had every port down; the simulated host is cabled on its first integrated port.
      ...(primary ? { linkStatus: 'LinkUp', speedMbps: 25_000 } : {}),
      ipv4: primary ? [{ Address: hostIpv4, AddressOrigin: 'Static', Gateway: '10.128.0.1', SubnetMask: '255.192.0.0' }] : [],
    };
  });

  const firmware = componentCatalog().map((component): ComponentSpec => {
    const nic = nics.find((n) => n.id === component.fqdd);
    const versions: Partial<ComponentSpec> =
      component.fqdd === 'iDRAC.Embedded.1-1' || component.fqdd === 'USC.Embedded.1:LC.Embedded.1'
        ? { version: profile.idracFirmware, previousVersion: component.previousVersion ? profile.idracPreviousFirmware : undefined }
        : component.fqdd === 'BIOS.Setup.1-1'
          ? { version: profile.biosVersion, previousVersion: profile.biosPreviousVersion }
          : {};
    return { ...component, name: component.name.replace('{{Mac}}', nic?.mac ?? ''), ...versions };
  });

  const idracMac = macFor(seedByte, 0x1d, index, false);
  return {
    index,
    profile,
    address: options.address,
    serviceTag,
    expressServiceCode: expressServiceCodeFor(serviceTag),
    systemUuid: options.systemUuid ?? systemUuidFor(serviceTag),
    platformGuid: platformGuidFor(serviceTag),
    smbiosGuid: smbiosGuidFor(serviceTag),
    serialNumber: `CNSIM${String((serialA << 16) | (serialB << 8) | serialC).padStart(9, '0')}`,
    partNumber: '0WMWCRA01',
    hostName: `${profile.model.split(' ').pop()?.toLowerCase() ?? 'host'}-${serviceTag.toLowerCase()}.lab.example`,
    idracMac,
    idracLinkLocal: `fe80::${idracMac
      .split(':')
      .slice(2)
      .join('')
      .replace(/(....)(?!$)/g, '$1:')}`,
    idracGateway: '127.0.0.1',
    idracSubnetMask: '255.0.0.0',
    nics,
    firmware,
  };
}
