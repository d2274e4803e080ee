/**
 * Dell iDRAC endpoints: register, change, delete (one endpoint per address, dell-address-claims.ts), and
 * inspect them through the iDRAC port (probe with trust on first use, inventory), recording what was found
 * and relinking the vCenter hosts of the server (host-idrac-links.ts); its view shows those hosts and its
 * firmware drift (firmware-compliance.ts).
 */

import { config } from '../config';
import { checkEndpointAddress, credentialWithheld, isOutsideSiteNetworks, type OutsideSiteNetworks } from '../domain/credential-reach';
import { applyCapabilities, type ProbeResult } from '../domain/dell-capabilities';
import {
  AddressInUseError,
  type DellEndpoint,
  type DellEndpointCreate,
  type DellEndpointUpdate,
  type EndpointErrorInfo,
  type EndpointTls,
  mergeTls,
} from '../domain/dell-endpoint';
import { assertDevicePortsOpen } from '../domain/device-ports';
import { ConflictError, ValidationError } from '../domain/errors';
import { firmwareChanges } from '../domain/firmware-baseline';
import type { IdracInventory } from '../domain/idrac';
import { newId } from '../domain/ids';
import type { ServiceIdentity } from '../domain/service-identity';
import type { Site } from '../domain/site';
import { logger } from '../observability/logger';
import { isoNow } from '../ports/clock';
import type { CredentialVerifier } from '../ports/credential-verifier';
import { IdracError, type IdracTarget } from '../ports/idrac';
import type { Page, Store } from '../ports/store';
import { auditItem, recordAudit } from '../records/audit';
import { dellEndpointRef, dellEndpoints, findAddressClaim } from '../records/dell-endpoints';
import { reconcileStatusTally, statusTally, tallyStatusChange } from '../records/dell-status-tally';
import { type Reconcile, writeIpObservations, writeNewIdracObservations } from '../records/ip-observations';
import { pages } from '../records/paging';
import { references } from '../records/references';
import { serviceIdentities, serviceIdentityRef } from '../records/service-identities';
import { siteRef, sites } from '../records/sites';
import { adoptAddress, bindClaim, claimAddress, needsBind, releaseAddress } from './dell-address-claims';
import { recordHardwareIds, releaseHardwareIds } from './dell-conflicts';
import type { Deps } from './deps';
import { endpointDrift } from './firmware-compliance';
import { hostsOfEndpoint, relinkHostsOfEndpoint } from './host-idrac-links';
import { useCredential } from './service-identities';

type EpDeps = Pick<Deps, 'store' | 'clock'>;

/** A service identity a site or endpoint names must exist and be an iDRAC credential (400 at `path` otherwise). */
export async function assertIdracIdentity(store: Store, id: string, path: string): Promise<void> {
  const si = await serviceIdentities.find(store, id);
  if (!si)
    throw new ValidationError(`${path}: service identity '${id}' does not exist`, [
      { path, message: `service identity '${id}' does not exist` },
    ]);
  if (si.target_kind !== 'idrac')
    throw new ValidationError(`${path}: service identity '${id}' is a ${si.target_kind} credential, not an idrac one`, [
      { path, message: `service identity '${id}' is of kind ${si.target_kind}, not idrac` },
    ]);
}

async function siteFor(store: Store, siteId: string, path: string): Promise<Site> {
  const site = await sites.find(store, siteId);
  if (!site) throw new ValidationError(`${path}: site '${siteId}' does not exist`, [{ path, message: `site '${siteId}' does not exist` }]);
  return site;
}

/**
 * Registers an endpoint. One endpoint per iDRAC address (globally, not per site: see docs/idrac-clients.md,
 * "One address, one endpoint"): a taken address is AddressInUseError (409) naming the endpoint that has it.
 * The address is a host address of the site's management networks, or outside them with an admin's recorded
 * reason (`outside_site_networks`; who may give one is checked by the API's caller, dell-endpoint-requests.ts).
 */
