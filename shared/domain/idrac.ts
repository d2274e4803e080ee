/**
 * What EIO knows about a Dell iDRAC, whichever protocol told it: the capability fingerprint of a probe, the
 * inventory, and an error as it is stored on an endpoint. The iDRAC port (shared/ports/idrac.ts) answers in
 * these terms; endpoints, discovery and health keep and show them.
 */

import type { DeviceIdentity, GenerationBasis } from './device-identity';

export const IDRAC_GENERATIONS = ['idrac9', 'idrac8', 'idrac7', 'unknown'] as const;
export type IdracGeneration = (typeof IDRAC_GENERATIONS)[number];
export type IdracProtocol = 'redfish' | 'wsman';

/** Facts read from the TLS socket of the last handshake (also when the certificate was then refused). */
export interface TlsFacts {
  /** Negotiated protocol, e.g. 'TLSv1.3', 'TLSv1.1'. */
  protocol: string;
  /** SHA-256 of the presented certificate's DER, colon-separated upper-case hex. */
  thumbprint: string;
  /** Certificate expiry, ISO 8601. */
  not_after: string;
  subject?: string;
}

export type IdracErrorCode =
  /** Connection refused, no route, name not resolved: nothing answers there. */
  | 'unreachable'
  /** Connect, TLS handshake or response did not complete in time. */
  | 'timeout'
  /** The peer reset or closed the connection mid-exchange. */
  | 'connection_reset'
  /** TLS could not be negotiated (e.g. a TLS 1.0/1.1-only iDRAC not marked legacy). */
  | 'tls_handshake'
  /** The presented certificate is not the pinned one. */
  | 'certificate_mismatch'
  /** The certificate does not verify against the CA bundle / system CAs; details carry its thumbprint. */
  | 'certificate_untrusted'
  | 'credential_rejected'
  /** Authenticated, but the account's role may not do this. */
  | 'forbidden'
  /** The endpoint failed repeatedly; calls are refused until the breaker half-opens. */
  | 'circuit_open'
  /** Too many calls queued for this endpoint. */
  | 'overloaded'
  | 'http_error'
  | 'malformed_response'
  /** A SOAP fault from WS-Man. */
  | 'protocol_fault'
  | 'not_found'
  | 'not_supported'
  /** The Lifecycle Controller is busy (GetRemoteServicesAPIStatus not Ready). */
  | 'not_ready'
  /** What answers is not a Dell iDRAC (another vendor's BMC, a web server): no credential is sent to it. */
  | 'not_an_idrac'
  /** The iDRAC refused a new account password (its password policy, a locked account): nothing was changed. */
  | 'password_refused';

/** An iDRAC failure as stored and shown: what went wrong, naming the endpoint, never a credential. */
export interface IdracErrorInfo {
  code: IdracErrorCode;
  message: string;
  details?: Record<string, unknown>;
}

/** The capability fingerprint discovery records per endpoint. */
export interface CapabilityFingerprint {
  address: string;
  /** True when at least one protocol answered over a trusted connection. */
  reachable: boolean;
  protocols: {
    redfish?: { version: string; port: number };
    wsman?: { product: string; version: string; port: number };
  };
  /**
   * What the device is, from what it said before any login (shared/domain/device-identity.ts). Only an
   * `idrac` is registered by discovery and sent a credential.
   */
  device: DeviceIdentity;
  /**
   * For an iDRAC only, from unauthenticated facts; the inventory reports the authoritative one (the server
   * generation the iDRAC itself states). `unknown` for anything that is not an iDRAC.
   */
  generation: IdracGeneration;
  generation_basis: GenerationBasis;
  /** The service tag the Redfish service root shows without authentication (iDRAC9), for de-duplication. */
  service_tag?: string;
  tls?: TlsFacts;
  /** Why the endpoint is not usable (only when `reachable` is false, or a certificate was refused). */
  error?: IdracErrorInfo;
  /** Per protocol, what went wrong other than "this protocol is not offered". */
  protocol_errors?: Partial<Record<IdracProtocol, IdracErrorInfo>>;
}

export type IdracPowerState = 'On' | 'Off' | 'PoweringOn' | 'PoweringOff' | 'Unknown';
export type IdracHealth = 'OK' | 'Warning' | 'Critical' | 'Unknown';

export interface IdracFirmwareItem {
  /** Redfish inventory id (`Installed-25227-6.00.30.00__iDRAC.Embedded.1-1`) or WS-Man InstanceID. */
  id: string;
  name: string;
  version: string;
  /** The device, e.g. `iDRAC.Embedded.1-1`, `BIOS.Setup.1-1`. */
  fqdd?: string;
}

export interface IdracHostNic {
  fqdd: string;
  /** Lower-case, colon-separated (the form vCenter reports), so sources correlate by MAC. */
  mac: string;
  /** Usually empty without the iDRAC Service Module on the host; always empty over WS-Man. */
  ipv4: string[];
}

export interface IdracInventory {
  protocol: IdracProtocol;
  /** From the server generation the iDRAC reports (12G → idrac7, 13G → idrac8, 14G–16G → idrac9). */
  generation: IdracGeneration;
  model: string;
  service_tag: string;
  system_uuid: string;
  bios_version: string;
  power_state: IdracPowerState;
  health_rollup: IdracHealth;
  /** Installed versions only (not Previous/Available images). */
  firmware: IdracFirmwareItem[];
  nics: IdracHostNic[];
  /** The iDRAC's own management NIC; ipv4 over WS-Man is the address it was reached on. */
  idrac_nic: { mac: string; ipv4: string | null };
  idrac_firmware: string;
  /** Manager model as the iDRAC states it, e.g. '15G Monolithic'. */
  manager_model?: string;
}
