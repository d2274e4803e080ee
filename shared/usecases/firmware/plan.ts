/**
 * The plan of a firmware_update job: which server each target is, through which iDRAC, with which images, and
 * how it is updated. A vCenter host (a host target, each host of a cluster target, or an iDRAC target that is a
 * linked host's) is updated inside host maintenance, so the plan carries the maintenance plan of those hosts
 * (evacuation, the N-`max_hosts_in_maintenance` capacity check); an iDRAC no vCenter host is linked to is
 * updated on its own, without vCenter steps, and the plan says so. A host without exactly one iDRAC is a
 * finding that refuses the plan: EIO never guesses which server an update reaches. `POST /jobs/plan` answers
 * it from the synced inventory; the job's first step from what vCenter says then.
 */
import { createHash } from 'node:crypto';
import { NotFoundError } from '../../domain/errors';
import type { FirmwareImage, FirmwareUpdateParams } from '../../domain/firmware';
import type { HostIdracLink } from '../../domain/host-idrac-link';
import { maintenanceParamsOf } from '../../domain/maintenance';
import { parseInventoryTarget } from '../../domain/vcenter';
import { mapBounded } from '../../lib/async';
import type { Deps } from '../deps';
import { componentsToUpdate } from '../firmware-compliance';
import { hostsOfEndpoint, idracsOfHosts } from '../host-idrac-links';
import { type MaintenancePlan, planMaintenance } from '../maintenance/plan';
import { type HostGroup, hostGroups, type ScopeHost } from '../maintenance/scope';

export type FirmwareServer = {
  target_id: string;
  kind: 'host' | 'idrac';
  endpoint_id: string;
  cluster_id?: string;
  /** What the host↔iDRAC link rests on (service tag, system UUID, BMC MAC or address). */
  link_basis?: { kind: string; value: string }[];
  images: FirmwareImage[];
  /** With a baseline: what it upgrades on this server and what it leaves. */
  baseline?: BaselineView;
  /** How it is updated, in the operator's words. */
  how: string;
};
export type FirmwareFinding = { code: 'no_idrac_link' | 'ambiguous_idrac_link' | 'ambiguous_host_link'; target_id: string; detail: string };

export type FirmwarePlan = {
  hash: string;
  refused: boolean;
  source: 'inventory' | 'vcenter';
  servers: FirmwareServer[];
  /** Servers with nothing to apply (a baseline they already meet): not touched. */
  up_to_date: string[];
  findings: FirmwareFinding[];
  /** The host maintenance plan of the vCenter hosts (absent when every target is an iDRAC alone). */
  maintenance?: Omit<MaintenancePlan, 'groupsOf'>;
};

type PlanDeps = Pick<Deps, 'store' | 'secrets' | 'clock' | 'vcenter'>;

/** Hosts whose images (from a baseline) the plan reads at once. */
const HOSTS_RESOLVED_AT_ONCE = 8;

const IN_MAINTENANCE = 'inside host maintenance: evacuate, enter maintenance mode, stage, reboot, wait for vCenter, verify, exit, restore';
const IDRAC_ONLY = 'iDRAC only (no vCenter host is linked to this endpoint): stage, reboot, wait for the jobs, verify; no vCenter steps';

/** What a baseline says about one server: how many components it upgrades, and what it cannot. */
export type BaselineView = { baseline_id: string; baseline_version: number; upgrades: number; not_updated: string[] };

/**
 * The images a server gets: the job's own, then, with a baseline, one per component older than the baseline's
 * (the baseline's image and version). A component newer than the baseline's is not downgraded, and one without
 * an image or whose versions cannot be compared is not touched: the plan names them.
 */
async function imagesFor(
  deps: PlanDeps,
  endpointId: string,
  params: FirmwareUpdateParams,
): Promise<{ images: FirmwareImage[]; baseline?: BaselineView }> {
  if (!params.baseline_id) return { images: params.images };
  const diff = await componentsToUpdate(deps, endpointId, params.baseline_id);
  const upgrades = diff.update.filter((c) => c.direction === 'upgrade' && c.image_uri);
  const fromBaseline = upgrades.map((c) => ({
    uri: c.image_uri!,
    // A family pattern (`NIC.Integrated.*`) is matched by its prefix once installed.
    component: (c.fqdd ?? c.component).replace(/\.?\*$/, ''),
    version: c.target_version,
  }));
  const notUpdated = [
    ...diff.update
      .filter((c) => !upgrades.includes(c))
      .map(
        (c) => `${c.component} ${c.installed_version} → ${c.target_version}: ${c.image_uri ? 'a downgrade' : 'no image in the baseline'}`,
      ),
    ...diff.unknown.map((c) => `${c.component}: versions cannot be compared`),
  ];
  const images = [...params.images, ...fromBaseline.filter((b) => !params.images.some((i) => i.uri === b.uri))];
  return {
    images,
    baseline: {
      baseline_id: diff.baseline_id,
      baseline_version: diff.baseline_version,
      upgrades: upgrades.length,
      not_updated: notUpdated,
    },
  };
}