export async function createDellEndpoint(
  deps: EpDeps,
  input: DellEndpointCreate,
  actor: string,
  source = 'api',
  /**
   * Discovery: the site it already read, and what it found at the address, written with the record; its
   * observations are left to the full pass the run queues when it ends.
   */
  found?: { site: Site; inspection: Inspection },
): Promise<DellEndpoint> {
  const site = found?.site.id === input.site_id ? found.site : await siteFor(deps.store, input.site_id, 'body.site_id');
  checkEndpointAddress(input.address, site, !!input.outside_site_networks);
  if (config().runtime === 'aws') assertDevicePortsOpen({ redfish_port: input.redfish_port, wsman_port: input.wsman_port });
  if (input.service_identity_id) await assertIdracIdentity(deps.store, input.service_identity_id, 'body.service_identity_id');
  const now = isoNow(deps.clock);
  const id = input.id ?? newId('dell_endpoint', deps.clock.now());
  const outside = allowance(input.address, site, input.outside_site_networks, actor, now);
  // A client-chosen id that is taken is a 409 before any claim; a generated one cannot be.
  if (input.id && (await dellEndpoints.exists(deps.store, id))) throw new ConflictError(`iDRAC endpoint '${id}' already exists`);
  const draft: DellEndpoint = {
    id,
    site_id: site.id,
    address: input.address,
    ...(input.service_identity_id ? { service_identity_id: input.service_identity_id } : {}),
    redfish_port: input.redfish_port ?? site.redfish_port ?? 443,
    wsman_port: input.wsman_port ?? site.wsman_port ?? 5986,
    tls: input.tls,
    ...(outside ? { outside_site_networks: outside } : {}),
    status: 'unknown',
    source,
    created_at: now,
    updated_at: now,
    created_by: actor,
    version: 1,
  };
  const inspection = found?.inspection;
  const record = inspection ? applyCapabilities(draft, now, inspection.probe, inspection.inventory, inspection.inventoryError) : draft;
  // Claim and edges (together), then the record, then bind (when it took long): a crash leaves a pending
  // claim (reclaimed later) or a stale edge (cleaned up later), never a second endpoint for the address or an
  // unreferenced one.
  const me = dellEndpointRef(id);
  const [claimed, referenced] = await Promise.allSettled([
    claimAddress(deps, record.address, record),
    Promise.all([
      references.add(deps.store, siteRef(site.id), me),
      ...(record.service_identity_id ? [references.add(deps.store, serviceIdentityRef(record.service_identity_id), me)] : []),
    ]),
  ]);
  if (claimed.status === 'rejected') throw claimed.reason;
  const claim = claimed.value;
  let created: DellEndpoint;
  try {
    if (referenced.status === 'rejected') throw referenced.reason;
    created = await dellEndpoints.create(deps.store, record);
  } catch (e) {
    // Lost the id to a concurrent create of the same id: the claim names that id, so it stays (it is theirs too).
    if (!(e instanceof ConflictError)) await releaseAddress(deps, record.address, id);
    throw e;
  }
  // The tally may drift if this fails (housekeeping recounts it); the claim holds either way, by the record.
  const [bound] = await Promise.all([
    needsBind(deps, claim) ? bindClaim(deps, claim) : true,
    tallyStatusChange(deps.store, undefined, created, now),
  ]);
  if (!bound) {
    // Stalled past the claim's grace and someone else took the address: undo, do not leave a duplicate.
    await dellEndpoints
      .remove(deps.store, created)
      .then(() => tallyStatusChange(deps.store, created, undefined, now))
      .catch((e: unknown) =>
        logger.error('Could not undo an endpoint that lost its address claim', { dell_endpoint_id: id, error: e as Error }),
      );
    throw await addressTaken(deps, record.address);
  }
  const pinnedByTofu =
    inspection?.probe.pinned && created.pinned_by_tofu_at === now ? { tofu_pinned_thumbprint: inspection.probe.pinned } : {};
  // Its audit entry and, when it answered, its IP observations (new items, batched; IPAM reconciles them).
  const reconcile: Reconcile = found ? 'full pass queued' : 'each address';
  await Promise.all([
    deps.store.putMany([
      auditItem({
        subject_id: id,
        action: 'dell_endpoint.created',
        at: now,
        detail: {
          address: record.address,
          site_id: site.id,
          source,
          ...pinnedByTofu,
          ...(outside ? { outside_site_networks: outside } : {}),
        },
      }),
    ]),
    inspection && created.status === 'reachable' ? writeNewIdracObservations(deps.store, created, now, source, reconcile) : undefined,
  ]);
  const endpoint = inspection ? (await recordHardwareIds(deps, undefined, created)).endpoint : created;
  await relinkHostsOfEndpoint(deps, undefined, endpoint);
  return endpoint;
}

