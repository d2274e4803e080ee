import { LruMap } from '../../../lib/lru-map';

/**
 * Certificates learned for endpoints marked insecure, so the next handshake can use the certificate itself as
 * its only trust anchor. Bounded: beyond `maxAnchors` the least recently used are forgotten first, and a
 * forgotten one is learned again on the next handshake (the endpoint is insecure: nothing is lost but a handshake).
 */
export class AnchorCache extends LruMap<string, string> {
  constructor(maxAnchors = 16_384) {
    super(maxAnchors);
  }

  learn(key: string, pem: string): void {
    this.set(key, pem);
  }
}
