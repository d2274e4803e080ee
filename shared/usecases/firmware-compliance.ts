/**
 * Firmware compliance and drift: each server's installed firmware (its endpoint's last inventory) against the
 * baseline governing its site, or one named. Computed on read, not stored: a baseline edit or import then
 * counts for every server at once without rewriting their records, and every refresh or discovery that
 * writes an inventory is reflected in the next read; the cost is one query for the (few) baselines per request.
 */
import type { DellEndpoint } from '../domain/dell-endpoint';
import { NotFoundError, ValidationError } from '../domain/errors';
import {
  type ComplianceStatus,
  type ComponentCompliance,
  complianceOf,
  countByStatus,
  type FirmwareBaseline,
  overallStatus,
  type ServerComplianceStatus,
} from '../domain/firmware-baseline';
import type { Store } from '../ports/store';
import { dellEndpoints } from '../records/dell-endpoints';
import { allBaselines, firmwareBaselines } from '../records/firmware-baselines';
import type { Deps } from './deps';
import { idracsOfCluster } from './host-idrac-links';

type ComplianceDeps = Pick<Deps, 'store' | 'clock'>;

export type ServerCompliance = {
  endpoint_id: string | null;
  address?: string;
  site_id?: string;
  model?: string;
  service_tag?: string;
  inventory_at?: string;
  /** A cluster's host, when the query named a cluster. */
  host_id?: string;
  host_name?: string;
  /** Why a cluster's host has no endpoint to compare: no iDRAC, or two (docs/api.md, host ↔ iDRAC link). */
  link?: 'none' | 'ambiguous';
  baseline_id: string | null;
  status: ServerComplianceStatus;
  counts: Record<ComplianceStatus, number>;
  not_in_baseline: number;
  components: ComponentCompliance[];
};

/** Which baseline governs a site (the first by id, should two ever name it after a race). */
type BaselineOf = (siteId: string) => FirmwareBaseline | undefined;

async function governing(store: Store): Promise<BaselineOf> {
  const bySite = new Map<string, FirmwareBaseline>();
  for (const b of await allBaselines(store)) for (const s of b.site_ids) if (!bySite.has(s)) bySite.set(s, b);
  return (siteId) => bySite.get(siteId);
}

const noCounts = () => ({ compliant: 0, outdated: 0, newer: 0, unknown: 0 });

/** When the versions compared were read: the last inventory, or a firmware update's verification after it. */
const firmwareReadAt = (ep: DellEndpoint) =>
  ep.firmware_at && ep.firmware_at > (ep.inventory_at ?? '') ? ep.firmware_at : ep.inventory_at;

/** One endpoint against a baseline (none: `no_baseline`). */
export function serverCompliance(ep: DellEndpoint, baseline: FirmwareBaseline | undefined): ServerCompliance {
  const server = {
    endpoint_id: ep.id,
    address: ep.address,
    site_id: ep.site_id,
    ...(ep.model ? { model: ep.model } : {}),
    ...(ep.service_tag ? { service_tag: ep.service_tag } : {}),
    ...(firmwareReadAt(ep) ? { inventory_at: firmwareReadAt(ep) } : {}),
  };
  if (!baseline) return { ...server, baseline_id: null, status: 'no_baseline', counts: noCounts(), not_in_baseline: 0, components: [] };
  const { components, not_in_baseline } = complianceOf(ep, baseline);
  return {
    ...server,
    baseline_id: baseline.id,
    status: overallStatus(components),
    counts: countByStatus(components),
    not_in_baseline,
    components,
  };
}

export type ComplianceQuery = {
  site_id?: string;
  cluster?: string;
  endpoint_id?: string;
  baseline_id?: string;
  status?: ServerComplianceStatus;
  limit: number;
  next_token?: string;
};

/**
 * `GET /firmware/compliance`: per server and component. One endpoint or one cluster's hosts answer in one
 * page; a site's or all endpoints page like the endpoint list, and `status` filters each page.
 */