/** The admin's allowance recorded on the endpoint: only when given and only while the address lies outside the networks. */
function allowance(
  address: string,
  site: Site,
  given: { reason: string } | undefined,
  actor: string,
  now: string,
): OutsideSiteNetworks | undefined {
  return given && isOutsideSiteNetworks(address, site)
    ? { reason: given.reason, address, approved_by: actor, approved_at: now }
    : undefined;
}

async function addressTaken(deps: EpDeps, address: string): Promise<ConflictError> {
  const holder = await findAddressClaim(deps.store, address);
  return holder
    ? new AddressInUseError(address, holder.endpoint_id, holder.site_id)
    : new ConflictError(`iDRAC address ${address} was claimed by another request meanwhile; retry`);
}

/** Entity update plus the status tally behind health's unreachable %. */
async function updateEndpoint(
  deps: EpDeps,
  id: string,
  change: (current: DellEndpoint) => DellEndpoint,
  expectedVersion?: number,
): Promise<DellEndpoint> {
  let before: DellEndpoint | undefined;
  const after = await dellEndpoints.update(
    deps.store,
    id,
    (c) => {
      before = c;
      return change(c);
    },
    expectedVersion,
  );
  await tallyStatusChange(deps.store, before, after, isoNow(deps.clock));
  return after;
}

/**
 * One endpoint, with the vCenter hosts linked to it (or that have it as one of two candidates) and its drift
 * from the firmware baseline governing its site.
 */
export async function getDellEndpoint(deps: EpDeps, id: string) {
  const [ep, hosts] = await Promise.all([dellEndpoints.get(deps.store, id), hostsOfEndpoint(deps, id)]);
  return { ...ep, vcenter_hosts: hosts, firmware_compliance: await endpointDrift(deps, ep) };
}

/**
 * Lists by site (gsi2) or all (gsi1); status/generation/model filter each page, so a filtered page may hold
 * fewer than `limit` items while `next_token` still leads on.
 */
export async function listDellEndpoints(
  deps: EpDeps,
  q: { site_id?: string; status?: string; generation?: string; model?: string },
  page: { limit: number; cursor?: string },
): Promise<Page<DellEndpoint>> {
  const result = q.site_id ? await dellEndpoints.bySite(deps.store, q.site_id, page) : await dellEndpoints.list(deps.store, page);
  const items = result.items.filter(
    (e) =>
      (!q.status || e.status === q.status) &&
      (!q.generation || e.generation === q.generation) &&
      (!q.model || (e.model ?? '').toLowerCase() === q.model.toLowerCase()),
  );
  return { items, cursor: result.cursor };
}

/**
 * PATCH: a new address is claimed first and the old one released last (same guard as create). A new address
 * is checked against the site's networks like a new endpoint's; an admin's allowance holds for the address it
 * was given for, so a move drops it unless the same PATCH gives a new one.
 */
