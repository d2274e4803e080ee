/**
 * Secrets: where service-identity credentials live (Secrets Manager in AWS, an encrypted file locally).
 * Records hold only a reference (`secret_ref`); the value never touches DynamoDB, a log or a response.
 */
export interface Secrets {
  /** Creates or replaces the secret at `ref`. */
  put(ref: string, value: string): Promise<void>;
  /** Throws SecretNotFoundError. */
  get(ref: string): Promise<string>;
  /** Deleting a missing secret is harmless. */
  delete(ref: string): Promise<void>;
}

export class SecretNotFoundError extends Error {
  constructor(readonly ref: string) {
    super(`Secret '${ref}' does not exist`);
    this.name = 'SecretNotFoundError';
  }
}