export async function firmwareCompliance(deps: ComplianceDeps, q: ComplianceQuery) {
  const named = q.baseline_id ? await firmwareBaselines.find(deps.store, q.baseline_id) : undefined;
  if (q.baseline_id && !named)
    throw new ValidationError(`baseline '${q.baseline_id}' does not exist`, [
      { path: 'query.baseline_id', message: `baseline '${q.baseline_id}' does not exist` },
    ]);
  const baselineOf: BaselineOf = named ? () => named : await governing(deps.store);
  const keep = (items: ServerCompliance[]) => (q.status ? items.filter((i) => i.status === q.status) : items);

  if (q.endpoint_id) {
    const ep = await dellEndpoints.get(deps.store, q.endpoint_id);
    if (q.site_id && ep.site_id !== q.site_id) return { items: [], next_token: null };
    return { items: keep([serverCompliance(ep, baselineOf(ep.site_id))]), next_token: null };
  }
  if (q.cluster) return { items: keep(await clusterCompliance(deps, q.cluster, baselineOf, q.site_id)), next_token: null };
  const page = { limit: q.limit, cursor: q.next_token };
  const result = q.site_id ? await dellEndpoints.bySite(deps.store, q.site_id, page) : await dellEndpoints.list(deps.store, page);
  return { items: keep(result.items.map((ep) => serverCompliance(ep, baselineOf(ep.site_id)))), next_token: result.cursor ?? null };
}

async function clusterCompliance(deps: ComplianceDeps, cluster: string, baselineOf: BaselineOf, siteId?: string) {
  const hosts = await idracsOfCluster(deps, cluster);
  const linked = hosts.flatMap((h) => (h.link.status === 'linked' ? [h.link.endpoint_id] : []));
  const endpoints = await dellEndpoints.findMany(deps.store, linked);
  const out: ServerCompliance[] = [];
  for (const h of hosts) {
    const host = { host_id: h.host_id, host_name: h.name };
    const ep = h.link.status === 'linked' ? endpoints.get(h.link.endpoint_id) : undefined;
    if (ep && (!siteId || ep.site_id === siteId)) out.push({ ...serverCompliance(ep, baselineOf(ep.site_id)), ...host });
    else if (!ep && !siteId)
      out.push({
        endpoint_id: null,
        ...host,
        link: h.link.status === 'ambiguous' ? 'ambiguous' : 'none',
        baseline_id: null,
        status: 'unknown',
        counts: noCounts(),
        not_in_baseline: 0,
        components: [],
      });
  }
  return out;
}

/** Drift as the endpoint view shows it: its governing baseline, overall status, counts and what is not compliant. */
export async function endpointDrift(deps: Pick<Deps, 'store'>, ep: DellEndpoint) {
  const c = serverCompliance(ep, (await governing(deps.store))(ep.site_id));
  return {
    baseline_id: c.baseline_id,
    status: c.status,
    counts: c.counts,
    drift: c.components.filter((x) => x.status !== 'compliant'),
  };
}

/** A component an update would change: from the installed version to the baseline's, with the image to apply. */
export type ComponentToUpdate = {
  component: string;
  fqdd?: string;
  component_id?: string;
  firmware_id?: string;
  installed_version: string;
  target_version: string;
  /** Absent when the baseline gives none: such a component cannot be updated from this baseline. */
  image_uri?: string;
  direction: 'upgrade' | 'downgrade';
};

/**
 * For a firmware update: the components of an endpoint whose installed version differs from the baseline's
 * (older: upgrade; newer: downgrade, the caller decides whether to apply it), with the image to apply; and
 * those that cannot be compared. 404 for an unknown endpoint or baseline.
 */
export async function componentsToUpdate(
  deps: Pick<Deps, 'store'>,
  endpointId: string,
  baselineId: string,
): Promise<{
  endpoint_id: string;
  baseline_id: string;
  baseline_version: number;
  update: ComponentToUpdate[];
  unknown: ComponentCompliance[];
}> {
  const [ep, baseline] = await Promise.all([
    dellEndpoints.get(deps.store, endpointId),
    firmwareBaselines.find(deps.store, baselineId).then((b) => b ?? Promise.reject(new NotFoundError('firmware baseline', baselineId))),
  ]);
  const { components } = complianceOf(ep, baseline);
  const update = components
    .filter((c) => c.installed_version !== null && (c.status === 'outdated' || c.status === 'newer'))
    .map(
      (c): ComponentToUpdate => ({
        component: c.component,
        ...(c.fqdd ? { fqdd: c.fqdd } : {}),
        ...(c.component_id ? { component_id: c.component_id } : {}),
        ...(c.firmware_id ? { firmware_id: c.firmware_id } : {}),
        installed_version: c.installed_version!,
        target_version: c.baseline_version,
        ...(c.image_uri ? { image_uri: c.image_uri } : {}),
        direction: c.status === 'outdated' ? 'upgrade' : 'downgrade',
      }),
    );
  return {
    endpoint_id: ep.id,
    baseline_id: baseline.id,
    baseline_version: baseline.version,
    update,
    unknown: components.filter((c) => c.status === 'unknown'),
  };
}
