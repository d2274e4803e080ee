/**
 * The staging rules of the Secrets port (pending beside current, then promote or discard) over plain maps,
 * for the adapters that keep secrets themselves (the encrypted file) and the unit tests' in-memory fake.
 * Secrets Manager applies the same rules to its staging labels (AWSPENDING, AWSCURRENT) itself.
 */
import { type PendingSecret, SecretNotFoundError } from '../../ports/secrets';

export type StagedSecrets = {
  secrets: Record<string, string>;
  /** Version id of the current value, for the versions that came from a promotion. */
  versions: Record<string, string>;
  pending: Record<string, PendingSecret>;
};

export const emptyStaged = (): StagedSecrets => ({
  secrets: Object.create(null) as Record<string, string>,
  versions: Object.create(null) as Record<string, string>,
  pending: Object.create(null) as Record<string, PendingSecret>,
});

/** A plain put replaces the value outright: the version it came from is no longer known. */
export function putCurrent(state: StagedSecrets, ref: string, value: string): void {
  state.secrets[ref] = value;
  delete state.versions[ref];
}

export function removeSecret(state: StagedSecrets, ref: string): boolean {
  const had = Object.hasOwn(state.secrets, ref) || Object.hasOwn(state.pending, ref);
  delete state.secrets[ref];
  delete state.versions[ref];
  delete state.pending[ref];
  return had;
}

export function putPendingVersion(state: StagedSecrets, ref: string, versionId: string, value: string): void {
  const existing = state.pending[ref];
  // As Secrets Manager: one version id names one value; repeating the request with it is a no-op.
  if (existing?.versionId === versionId && existing.value !== value)
    throw new Error(`Secret '${ref}' already has version ${versionId} with another value`);
  state.pending[ref] = { versionId, value };
}

/** Returns whether anything changed (false: it was already current). */
export function promoteVersion(state: StagedSecrets, ref: string, versionId: string): boolean {
  const pending = state.pending[ref];
  if (pending?.versionId === versionId) {
    state.secrets[ref] = pending.value;
    state.versions[ref] = versionId;
    delete state.pending[ref];
    return true;
  }
  if (state.versions[ref] === versionId) return false;
  throw new SecretNotFoundError(`${ref} (version ${versionId})`);
}

export function discardVersion(state: StagedSecrets, ref: string, versionId: string): boolean {
  if (state.pending[ref]?.versionId !== versionId) return false;
  delete state.pending[ref];
  return true;
}
