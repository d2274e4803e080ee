/**
 * What answers at an address, told from what it says before anyone logs in: the Redfish service root
 * (Vendor, Oem.Dell, Product, RedfishVersion, UUID) and WS-Man Identify. Only a Dell iDRAC is registered and
 * ever sent a credential; everything else is reported with what was seen. Pure: the iDRAC adapter reads,
 * this decides.
 */
import type { IdracGeneration } from './idrac';

export const DEVICE_KINDS = [
  /** A Dell iDRAC: the one kind EIO registers and logs in to. */
  'idrac',
  /** A Redfish service of another vendor (HPE iLO, Lenovo XCC, Supermicro, ...). */
  'other_vendor_bmc',
  /** A Redfish service that names no vendor (a mockup, an emulator, an old or stripped service). */
  'redfish_without_vendor',
  /** Something answers HTTPS, but it is not Redfish (a web UI, a switch, a PDU). */
  'https_not_redfish',
  /** It answered TLS but nothing could be read to tell what it is (e.g. TLS 1.0/1.1 only, handshake refused). */
  'unidentified',
  /** Nothing answered. */
  'nothing',
] as const;
export type DeviceKind = (typeof DEVICE_KINDS)[number];

/** The unauthenticated service root, as far as identification needs it. */
export type RedfishRootFacts = {
  redfish_version: string;
  vendor?: string;
  product?: string;
  uuid?: string;
  /** Keys of the root's `Oem` object (`Dell`, `Hpe`, `Lenovo`, `Supermicro`, ...). */
  oem: string[];
  /** `Oem.Dell` of an iDRAC root: service tag and the iDRAC's MAC. */
  dell?: { service_tag?: string; manager_mac?: string };
  /** The root advertises a session service (Links.Sessions). */
  sessions: boolean;
};

/** What the unauthenticated reads saw at one address. */
export type DeviceEvidence = {
  /**
   * `root`: a Redfish service root; `auth_required`: the root wants credentials (some hardened services);
   * `not_redfish`: HTTPS answered, but not with a Redfish root; absent: no HTTPS answer on the Redfish port.
   */
  redfish?: { kind: 'root'; root: RedfishRootFacts } | { kind: 'auth_required' } | { kind: 'not_redfish'; what: string };
  /** WS-Man Identify's product vendor and version. */
  wsman?: { vendor: string; version: string };
  /** A TLS handshake completed or a certificate was presented on either port. */
  tls: boolean;
};

/** What a device is, with what it said, as discovery reports it and an endpoint records it. */
export type DeviceIdentity = {
  kind: DeviceKind;
  vendor?: string;
  product?: string;
  redfish_version?: string;
  uuid?: string;
  service_tag?: string;
  manager_mac?: string;
  wsman?: { vendor: string; version: string };
  /** One line in the operator's words, e.g. "HPE Redfish service (ProLiant DL360 Gen10), Redfish 1.6.0". */
  summary: string;
};

/** The WS-Man stack iDRAC7/8 ship answers Identify with this vendor (not Dell's name). */
const IDRAC_WSMAN_VENDORS = [/\bdell\b/i, /fujitsu technology solutions/i];
const DELL_PRODUCT = /integrated dell remote access controller|\bidrac\b/i;

/** Oem keys that name a vendor, in the spelling vendors use there. */
const OEM_VENDORS: Record<string, string> = {
  Dell: 'Dell',
  Hpe: 'HPE',
  Hp: 'HP',
  Lenovo: 'Lenovo',
  Supermicro: 'Supermicro',
  Ami: 'AMI',
  Fujitsu: 'Fujitsu',
  Cisco: 'Cisco',
  Huawei: 'Huawei',
  Inspur: 'Inspur',
  Intel: 'Intel',
  OpenBmc: 'OpenBMC',
};

const isDellRoot = (root: RedfishRootFacts) =>
  /^dell\b/i.test(root.vendor ?? '') || root.oem.includes('Dell') || DELL_PRODUCT.test(root.product ?? '');

/** The vendor a root names: its Vendor, else the first Oem key that names one. */
function vendorOf(root: RedfishRootFacts): string | undefined {
  if (root.vendor?.trim()) return root.vendor.trim();
  const key = root.oem.find((k) => OEM_VENDORS[k]);
  return key ? OEM_VENDORS[key] : undefined;
}

const isIdracWsman = (wsman: { vendor: string } | undefined) => !!wsman && IDRAC_WSMAN_VENDORS.some((r) => r.test(wsman.vendor));

const described = (name: string, root: RedfishRootFacts) =>
  `${name}${root.product ? ` (${root.product})` : ''}${root.redfish_version ? `, Redfish ${root.redfish_version}` : ''}`;

