import type { CapabilityFingerprint } from '../../shared/domain/idrac';
import { type Idrac, IdracError, type IdracTarget, type KnockResult } from '../../shared/ports/idrac';
import { FAKE_LIMITS } from '../support/upstream-limits';

/**
 * A fake of the iDRAC port for unit tests of discovery and endpoints: what each address does is set per
 * test. Unknown addresses are dead. Only `probe` is simulated; calls that carry a credential are recorded
 * (`credentialed`) and throw, so a test can show none was made.
 */
export type FakeBehaviour =
  | 'idrac9'
  /** Another vendor's Redfish BMC (an HPE iLO): not an iDRAC. */
  | 'hpe-ilo'
  /** The client refused to contact it (its breaker is open): not contacted, not "no answer". */
  | 'circuit-open'
  /** Offers only TLS 1.0/1.1: a handshake failure unless the target is marked legacy. */
  | 'legacy-tls'
  /** The probe throws (an adapter bug, a store failure behind it): a per-address error. */
  | 'throws'
  /** The probe never settles (a hung socket no timeout catches). */
  | 'hangs'
  /** Accepts TCP and never answers TLS: a knock finds it silent. */
  | 'silent';

export class FakeIdrac implements Idrac {
  readonly behaviour = new Map<string, FakeBehaviour>();
  readonly probes: string[] = [];
  /** The service tag an `idrac9` address shows on its service root (none when unset). */
  readonly serviceTags = new Map<string, string>();

  readonly knocks: string[] = [];

  /** Unknown addresses refuse; a silent one holds the port; everything else answers TLS (even one whose probe hangs later). */
  async knock(target: IdracTarget): Promise<KnockResult> {
    this.knocks.push(target.address);
    const b = this.behaviour.get(target.address);
    return { answered: b !== undefined && b !== 'silent', silent: b === 'silent' };
  }

  async probe(target: IdracTarget): Promise<CapabilityFingerprint> {
    this.probes.push(target.address);
    await Promise.resolve(); // let concurrent callers interleave, as real I/O would
    const b = this.behaviour.get(target.address);
    const nothing = { kind: 'nothing' as const, summary: 'nothing answered' };
    const base = {
      address: target.address,
      protocols: {},
      device: nothing,
      generation: 'unknown' as const,
      generation_basis: 'none' as const,
    };
    if (b === 'throws') throw new Error(`probe of ${target.address} blew up`);
    if (b === 'hangs') return new Promise<never>(() => undefined);
    if (b === 'idrac9' || (b === 'legacy-tls' && target.tls.legacy))
      return {
        ...base,
        reachable: true,
        protocols: { redfish: { version: '1.13.1', port: target.redfishPort ?? 443 } },
        device: {
          kind: 'idrac',
          vendor: 'Dell',
          redfish_version: '1.13.1',
          ...(this.serviceTags.has(target.address) ? { service_tag: this.serviceTags.get(target.address) } : {}),
          summary: 'Dell iDRAC, Redfish 1.13.1',
        },
        ...(this.serviceTags.has(target.address) ? { service_tag: this.serviceTags.get(target.address) } : {}),
        generation: 'idrac9',
        generation_basis: 'redfish_version',
      };
    if (b === 'hpe-ilo') {
      const device = {
        kind: 'other_vendor_bmc' as const,
        vendor: 'HPE',
        summary: 'HPE Redfish service (ProLiant DL360 Gen10), Redfish 1.6.0',
      };
      return {
        ...base,
        reachable: false,
        device,
        error: { code: 'not_an_idrac', message: `${target.address} is not a Dell iDRAC: ${device.summary}. EIO sent it no credential.` },
      };
    }
    if (b === 'circuit-open')
      return { ...base, reachable: false, error: { code: 'circuit_open', message: `iDRAC ${target.address} failed repeatedly` } };
    if (b === 'legacy-tls') {
      const error = new IdracError(
        'tls_handshake',
        `iDRAC ${target.address}: TLS handshake failed (ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION); ` +
          'if it only speaks TLS 1.0/1.1, mark the endpoint legacy',
        target.address,
        { cause_code: 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION' },
      ).toInfo();
      // The probe's look-only read (TLS 1.0/1.1 allowed for it) tells it is an iDRAC.
      const device = { kind: 'idrac' as const, vendor: 'Dell', summary: 'Dell iDRAC (WS-Man Fujitsu Technology Solutions 1.0)' };
      return { ...base, reachable: false, device, error, protocol_errors: { redfish: error } };
    }
    return { ...base, reachable: false, error: { code: 'unreachable', message: `iDRAC ${target.address} is unreachable: ECONNREFUSED` } };
  }

  /** Every call that would carry a credential, as `<operation> <address>`: none is simulated, each throws after it is recorded. */
  readonly credentialed: string[] = [];

  inventory(target: IdracTarget): never {
    return this.credentialedCall('inventory', target);
  }
  firmwareInventory(target: IdracTarget): never {
    return this.credentialedCall('firmware_inventory', target);
  }
  powerReset(target: IdracTarget): never {
    return this.credentialedCall('power_reset', target);
  }
  startFirmwareUpdate(target: IdracTarget): never {
    return this.credentialedCall('firmware_update', target);
  }
  lifecycleControllerStatus(target: IdracTarget): never {
    return this.credentialedCall('lifecycle_controller_status', target);
  }
  jobStatus(target: IdracTarget): never {
    return this.credentialedCall('job_status', target);
  }
  listJobs(target: IdracTarget): never {
    return this.credentialedCall('list_jobs', target);
  }
  deleteJob(target: IdracTarget): never {
    return this.credentialedCall('delete_job', target);
  }
  rebootToApply(target: IdracTarget): never {
    return this.credentialedCall('reboot_to_apply', target);
  }
  verifyCredential(target: IdracTarget): never {
    return this.credentialedCall('verify', target);
  }
  private credentialedCall(operation: string, target: IdracTarget): never {
    this.credentialed.push(`${operation} ${target.address}`);
    throw new Error(`${operation} is not simulated by these tests`);
  }
  setAccountPassword(): never {
    throw new Error('not used by these tests');
  }
  upstreams() {
    return [];
  }
  limits() {
    return FAKE_LIMITS;
  }
  async dispose() {}
}
