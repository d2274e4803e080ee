/**
 * Certificates learned for a pinned thumbprint, so every later connection can use the certificate itself
 * as its only trust anchor. Learning happens on a handshake that fails verification (no request is ever
 * sent over it): the presented certificate is kept only when its SHA-256 equals the pin.
 */
export class AnchorCache {
  private readonly byThumbprint = new Map<string, string>();

  get(thumbprint: string): string | undefined {
    return this.byThumbprint.get(thumbprint);
  }

  learn(thumbprint: string, pem: string): void {
    this.byThumbprint.set(thumbprint, pem);
  }

  forget(thumbprint: string): void {
    this.byThumbprint.delete(thumbprint);
  }
}