export async function updateDellEndpoint(deps: EpDeps, id: string, change: DellEndpointUpdate, actor = 'system'): Promise<DellEndpoint> {
  const { version, service_identity_id, tls, outside_site_networks: outsideChange, ...fields } = change;
  if (config().runtime === 'aws') assertDevicePortsOpen({ redfish_port: fields.redfish_port, wsman_port: fields.wsman_port });
  if (service_identity_id) await assertIdracIdentity(deps.store, service_identity_id, 'body.service_identity_id');
  const before = await dellEndpoints.get(deps.store, id);
  if (version !== undefined && before.version !== version)
    throw new ConflictError(`iDRAC endpoint '${id}' is at version ${before.version}, not ${version}; read it again and retry`);
  const moving = fields.address !== undefined && fields.address !== before.address;
  const now = isoNow(deps.clock);
  let outside: OutsideSiteNetworks | null | undefined; // undefined: unchanged; null: removed
  if (moving || outsideChange !== undefined) {
    const address = fields.address ?? before.address;
    const site = await sites.get(deps.store, before.site_id);
    const kept = !moving && outsideChange === undefined && before.outside_site_networks?.address === address;
    checkEndpointAddress(address, site, !!outsideChange || kept, moving ? 'body.address' : 'body.outside_site_networks');
    outside = allowance(address, site, outsideChange ?? undefined, actor, now) ?? null;
  }
  const claim = moving ? await claimAddress(deps, fields.address!, before) : undefined;
  const me = dellEndpointRef(id);
  if (service_identity_id) await references.add(deps.store, serviceIdentityRef(service_identity_id), me);
  let updated: DellEndpoint;
  try {
    updated = await updateEndpoint(
      deps,
      id,
      (c) => {
        const next: DellEndpoint = { ...c, ...fields, updated_at: now };
        if (tls) next.tls = mergeTls(c.tls, tls);
        if (service_identity_id === null) delete next.service_identity_id;
        else if (service_identity_id) next.service_identity_id = service_identity_id;
        if (outside === null) delete next.outside_site_networks;
        else if (outside) next.outside_site_networks = outside;
        // A new address is a new machine as far as EIO knows: its capability result is re-learned.
        if (fields.address && fields.address !== c.address) next.status = 'unknown';
        return next;
      },
      version,
    );
  } catch (e) {
    if (claim) await releaseAddress(deps, claim.address, id);
    throw e;
  }
  if (claim && !(await bindClaim(deps, claim))) {
    // Lost the new address while stalled: move back rather than share it with another endpoint.
    await dellEndpoints
      .update(deps.store, id, (c) => (c.address === claim.address ? { ...c, address: before.address, updated_at: isoNow(deps.clock) } : c))
      .catch((e: unknown) =>
        logger.error('Could not undo an address change that lost its claim', { dell_endpoint_id: id, error: e as Error }),
      );
    throw await addressTaken(deps, claim.address);
  }
  if (moving) {
    await releaseAddress(deps, before.address, id);
    await relinkHostsOfEndpoint(deps, before, updated);
  }
  if (before.service_identity_id && before.service_identity_id !== updated.service_identity_id)
    await references.remove(deps.store, serviceIdentityRef(before.service_identity_id), me);
  await recordAudit(deps.store, {
    subject_id: id,
    action: 'dell_endpoint.updated',
    at: now,
    detail: {
      fields: Object.keys(change).filter((k) => k !== 'version'),
      ...(moving ? { address: { from: before.address, to: updated.address } } : {}),
      ...(outside ? { outside_site_networks: outside } : {}),
    },
  });
  return updated;
}

export async function deleteDellEndpoint(deps: EpDeps, id: string): Promise<void> {
  const ep = await dellEndpoints.get(deps.store, id);
  await references.refuseWhileUsed(deps.store, dellEndpointRef(id));
  await dellEndpoints.remove(deps.store, ep);
  await releaseHardwareIds(deps, ep);
  await relinkHostsOfEndpoint(deps, ep, undefined);
  await tallyStatusChange(deps.store, ep, undefined, isoNow(deps.clock));
  // After the record: a crash in between leaves a claim naming a missing endpoint, which is reclaimed.
  await releaseAddress(deps, ep.address, id);
  const me = dellEndpointRef(id);
  await references.remove(deps.store, siteRef(ep.site_id), me);
  if (ep.service_identity_id) await references.remove(deps.store, serviceIdentityRef(ep.service_identity_id), me);
  await recordAudit(deps.store, { subject_id: id, action: 'dell_endpoint.deleted', at: isoNow(deps.clock) });
}

export const targetOf = (ep: Pick<DellEndpoint, 'address' | 'redfish_port' | 'wsman_port' | 'tls'>): IdracTarget => ({
  address: ep.address,
  redfishPort: ep.redfish_port,
  wsmanPort: ep.wsman_port,
  tls: {
    ...(ep.tls.pinned_thumbprint ? { pinnedThumbprint: ep.tls.pinned_thumbprint } : {}),
    ...(ep.tls.ca_pem ? { caPem: ep.tls.ca_pem } : {}),
    ...(ep.tls.insecure ? { insecure: true } : {}),
    ...(ep.tls.legacy ? { legacy: true } : {}),
  },
});

const hasTrust = (tls: EndpointTls) => Boolean(tls.pinned_thumbprint || tls.ca_pem || tls.insecure);

/**
 * Probes once. With no pin/CA and a site that allows trust on first use, the probe accepts the certificate
 * it is first shown (see IdracTlsTrust.trustOnFirstUse) and the answer says to pin it.
 */
export async function probeWithTofu(
  deps: Pick<Deps, 'idrac'>,
  ep: Pick<DellEndpoint, 'address' | 'redfish_port' | 'wsman_port' | 'tls'>,
  site: Site | undefined,
): Promise<ProbeResult> {
  const firstUse = !!site?.trust_on_first_use && !hasTrust(ep.tls);
  const target = targetOf(ep);
  const fingerprint = await deps.idrac.probe(firstUse ? { ...target, tls: { ...target.tls, trustOnFirstUse: true } } : target);
  const presented = fingerprint.tls?.thumbprint;
  return firstUse && fingerprint.reachable && presented ? { fingerprint, pinned: presented } : { fingerprint };
}

