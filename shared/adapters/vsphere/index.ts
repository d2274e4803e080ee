export { VSphereClient, VSphereTaskError, type VSphereClientHealth, type VSphereClientOptions } from './client';
export * from './errors';
export type { BreakerState, BreakerStatus, ResilienceOptions } from './resilience';
export type { CallOptions, CredentialSource, Credentials } from './session';
export { containerViewSpec, objectsSpec } from './specs';
export { fetchPeerCertificate, normalizeThumbprint, thumbprintOf, type PeerCertificateInfo, type TlsPolicy } from './tls-trust';
export * from './types';
