/** The vSphere adapter as the rest of EIO imports it (the composition roots build the vCenter port from it). */
export { VSphereClient, type VSphereClientOptions } from './client';
export { VSphereClients, type VSphereClientsOptions } from './clients';
export * from './errors';
export { VSphereInstanceClient } from './instance-client';
export { inventoryObjectOf, SYNC_PATHS } from './inventory-mapping';
export type { BreakerState, BreakerStatus, ResilienceOptions } from './resilience';
export type { CallOptions, CredentialSource, Credentials } from './session';
export { containerViewSpec, objectsSpec } from './specs';
export { fetchPeerCertificate, normalizeThumbprint, type PeerCertificateInfo, type TlsPolicy, thumbprintOf } from './tls-trust';
export * from './types';
