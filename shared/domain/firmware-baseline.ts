/**
 * Firmware baselines: the version each firmware component of a server should run, and the image that gets it
 * there. A baseline governs the servers of the sites it names; compliance compares an endpoint's installed
 * firmware (its last inventory) with the components that apply to its model.
 */
import { z } from 'zod';
import { compareFirmwareVersions } from './firmware-version';
import type { IdracFirmwareItem } from './idrac';
import { idSchema } from './ids';
import { PageQuery } from './requests';

/** One component of a baseline, recognised on a server by Dell's component id, its FQDD, or both. */
export type BaselineComponent = {
  name: string;
  /** Dell's componentID (catalog `SupportedDevices/Device@componentID`, the `Installed-<id>-…` of Redfish). */
  component_id?: string;
  /** An FQDD (`BIOS.Setup.1-1`), or a prefix ending in `*` (`NIC.Integrated.*`); any case. */
  fqdd?: string;
  version: string;
  /** What an update applies: HTTP(S), NFS or CIFS URI of the Dell Update Package. */
  image_uri?: string;
  /** Server models it is for (`R750` or `PowerEdge R750`); absent: every model. */
  models?: string[];
  /** The catalog's ComponentType (`BIOS`, `FRMW`, `APAC`, …). */
  component_type?: string;
};

export type BaselineSource = { kind: 'manual' } | { kind: 'catalog'; catalog_version?: string; release_id?: string; catalog_date?: string };

export type FirmwareBaseline = {
  id: string;
  name: string;
  description: string;
  /** The sites whose servers it governs (their compliance and drift); one baseline per site. */
  site_ids: string[];
  components: BaselineComponent[];
  source: BaselineSource;
  created_at: string;
  updated_at: string;
  created_by: string;
  version: number;
};

/** Items above this make a record too large for the table: import a catalog for the models you run. */
export const MAX_BASELINE_COMPONENTS = 500;

