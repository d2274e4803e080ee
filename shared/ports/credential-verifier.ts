import type { ServiceIdentity, TargetKind, Verification } from '../domain/service-identity';

/**
 * Tries a service identity's credential against a real target of its kind (an iDRAC, a vCenter). The
 * iDRAC and vCenter clients register one each; until a kind has one, verification says so plainly.
 */
export interface CredentialVerifier {
  verify(identity: ServiceIdentity, secret: string): Promise<Omit<Verification, 'checked_at'>>;
}

export type CredentialVerifiers = Partial<Record<TargetKind, CredentialVerifier>>;
