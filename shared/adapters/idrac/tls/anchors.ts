/**
 * Certificates learned for endpoints marked insecure, so the next handshake can use the certificate itself as
 * its only trust anchor. Bounded: the oldest are forgotten first, and a forgotten one is learned again on the
 * next handshake.
 */
const MAX_ANCHORS = 16_384;

export class AnchorCache {
  private readonly byThumbprint = new Map<string, string>();

  get(thumbprint: string): string | undefined {
    return this.byThumbprint.get(thumbprint);
  }

  learn(thumbprint: string, pem: string): void {
    if (this.byThumbprint.get(thumbprint) === pem) return;
    if (this.byThumbprint.size >= MAX_ANCHORS) this.byThumbprint.delete(this.byThumbprint.keys().next().value!);
    this.byThumbprint.set(thumbprint, pem);
  }
}
