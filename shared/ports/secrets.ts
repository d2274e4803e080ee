/**
 * Secrets: where service-identity credentials live (Secrets Manager in AWS, an encrypted file locally).
 * Records hold only a reference (`secret_ref`); the value never touches DynamoDB, a log or a response.
 */
export interface Secrets {
  /** Creates or replaces the secret at `ref`. */
  put(ref: string, value: string): Promise<void>;
  /** The current value. Throws SecretNotFoundError. */
  get(ref: string): Promise<string>;
  /** Deleting a missing secret is harmless; its pending version goes with it. */
  delete(ref: string): Promise<void>;

  /*
   * Rotation staging, as Secrets Manager's staging labels: a pending version (AWSPENDING) stands beside the
   * current one (AWSCURRENT) while the targets are changed and tested, then becomes current or is dropped.
   * `versionId` names the version (Secrets Manager's ClientRequestToken, 32-64 characters), so every step
   * can be repeated after a crash without creating a second password.
   */
  /** Stores `value` as the pending version `versionId` of `ref` (moving the label off an older pending one); `get` is unchanged. */
  putPending(ref: string, versionId: string, value: string): Promise<void>;
  /** The pending version, or undefined when there is none. */
  getPending(ref: string): Promise<PendingSecret | undefined>;
  /** Makes pending version `versionId` current; harmless when it already is. Throws when neither holds. */
  promotePending(ref: string, versionId: string): Promise<void>;
  /** Drops pending version `versionId`; harmless when it is not pending (any more). */
  discardPending(ref: string, versionId: string): Promise<void>;

  /*
   * Rotation on a schedule (Secrets Manager calls EIO's rotation function, which runs the same steps). The local
   * stack has no such schedule: there rotations start only from the API.
   */
  /** Puts the secret on the deployment's rotation schedule; a no-op where there is none. */
  scheduleRotation(ref: string): Promise<void>;
  /** The ref of a secret as the rotation schedule names it (Secrets Manager: its ARN or name). */
  refOf(secretId: string): Promise<string>;
}

export type PendingSecret = { versionId: string; value: string };

export class SecretNotFoundError extends Error {
  constructor(readonly ref: string) {
    super(`Secret '${ref}' does not exist`);
    this.name = 'SecretNotFoundError';
  }
}