const IMAGE_SCHEMES = ['http:', 'https:', 'nfs:', 'cifs:'];
const imageUri = z
  .string()
  .max(2048)
  .refine(
    (v) => {
      try {
        return IMAGE_SCHEMES.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    },
    { message: 'must be an http(s)://, nfs:// or cifs:// URI of the update package' },
  );

export const BaselineComponentInput = z
  .strictObject({
    name: z.string().trim().min(1).max(200),
    component_id: z
      .string()
      .regex(/^\d{1,10}$/, { message: "must be Dell's numeric componentID, e.g. 159 for the BIOS" })
      .optional(),
    fqdd: z
      .string()
      .regex(/^[A-Za-z0-9.:_-]+\*?$/, { message: 'must be an FQDD such as BIOS.Setup.1-1, or a prefix ending in * (NIC.Integrated.*)' })
      .max(200)
      .optional(),
    version: z.string().trim().min(1).max(64),
    image_uri: imageUri.optional(),
    models: z.array(z.string().trim().min(1).max(64)).max(100).optional(),
    component_type: z.string().max(16).optional(),
  })
  .refine((c) => c.component_id !== undefined || c.fqdd !== undefined, {
    message: 'names no component: give component_id, fqdd or both',
  });

const components = z.array(BaselineComponentInput).min(1).max(MAX_BASELINE_COMPONENTS);
const siteIds = z.array(idSchema('site')).max(100);

export const FirmwareBaselineCreate = z.strictObject({
  id: idSchema('firmware_baseline').optional(),
  name: z.string().trim().min(1).max(128),
  description: z.string().max(1024).default(''),
  site_ids: siteIds.default([]),
  components,
});
export type FirmwareBaselineCreate = z.output<typeof FirmwareBaselineCreate>;

export const FirmwareBaselineUpdate = z
  .strictObject({
    name: z.string().trim().min(1).max(128).optional(),
    description: z.string().max(1024).optional(),
    site_ids: siteIds.optional(),
    components: components.optional(),
    version: z.number().int().positive().optional(),
  })
  .refine((u) => Object.keys(u).some((k) => k !== 'version'), { message: 'names no field to change' });
export type FirmwareBaselineUpdate = z.output<typeof FirmwareBaselineUpdate>;

/** A query parameter holding a comma-separated list: `R750, R650` → ['R750', 'R650']. */
const commaList = (max: number) =>
  z
    .string()
    .max(max)
    .transform((v) =>
      v
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    );

/** Query of `POST /firmware/baselines/import`; the body is the Catalog.xml itself. */
export const CatalogImportQuery = z.strictObject({
  id: idSchema('firmware_baseline').optional(),
  name: z.string().trim().min(1).max(128),
  /** Models to keep (`R750,R650`); all when absent. */
  models: commaList(1024).optional(),
  /** Where the packages are served from (a local repository); default: the catalog's own base location. */
  repository_uri: imageUri.optional(),
  site_ids: commaList(4096).pipe(siteIds).optional(),
});
export type CatalogImportQuery = z.output<typeof CatalogImportQuery>;

export const COMPLIANCE_STATUSES = ['compliant', 'outdated', 'newer', 'unknown'] as const;
export type ComplianceStatus = (typeof COMPLIANCE_STATUSES)[number];

/** Filters of `GET /firmware/compliance` (paging apart). */
export const ComplianceFilter = z.object({
  site_id: z.string().min(1).optional(),
  /** A synced cluster as jobs target it: `vc-001/domain-c7`. */
  cluster: z.string().min(1).optional(),
  endpoint_id: z.string().min(1).optional(),
  /** Compare with this baseline instead of each site's own. */
  baseline_id: z.string().min(1).optional(),
  status: z.enum([...COMPLIANCE_STATUSES, 'no_baseline']).optional(),
});

/** `GET /firmware/compliance`'s query: paging and the filters. */
export const ComplianceQuery = PageQuery.extend(ComplianceFilter.shape);

/** One installed component (or one the baseline names that the server did not report) against the baseline. */
export type ComponentCompliance = {
  component: string;
  status: ComplianceStatus;
  installed_version: string | null;
  baseline_version: string;
  fqdd?: string;
  component_id?: string;
  /** The installed item's inventory id (what an update replaces). */
  firmware_id?: string;
  image_uri?: string;
  /** Why the status is `unknown`. */
  reason?: string;
};

/** `Installed-159-1.8.2__BIOS.Setup.1-1` → `159` (Redfish firmware inventory ids embed Dell's componentID). */
export const componentIdOf = (item: Pick<IdracFirmwareItem, 'id'>): string | undefined => /^Installed-(\d+)-/.exec(item.id)?.[1];

/** Whether two model names are the same server model: `R750` is `PowerEdge R750`, in any case. */
export const sameModel = (a: string, b: string) => {
  const normal = (m: string) =>
    m
      .trim()
      .toLowerCase()
      .replace(/^poweredge\s+/, '');
  return normal(a) === normal(b);
};

/** Whether a component applies to a server of this model (a component without models applies to all). */
export const appliesToModel = (c: Pick<BaselineComponent, 'models'>, model: string | undefined) =>
  !c.models?.length || (model !== undefined && c.models.some((m) => sameModel(m, model)));

function fqddMatches(pattern: string, fqdd: string | undefined): boolean {
  if (!fqdd) return false;
  const p = pattern.toLowerCase();
  return p.endsWith('*') ? fqdd.toLowerCase().startsWith(p.slice(0, -1)) : fqdd.toLowerCase() === p;
}

/** Whether a baseline component is this installed item: every key it gives matches. */
export function componentMatches(c: Pick<BaselineComponent, 'component_id' | 'fqdd'>, item: IdracFirmwareItem): boolean {
  if (c.component_id !== undefined && componentIdOf(item) !== c.component_id) return false;
  if (c.fqdd !== undefined && !fqddMatches(c.fqdd, item.fqdd)) return false;
  return c.component_id !== undefined || c.fqdd !== undefined;
}

const STATUS_OF = { '-1': 'outdated', '0': 'compliant', '1': 'newer' } as const;

/** The baseline component for an item: of those that match it, the highest version (a catalog may list several). */
function componentFor(applicable: BaselineComponent[], item: IdracFirmwareItem): BaselineComponent | undefined {
  let best: BaselineComponent | undefined;
  for (const c of applicable) if (componentMatches(c, item) && (!best || compareFirmwareVersions(c.version, best.version) === 1)) best = c;
  return best;
}

/**
 * A server's compliance with a baseline: each installed item a component of the baseline matches, compared by
 * version; without an inventory, each component that applies to the model, `unknown`. Items the baseline
 * does not name are left out (`not_in_baseline` counts them).
 */
export function complianceOf(
  server: { model?: string; firmware?: IdracFirmwareItem[] },
  baseline: Pick<FirmwareBaseline, 'components'>,
): { components: ComponentCompliance[]; not_in_baseline: number } {
  const applicable = baseline.components.filter((c) => appliesToModel(c, server.model));
  const keys = (c: BaselineComponent) => ({
    ...(c.fqdd !== undefined ? { fqdd: c.fqdd } : {}),
    ...(c.component_id !== undefined ? { component_id: c.component_id } : {}),
    ...(c.image_uri !== undefined ? { image_uri: c.image_uri } : {}),
  });
  if (!server.firmware)
    return {
      components: applicable.map((c) => ({
        component: c.name,
        status: 'unknown',
        installed_version: null,
        baseline_version: c.version,
        ...keys(c),
        reason: 'no firmware inventory yet: refresh the endpoint',
      })),
      not_in_baseline: 0,
    };
  const out: ComponentCompliance[] = [];
  let notInBaseline = 0;
  for (const item of server.firmware) {
    const c = componentFor(applicable, item);
    if (!c) {
      notInBaseline++;
      continue;
    }
    const order = compareFirmwareVersions(item.version, c.version);
    out.push({
      component: item.name,
      status: order === undefined ? 'unknown' : STATUS_OF[order],
      installed_version: item.version,
      baseline_version: c.version,
      ...keys(c),
      ...(item.fqdd ? { fqdd: item.fqdd } : {}),
      firmware_id: item.id,
      ...(order === undefined ? { reason: `versions ${item.version} and ${c.version} cannot be compared` } : {}),
    });
  }
  return { components: out, not_in_baseline: notInBaseline };
}

export type ServerComplianceStatus = ComplianceStatus | 'no_baseline';

/** A server's overall status: outdated if anything is, else unknown (also when nothing applies), else newer, else compliant. */
export function overallStatus(components: ComponentCompliance[]): ComplianceStatus {
  const has = (s: ComplianceStatus) => components.some((c) => c.status === s);
  if (!components.length) return 'unknown';
  return has('outdated') ? 'outdated' : has('unknown') ? 'unknown' : has('newer') ? 'newer' : 'compliant';
}

export function countByStatus(components: ComponentCompliance[]): Record<ComplianceStatus, number> {
  const counts = { compliant: 0, outdated: 0, newer: 0, unknown: 0 };
  for (const c of components) counts[c.status]++;
  return counts;
}

/** A component whose installed version changed between two inventories of one server. */
export type FirmwareChange = { fqdd: string; name: string; from: string | null; to: string | null };

/**
 * What changed between two inventories (by FQDD): updated, added or removed components. Empty when either
 * has no inventory, so a first inventory is no change.
 */
export function firmwareChanges(before: IdracFirmwareItem[] | undefined, after: IdracFirmwareItem[] | undefined): FirmwareChange[] {
  if (!before || !after) return [];
  const key = (i: IdracFirmwareItem) => i.fqdd ?? i.id;
  const old = new Map(before.map((i) => [key(i), i]));
  const now = new Map(after.map((i) => [key(i), i]));
  const changes: FirmwareChange[] = [];
  for (const [k, i] of now)
    if (old.get(k)?.version !== i.version) changes.push({ fqdd: k, name: i.name, from: old.get(k)?.version ?? null, to: i.version });
  for (const [k, i] of old) if (!now.has(k)) changes.push({ fqdd: k, name: i.name, from: i.version, to: null });
  return changes;
}
