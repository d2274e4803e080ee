import type { SecureVersion } from 'node:tls';
import type { Generation, RedfishFlavor } from './identity/profiles';
import type { Fault } from './net/faults';
import type { Account, Credentials } from './state/accounts';
import type { SimEventSink } from './state/events';
import type { Durations } from './state/timers';
import type { CertificateStore } from './tls/cert-store';
import type { KeyType } from './tls/x509';
import type { WsmanIdentity } from './wsman/protocol';

export interface EndpointOptions {
  index: number;
  /** Loopback address to listen on (all of 127.0.0.0/8 reaches lo on Linux). */
  address: string;
  seed?: string;
  generation?: Generation;
  /** Defaults by generation: idrac9 full, idrac8 legacy, idrac7 none. */
  redfish?: RedfishFlavor;
  /** Defaults by generation: on for idrac7/8, off for idrac9. */
  wsman?: boolean;
  /**
   * `https` serves Redfish and /wsman (the iDRAC's 443); `wsman` is a WS-Man-only port (5986 in the runbook).
   * 0 or absent: a free port, kept for the endpoint's lifetime.
   */
  ports?: { https?: number; wsman?: number };
  /** Default: Dell's factory root/calvin. */
  credentials?: Credentials;
  extraAccounts?: Array<Omit<Account, 'id'>>;
  serviceTag?: string;
  /** Fixed SMBIOS system UUID (pairs the endpoint with a vCenter host's); default: derived from the service tag. */
  systemUuid?: string;
  /** Highest TLS version offered; TLSv1/TLSv1.1 make a legacy-only endpoint (see tls/tls-versions.ts). */
  maxTlsVersion?: SecureVersion;
  keyType?: KeyType;
  certStore?: CertificateStore;
  /** Time scale for jobs and power transitions: 100 runs a 30 s firmware job in 0.3 s. Default 1. */
  speed?: number;
  /** Real-scale durations to change (state/timers.ts BASE_DURATIONS), e.g. `{ run: 60_000, powerOn: 20_000 }`. */
  durations?: Partial<Durations>;
  /** Concurrent Redfish sessions before RAC0218 (default 8). */
  sessionLimit?: number;
  sessionTimeoutMs?: number;
  initialPower?: 'On' | 'Off';
  /** Host OS IPv4 on NIC.Integrated.1-1-1 (null: none, as without the iDRAC Service Module). */
  hostIpv4?: string | null;
  wsmanIdentity?: WsmanIdentity;
  /** Faults active from the start. */
  faults?: { https?: Fault; wsman?: Fault };
  onEvent?: SimEventSink;
}

export interface CertificateInfo {
  pem: string;
  /** SHA-256 of the DER, colon-separated uppercase hex. */
  thumbprint: string;
  notAfter: string;
}

export interface EndpointInfo {
  index: number;
  name: string;
  address: string;
  generation: Generation;
  redfish: RedfishFlavor;
  wsman: boolean;
  ports: { https: number; wsman?: number };
  urls: { redfish?: string; wsman?: string; wsmanOnHttps?: string };
  credentials: Credentials;
  serviceTag: string;
  systemUuid: string;
  model: string;
  idracFirmware: string;
  maxTlsVersion: SecureVersion;
  certificate: CertificateInfo;
  /** What the `wrong-cert` fault presents instead (same subject, other key). */
  wrongCertificate: CertificateInfo;
}

/** Where a fault applies: the https port (Redfish and /wsman), the WS-Man port, or both. */
export type FaultTarget = 'all' | 'https' | 'wsman';
