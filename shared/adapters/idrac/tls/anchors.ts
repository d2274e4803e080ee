/**
 * Certificates learned for endpoints marked insecure, so the next handshake can use the certificate itself as
 * its only trust anchor. Bounded: beyond `maxAnchors` the least recently used are forgotten first, and a
 * forgotten one is learned again on the next handshake (the endpoint is insecure: nothing is lost but a handshake).
 */
export class AnchorCache {
  /** In order of last use, oldest first. */
  private readonly byKey = new Map<string, string>();

  constructor(private readonly maxAnchors = 16_384) {}

  get(key: string): string | undefined {
    const pem = this.byKey.get(key);
    if (pem !== undefined) {
      this.byKey.delete(key);
      this.byKey.set(key, pem);
    }
    return pem;
  }

  learn(key: string, pem: string): void {
    this.byKey.delete(key);
    this.byKey.set(key, pem);
    if (this.byKey.size > this.maxAnchors) this.byKey.delete(this.byKey.keys().next().value!);
  }

  get size(): number {
    return this.byKey.size;
  }
}
