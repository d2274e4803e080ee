/** iDRAC simulators (Redfish and WS-Man) for tests and the local stack's demo lab. */
export { SimulatedEndpoint, FACTORY_CREDENTIALS } from './endpoint';
export type { EndpointInfo, EndpointOptions, FaultTarget, CertificateInfo } from './endpoint-types';
export { SimulatorFleet, type FleetOptions } from './fleet';
export type { Fault, FaultKind } from './net/faults';
export type { Generation, RedfishFlavor } from './identity/profiles';
export type { SimEvent } from './state/events';
export type { PowerState } from './state/power';
export type { Credentials } from './state/accounts';
export { CertificateStore } from './tls/cert-store';
export { legacyClientTlsOptions, LEGACY_TLS_CIPHERS } from './tls/tls-versions';
export { coveringCidr, nthAddress } from './net/ipv4';