/** Classifies a device from what it said before any login. */
export function classifyDevice(evidence: DeviceEvidence): DeviceIdentity {
  const { redfish, wsman } = evidence;
  const ws = wsman ? { wsman } : {};
  if (redfish?.kind === 'root') {
    const root = redfish.root;
    const facts = {
      ...(root.product ? { product: root.product } : {}),
      ...(root.redfish_version ? { redfish_version: root.redfish_version } : {}),
      ...(root.uuid ? { uuid: root.uuid } : {}),
      ...ws,
    };
    if (isDellRoot(root))
      return {
        kind: 'idrac',
        vendor: 'Dell',
        ...facts,
        ...(root.dell?.service_tag ? { service_tag: root.dell.service_tag } : {}),
        ...(root.dell?.manager_mac ? { manager_mac: root.dell.manager_mac.toLowerCase() } : {}),
        summary: described('Dell iDRAC', root),
      };
    // An iDRAC7/8 on old Redfish firmware may name no vendor; its WS-Man says it is one.
    const vendor = vendorOf(root);
    if (!vendor && isIdracWsman(wsman)) return { kind: 'idrac', vendor: 'Dell', ...facts, summary: described('Dell iDRAC', root) };
    if (vendor) return { kind: 'other_vendor_bmc', vendor, ...facts, summary: described(`${vendor} Redfish service`, root) };
    return { kind: 'redfish_without_vendor', ...facts, summary: described('Redfish service naming no vendor', root) };
  }
  if (isIdracWsman(wsman))
    return { kind: 'idrac', vendor: 'Dell', ...ws, summary: `Dell iDRAC (WS-Man ${wsman!.vendor} ${wsman!.version})` };
  if (wsman)
    return { kind: 'other_vendor_bmc', vendor: wsman.vendor, ...ws, summary: `WS-Man service of ${wsman.vendor || 'an unnamed vendor'}` };
  if (redfish?.kind === 'auth_required')
    return { kind: 'redfish_without_vendor', summary: 'Redfish service that requires credentials even for its service root' };
  if (redfish?.kind === 'not_redfish') return { kind: 'https_not_redfish', summary: `HTTPS server that is not Redfish (${redfish.what})` };
  if (evidence.tls) return { kind: 'unidentified', summary: 'answers TLS, but nothing could be read to tell what it is' };
  return { kind: 'nothing', summary: 'nothing answered' };
}

// iDRAC9 firmware reports Redfish 1.6 and later; iDRAC7/8 2.x firmware stops at 1.4.
const IDRAC9_MIN_REDFISH = [1, 6];

const versionParts = (v: string) => v.split('.').map((p) => Number.parseInt(p, 10) || 0);

function atLeast(version: string, min: number[]): boolean {
  const parts = versionParts(version);
  for (let i = 0; i < min.length; i++) {
    const diff = (parts[i] ?? 0) - min[i]!;
    if (diff !== 0) return diff > 0;
  }
  return true;
}

export type GenerationBasis = 'redfish_version' | 'protocols' | 'manager_model' | 'firmware_version' | 'none';

/**
 * Before login, for a device identified as an iDRAC only: Redfish ≥ 1.6 → iDRAC9, older Redfish → iDRAC8
 * (iDRAC7 on 2.x firmware looks the same), WS-Man only → iDRAC7 (or an iDRAC8 on pre-2.40 firmware). Any
 * other device has no generation. The inventory then settles it from the manager model or firmware version.
 */
export function generationBeforeLogin(identity: DeviceIdentity): { generation: IdracGeneration; basis: GenerationBasis } {
  if (identity.kind !== 'idrac') return { generation: 'unknown', basis: 'none' };
  if (identity.redfish_version)
    return { generation: atLeast(identity.redfish_version, IDRAC9_MIN_REDFISH) ? 'idrac9' : 'idrac8', basis: 'redfish_version' };
  if (identity.wsman) return { generation: 'idrac7', basis: 'protocols' };
  return { generation: 'unknown', basis: 'none' };
}

/**
 * From what the iDRAC states once logged in: the server generation in its manager model ("15G Monolithic",
 * DCIM SystemGeneration "13G Modular": 12G shipped iDRAC7, 13G iDRAC8, 14G–16G iDRAC9), else its firmware
 * version (3.x–7.x is iDRAC9 firmware; 1.x/2.x was shared by iDRAC7 and iDRAC8, so it settles nothing).
 */
export function generationAfterLogin(
  managerModel: string | undefined,
  firmwareVersion: string | undefined,
): { generation: IdracGeneration; basis: GenerationBasis } {
  const server = Number(/(\d+)\s*G\b/i.exec(managerModel ?? '')?.[1]);
  if (server === 12) return { generation: 'idrac7', basis: 'manager_model' };
  if (server === 13) return { generation: 'idrac8', basis: 'manager_model' };
  if (server >= 14 && server <= 16) return { generation: 'idrac9', basis: 'manager_model' };
  const major = versionParts(firmwareVersion ?? '')[0] ?? 0;
  if (major >= 3 && major <= 7) return { generation: 'idrac9', basis: 'firmware_version' };
  return { generation: 'unknown', basis: 'none' };
}

/** Why an address that is not an iDRAC got no endpoint and no credential, in the operator's words. */
export const notAnIdrac = (address: string, identity: DeviceIdentity) =>
  `${address} is not a Dell iDRAC: ${identity.summary}. EIO sent it no credential.`;
