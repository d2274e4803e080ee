/**
 * Certificates by their SHA-256 thumbprint, so a connection to a pinned endpoint can use the certificate
 * itself as its only trust anchor. Every certificate seen in a handshake is remembered under its own
 * thumbprint (which trusts nothing: only a pin equal to that thumbprint ever looks it up). Bounded: the
 * oldest are forgotten first, and a forgotten one is simply learned again on the next handshake.
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

  forget(thumbprint: string): void {
    this.byThumbprint.delete(thumbprint);
  }
}