/** One host of the targets: the server it is (through its iDRAC), or why it cannot be updated. */
async function resolveHost(
  deps: PlanDeps,
  h: ScopeHost,
  link: HostIdracLink | undefined,
  params: FirmwareUpdateParams,
): Promise<{ host: FirmwareServer } | { finding: FirmwareFinding }> {
  if (!link) throw new NotFoundError('vCenter host', h.target_id);
  if (link.status === 'linked')
    return {
      host: {
        target_id: h.target_id,
        kind: 'host',
        endpoint_id: link.endpoint_id,
        cluster_id: h.cluster_id,
        link_basis: link.basis,
        ...(await imagesFor(deps, link.endpoint_id, params)),
        how: IN_MAINTENANCE,
      },
    };
  if (link.status === 'none')
    return {
      finding: {
        code: 'no_idrac_link',
        target_id: h.target_id,
        detail:
          `no iDRAC endpoint reports host ${h.name}'s server (looked for ` +
          `${link.looked_for.map((i) => `${i.kind} ${i.value}`).join(', ') || 'nothing: vCenter reports no identity'})`,
      },
    };
  return {
    finding: {
      code: 'ambiguous_idrac_link',
      target_id: h.target_id,
      detail: `host ${h.name} matches several iDRAC endpoints: ${link.candidates.map((c) => c.endpoint_id).join(', ')}`,
    },
  };
}

/** The hosts behind the targets (hosts, clusters, iDRACs of linked hosts) and the iDRACs alone. */
async function resolveServers(deps: PlanDeps, targetIds: string[], params: FirmwareUpdateParams) {
  const findings: FirmwareFinding[] = [];
  const hostTargets: string[] = [];
  const idracOnly: FirmwareServer[] = [];
  for (const id of targetIds) {
    if (parseInventoryTarget(id)) {
      hostTargets.push(id);
      continue;
    }
    const hosts = await hostsOfEndpoint(deps, id);
    if (hosts.length === 0)
      idracOnly.push({ target_id: id, kind: 'idrac', endpoint_id: id, ...(await imagesFor(deps, id, params)), how: IDRAC_ONLY });
    else if (hosts.length === 1 && hosts[0]!.status === 'linked') hostTargets.push(hosts[0]!.host_id);
    else
      findings.push({
        code: 'ambiguous_host_link',
        target_id: id,
        detail: `iDRAC '${id}' is a candidate of several vCenter hosts (${hosts.map((h) => h.host_id).join(', ')}): fix the link first`,
      });
  }
  const groups = hostTargets.length ? await hostGroups(deps, hostTargets) : [];
  const scoped = groups.flatMap((g) => g.hosts);
  const links = await idracsOfHosts(
    deps,
    scoped.map((h) => h.target_id),
  );
  // With a baseline, each host's images are read on their own: a few hosts at once, kept in order.
  const resolved = await mapBounded(scoped, HOSTS_RESOLVED_AT_ONCE, (h) => resolveHost(deps, h, links.get(h.target_id), params));
  const hosts = resolved.flatMap((r) => ('host' in r ? [r.host] : []));
  findings.push(...resolved.flatMap((r) => ('finding' in r ? [r.finding] : [])));
  return { hosts, idracOnly, findings };
}

export async function planFirmware(
  deps: PlanDeps,
  targetIds: string[],
  params: FirmwareUpdateParams,
  opts: { live: boolean },
): Promise<FirmwarePlan & { groupsOf: HostGroup[] }> {
  const { hosts, idracOnly, findings } = await resolveServers(deps, targetIds, params);
  const servers = [...hosts, ...idracOnly].filter((s) => s.images.length > 0);
  const updated = new Set(servers.map((s) => s.target_id));
  const hostIds = hosts.filter((h) => updated.has(h.target_id)).map((h) => h.target_id);
  const planned = hostIds.length ? await planMaintenance(deps, hostIds, maintenanceParamsOf(params), opts) : undefined;
  const { groupsOf = [], ...maintenance } = planned ?? {};
  const hash = createHash('sha256')
    .update(JSON.stringify([planned?.hash ?? null, servers.map((s) => [s.target_id, s.endpoint_id, s.images]), findings]))
    .digest('hex');
  return {
    hash,
    refused: findings.length > 0 || (planned?.refused ?? false),
    source: opts.live ? 'vcenter' : 'inventory',
    servers,
    up_to_date: [...hosts, ...idracOnly].filter((x) => !x.images.length).map((x) => x.target_id),
    findings,
    ...(planned ? { maintenance: maintenance as Omit<MaintenancePlan, 'groupsOf'> } : {}),
    groupsOf,
  };
}