const errorInfo = (e: unknown): EndpointErrorInfo =>
  e instanceof IdracError ? e.toInfo() : { code: 'http_error', message: (e as Error).message ?? String(e) };

/** What a probe (with trust on first use) and, when it answered and a credential is known, the inventory found. */
export type Inspection = { probe: ProbeResult; inventory?: IdracInventory; inventoryError?: EndpointErrorInfo };

type EndpointToInspect = Pick<
  DellEndpoint,
  'address' | 'redfish_port' | 'wsman_port' | 'tls' | 'site_id' | 'service_identity_id' | 'outside_site_networks'
> & { id?: string };

/** How an inspection reads its site and credential; discovery passes cached ones (one read per run, not per address). */
export type InspectionLookups = {
  site(id: string): Promise<Site | undefined>;
  credential(serviceIdentityId: string, purpose: string): Promise<{ identity: ServiceIdentity; secret: string }>;
};

/** What probing and inventorying an endpoint needs: the iDRAC port, and the store, secrets and clock behind its credential. */
export type InspectDeps = Pick<Deps, 'store' | 'clock' | 'secrets' | 'idrac'>;

const directLookups = (deps: Pick<Deps, 'store' | 'clock' | 'secrets'>): InspectionLookups => ({
  site: (id) => sites.find(deps.store, id),
  credential: (siId, purpose) => useCredential(deps, siId, purpose),
});

/** The inventory half of an inspection, after a probe: needs the probe to have answered and a credential. */
export async function inventoryAfterProbe(
  deps: InspectDeps,
  ep: EndpointToInspect,
  site: Site | undefined,
  probe: ProbeResult,
  lookups: InspectionLookups = directLookups(deps),
): Promise<Inspection> {
  // Reachable means "answers as an iDRAC over a trusted connection": nothing else is ever sent a credential.
  if (!probe.fingerprint.reachable) return { probe };
  const label = ep.id ?? ep.address;
  const withheld = credentialWithheld(ep, site);
  if (withheld) return { probe, inventoryError: { code: 'credential_withheld', message: `No credential sent to ${label}: ${withheld}` } };
  const siId = ep.service_identity_id ?? site?.idrac_service_identity_id;
  if (!siId)
    return {
      probe,
      inventoryError: {
        code: 'not_supported',
        message: `no service identity for ${label}: set service_identity_id on it or idrac_service_identity_id on site '${ep.site_id}'`,
      },
    };
  const tls = probe.pinned ? { ...ep.tls, pinned_thumbprint: probe.pinned } : ep.tls;
  try {
    const { identity, secret } = await lookups.credential(siId, `inventory ${label}`);
    return { probe, inventory: await deps.idrac.inventory(targetOf({ ...ep, tls }), { username: identity.username, password: secret }) };
  } catch (e) {
    const inventoryError = errorInfo(e);
    logger.warn('iDRAC inventory failed', { dell_endpoint_id: ep.id, address: ep.address, code: inventoryError.code });
    return { probe, inventoryError };
  }
}

/** What a reachable endpoint told about addresses; a failure here never fails the refresh. */
const observeAddresses = (deps: EpDeps, ep: DellEndpoint, now: string, purpose: string, reconcile: Reconcile) =>
  writeIpObservations(deps.store, ep, now, purpose, reconcile).catch((e: unknown) =>
    logger.warn('IP observations not written', { dell_endpoint_id: ep.id, error: e as Error }),
  );

/**
 * Probe and inventory one endpoint now (`POST …/refresh`, discovery): records reachability, protocols,
 * TLS facts and, with a credential, the inventory; writes IP observations for what it learned, reconciled at
 * once unless its caller queues a full pass (a discovery run, when it ends).
 */
