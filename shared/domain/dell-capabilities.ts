/**
 * What a probe (and the inventory after it) means for an endpoint: its reachability, protocols, generation,
 * TLS facts, hardware identity and last error, as recorded on the DellEndpoint. Pure: the use cases ask the
 * iDRAC port and hand its answers here.
 */
import type { DellEndpoint, EndpointErrorInfo } from './dell-endpoint';
import type { CapabilityFingerprint, IdracErrorInfo, IdracInventory } from './idrac';

/** A probe's fingerprint; `pinned` is the thumbprint trust on first use accepted, to be pinned on the endpoint. */
export type ProbeResult = { fingerprint: CapabilityFingerprint; pinned?: string };

// OpenSSL's words for "we share no protocol version": the server alerted protocol_version to our TLS 1.2+
// hello, or chose a version below our minimum. Not WRONG_VERSION_NUMBER: that is usually no TLS at all.
const VERSION_REFUSED = /ALERT_PROTOCOL_VERSION|UNSUPPORTED_PROTOCOL/;

/** A probe error saying the iDRAC offers only TLS 1.0/1.1 (old iDRAC7/8 firmware) to a client not allowed those. */
export const offersOnlyLegacyTls = (error: IdracErrorInfo | undefined): boolean =>
  error?.code === 'tls_handshake' && VERSION_REFUSED.test(String(error.details?.cause_code ?? ''));

/**
 * For an endpoint not marked legacy, a legacy-only iDRAC becomes `tls_legacy_only`, whose message tells the
 * operator how to allow TLS 1.0/1.1 for this endpoint (EIO never lowers TLS on its own). Any other error
 * is returned unchanged.
 */
export function explainProbeError(ep: Pick<DellEndpoint, 'id' | 'address' | 'tls'>, error: IdracErrorInfo): EndpointErrorInfo {
  if (error.code === 'not_an_idrac')
    return {
      ...error,
      message: `${error.message} Correct this endpoint's address (PATCH /api/v1/dell/endpoints/${ep.id}) or delete it.`,
    };
  if (ep.tls.legacy || !offersOnlyLegacyTls(error)) return error;
  return {
    code: 'tls_legacy_only',
    message:
      `iDRAC ${ep.address} offers only TLS 1.0/1.1, which EIO uses only for endpoints marked legacy. If you accept ` +
      `that for this iDRAC, an admin runs PATCH /api/v1/dell/endpoints/${ep.id} with {"tls": {"legacy": true}}, then refresh it ` +
      `(POST /api/v1/dell/endpoints/${ep.id}/refresh)`,
    details: { ...error.details, handshake_error: error.message },
  };
}

/** The endpoint's fields after a probe (and inventory when it ran). */
export function applyCapabilities(
  c: DellEndpoint,
  now: string,
  probe: ProbeResult,
  inventory?: IdracInventory,
  inventoryError?: EndpointErrorInfo,
): DellEndpoint {
  const fp = probe.fingerprint;
  const next: DellEndpoint = { ...c, last_checked_at: now, updated_at: now };
  if (probe.pinned && fp.reachable) {
    next.tls = { ...c.tls, pinned_thumbprint: probe.pinned };
    next.pinned_by_tofu_at = now;
  }
  if (fp.tls) next.tls_facts = fp.tls;
  next.device = fp.device;
  if (fp.device.kind !== 'idrac' && fp.device.kind !== 'nothing' && fp.device.kind !== 'unidentified') {
    // Something else answers there: whatever an earlier probe guessed about an iDRAC no longer holds.
    next.protocols = fp.protocols;
    next.generation = 'unknown';
    next.generation_basis = 'none';
  }
  if (fp.reachable) {
    next.status = 'reachable';
    next.unreachable_since = null;
    next.last_reachable_at = now;
    next.protocols = fp.protocols;
    if (!inventory) {
      next.generation = fp.generation;
      next.generation_basis = fp.generation_basis;
    }
    if (fp.service_tag) next.service_tag = fp.service_tag;
    next.last_error = inventoryError ?? null;
  } else {
    next.status = 'unreachable';
    next.unreachable_since = c.status === 'unreachable' && c.unreachable_since ? c.unreachable_since : now;
    next.last_error = fp.error ? explainProbeError(c, fp.error) : { code: 'unreachable', message: `iDRAC ${c.address} did not answer` };
  }
  if (inventory) {
    Object.assign(next, {
      inventory_at: now,
      generation: inventory.generation,
      generation_basis: 'inventory',
      firmware_version: inventory.idrac_firmware,
      model: inventory.model,
      manager_model: inventory.manager_model,
      service_tag: inventory.service_tag,
      system_uuid: inventory.system_uuid,
      bios_version: inventory.bios_version,
      power_state: inventory.power_state,
      health_rollup: inventory.health_rollup,
      firmware: inventory.firmware,
      nics: inventory.nics,
      idrac_nic: inventory.idrac_nic,
    });
  }
  return next;
}
