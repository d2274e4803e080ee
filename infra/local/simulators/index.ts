/** iDRAC simulators (Redfish and WS-Man) for tests and the local stack's demo lab. */
export { FACTORY_CREDENTIALS, SimulatedEndpoint } from './endpoint';
export type { CertificateInfo, EndpointInfo, EndpointOptions, FaultTarget } from './endpoint-types';
export { type FleetOptions, SimulatorFleet } from './fleet';
export type { Generation, RedfishFlavor } from './identity/profiles';
export type { Fault, FaultKind } from './net/faults';
export { coveringCidr, nthAddress } from './net/ipv4';
export type { Credentials } from './state/accounts';
export type { SimEvent } from './state/events';
export type { PowerState } from './state/power';
export { CertificateStore } from './tls/cert-store';
export { LEGACY_TLS_CIPHERS, legacyClientTlsOptions } from './tls/tls-versions';