export async function refreshDellEndpoint(
  deps: InspectDeps,
  id: string,
  purpose = 'refresh',
  lookups: InspectionLookups = directLookups(deps),
  reconcile: Reconcile = 'each address',
): Promise<DellEndpoint> {
  const ep = await dellEndpoints.get(deps.store, id);
  const site = await lookups.site(ep.site_id);
  const inspection = await inventoryAfterProbe(deps, ep, site, await probeWithTofu(deps, ep, site), lookups);
  const now = isoNow(deps.clock);
  const inspected = await updateEndpoint(deps, id, (c) =>
    applyCapabilities(c, now, inspection.probe, inspection.inventory, inspection.inventoryError),
  );
  const { endpoint: updated } = await recordHardwareIds(deps, ep, inspected);
  await relinkHostsOfEndpoint(deps, ep, updated);
  await adoptAddress(deps, updated);
  if (inspection.probe.pinned && updated.pinned_by_tofu_at === now)
    await recordAudit(deps.store, {
      subject_id: id,
      action: 'dell_endpoint.tofu_pinned',
      at: now,
      detail: { thumbprint: inspection.probe.pinned },
    });
  // Firmware drift over time: what changed since the last inventory, by EIO's updates or anyone else's.
  const changes = firmwareChanges(ep.firmware, updated.firmware);
  if (changes.length)
    await recordAudit(deps.store, { subject_id: id, action: 'dell_endpoint.firmware_changed', at: now, detail: { changes } });
  if (updated.status === 'reachable') await observeAddresses(deps, updated, now, purpose, reconcile);
  return updated;
}

/** health_check's probe of one endpoint: reachability only (no credential needed), recorded on the endpoint. */
export async function probeAndRecord(deps: Pick<Deps, 'store' | 'clock' | 'idrac'>, ep: DellEndpoint): Promise<DellEndpoint> {
  const site = await sites.find(deps.store, ep.site_id);
  const probe = await probeWithTofu(deps, ep, site);
  const now = isoNow(deps.clock);
  return updateEndpoint(deps, ep.id, (c) => applyCapabilities(c, now, probe));
}

/** Verifies an iDRAC credential against one endpoint that uses it (its own or through its site). */
export function idracCredentialVerifier(deps: Pick<Deps, 'store' | 'idrac'>): CredentialVerifier {
  const { store } = deps;
  return {
    async verify(identity, secret) {
      const candidates: DellEndpoint[] = [];
      const siteCache = new Map<string, Promise<Site | undefined>>();
      const siteOf = (id: string) => siteCache.get(id) ?? siteCache.set(id, sites.find(store, id)).get(id)!;
      for await (const page of pages((cursor) => dellEndpoints.list(store, { limit: 200, cursor }))) {
        for (const ep of page.items) {
          const site = await siteOf(ep.site_id);
          const uses =
            ep.service_identity_id === identity.id || (!ep.service_identity_id && site?.idrac_service_identity_id === identity.id);
          // The same rule as an inventory's: never to an address outside the site's networks without an admin's allowance.
          if (uses && !credentialWithheld(ep, site)) candidates.push(ep);
        }
        if (candidates.length >= 5) break;
      }
      if (!candidates.length)
        return {
          result: 'unavailable',
          message:
            `Not verified: no iDRAC endpoint uses service identity '${identity.id}' (directly or through its site) ` +
            "at an address inside its site's management networks",
        };
      const ep = candidates.find((c) => c.status === 'reachable') ?? candidates[0]!;
      const check = await deps.idrac.verifyCredential(targetOf(ep), { username: identity.username, password: secret });
      return {
        result: check.result === 'ok' ? 'verified' : 'rejected',
        message: `${ep.id} (${ep.address}) over ${check.protocol}: ${check.message}`,
        target: ep.id,
      };
    },
  };
}

/**
 * Runbook metric "iDRAC unreachable %": endpoints whose last probe failed, over endpoints probed at least
 * once (never-probed ones are not counted either way). Pages through the kind index (a Query, not a Scan).
 */
export async function idracFigures(
  deps: Pick<Deps, 'store' | 'clock'>,
): Promise<{ total: number; checked: number; unreachable: number; unreachable_pct: number; worst: string[] }> {
  const t = await statusTally(deps.store, isoNow(deps.clock));
  const pct = t.checked ? Math.round((t.unreachable / t.checked) * 1000) / 10 : 0;
  return { total: t.total, checked: t.checked, unreachable: t.unreachable, unreachable_pct: pct, worst: t.down };
}

/** Housekeeping: recount the status tally now and then, correcting drift from a crash between two writes. */
export const reconcileDellStatusTally = (deps: Pick<Deps, 'store' | 'clock'>) => reconcileStatusTally(deps.store, isoNow(deps.clock));
