import type { RedfishRootFacts } from '../../../domain/device-identity';
import { at, isObject, type JsonObject, str } from './json';

/** What the unauthenticated service root tells: version, identity, and which query features exist. */
export interface ServiceRoot {
  version: string;
  vendor: string;
  product: string;
  serviceTag?: string;
  /** What identifies the device (shared/domain/device-identity.ts). */
  facts: RedfishRootFacts;
  /** `$expand` value to put on collections, or undefined when the service does not advertise it. */
  expand?: string;
  /** The service offers what inventory and actions need (systems, managers, update service). */
  complete: boolean;
  /** Where sessions are opened, when the root advertises a session service (Links.Sessions); else basic auth. */
  sessionsPath?: string;
}

/** A body is a Redfish service root when it states its Redfish version. */
export const isServiceRoot = (body: JsonObject) => typeof body.RedfishVersion === 'string';

/**
 * `$expand` only where ProtocolFeaturesSupported.ExpandQuery says so (iDRAC9; iDRAC7/8 2.x advertise
 * nothing and would answer the query with an error or ignore it): `*` with `$levels=1` when levels are
 * supported, as Dell's own scripts use.
 */
function expandQuery(root: JsonObject): string | undefined {
  const expand = at(root, 'ProtocolFeaturesSupported', 'ExpandQuery');
  if (!isObject(expand)) return undefined;
  const levels = expand.Levels === true ? '($levels=1)' : '';
  if (expand.ExpandAll === true) return `*${levels}`;
  if (expand.NoLinks === true) return `.${levels}`;
  return undefined;
}

export function readServiceRoot(root: JsonObject): ServiceRoot {
  const link = (key: string) => str(at(root, key, '@odata.id')) || undefined;
  const serviceTag = str(at(root, 'Oem', 'Dell', 'ServiceTag')) || undefined;
  const managerMac = str(at(root, 'Oem', 'Dell', 'ManagerMACAddress')) || undefined;
  const sessionsPath = str(at(root, 'Links', 'Sessions', '@odata.id')) || undefined;
  const optional = (key: string) => str(root[key]).trim() || undefined;
  const facts: RedfishRootFacts = {
    redfish_version: str(root.RedfishVersion),
    ...(optional('Vendor') ? { vendor: optional('Vendor') } : {}),
    ...(optional('Product') ? { product: optional('Product') } : {}),
    ...(optional('UUID') ? { uuid: optional('UUID')!.toLowerCase() } : {}),
    oem: isObject(root.Oem) ? Object.keys(root.Oem) : [],
    ...(serviceTag || managerMac
      ? { dell: { ...(serviceTag ? { service_tag: serviceTag } : {}), ...(managerMac ? { manager_mac: managerMac } : {}) } }
      : {}),
    sessions: sessionsPath !== undefined,
  };
  return {
    version: str(root.RedfishVersion),
    vendor: str(root.Vendor),
    product: str(root.Product),
    serviceTag,
    facts,
    expand: expandQuery(root),
    complete: Boolean(link('Systems') && link('Managers') && link('UpdateService')),
    sessionsPath,
  };
}

/** Compares dotted versions numerically ('1.13.1' > '1.4.0'); missing parts count as 0. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map((p) => Number.parseInt(p, 10) || 0);
  const pb = b.split('.').map((p) => Number.parseInt(p, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const diff = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (diff !== 0) return Math.sign(diff);
  }
  return 0;
}

/**
 * Service roots a probe just read, for the call that follows it (discovery inventories right after probing):
 * one GET of the root per iDRAC instead of two. Short-lived, because a root changes with a firmware update.
 */
export class RecentServiceRoots {
  private readonly roots = new Map<string, { root: ServiceRoot; at: number }>();

  constructor(
    private readonly ttlMs = 10_000,
    private readonly maxEntries = 4_096,
    private readonly now: () => number = Date.now,
  ) {}

  remember(address: string, port: number, root: ServiceRoot): void {
    const key = `${address}:${port}`;
    this.roots.delete(key);
    if (this.roots.size >= this.maxEntries) this.roots.delete(this.roots.keys().next().value!);
    this.roots.set(key, { root, at: this.now() });
  }

  /** The root read within the TTL, once: the next call reads it afresh. */
  take(address: string, port: number): ServiceRoot | undefined {
    const key = `${address}:${port}`;
    const hit = this.roots.get(key);
    this.roots.delete(key);
    return hit && this.now() - hit.at < this.ttlMs ? hit.root : undefined;
  }
}
