import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { type ConnectionOptions, connect, type PeerCertificate } from 'node:tls';
import { normalizeThumbprint } from '../../domain/thumbprint';
import { CertificatePinMismatchError, VSphereTransportError } from './errors';

/**
 * How the client trusts a vCenter's certificate, per instance:
 *  - ca: a CA bundle (PEM), verified as usual, host name included;
 *  - pinned: the certificate's SHA-256 thumbprint. The certificate itself becomes the only trust anchor
 *    (partial chains allowed, so a VMCA-issued leaf works) and every connection re-checks the thumbprint;
 *    without `certificate`, the client reads it from the server first and refuses it unless it matches;
 *  - insecure: no verification at all. Only ever as an explicit per-instance choice.
 */
export type TlsPolicy =
  | { kind: 'ca'; ca: string | string[] }
  | { kind: 'pinned'; thumbprint: string; certificate?: string }
  | { kind: 'insecure' };

export { normalizeThumbprint };

export function thumbprintOf(pem: string): string {
  return new X509Certificate(pem).fingerprint256;
}

export interface PeerCertificateInfo {
  pem: string;
  thumbprint: string;
  subject: string;
  issuer: string;
  validTo: string;
}

/**
 * Reads the certificate a server presents, for trust-on-first-use and for naming the actual thumbprint
 * when a pinned connection fails. Verification stays on: the certificate is read in the 'secure' event,
 * when the handshake has completed and before Node checks the chain (and, for a self-signed vCenter,
 * destroys the socket). No request is ever written to this connection; deciding whether to trust what was
 * presented is what the caller does next.
 */
export function fetchPeerCertificate(url: string, timeoutMs = 10_000): Promise<PeerCertificateInfo> {
  const u = new URL(url);
  const host = u.hostname.replace(/^\[|\]$/g, '');
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port: Number(u.port || 443), servername: isIP(host) ? undefined : host, timeout: timeoutMs });
    let raw: Buffer | undefined;
    // getPeerCertificate, not getPeerX509Certificate: the latter, called here, breaks Node's own
    // subjectaltname check that runs right after (see the iDRAC connector).
    socket.prependListener('secure', () => {
      const presented = socket.getPeerCertificate();
      if (presented?.raw) raw = Buffer.from(presented.raw);
    });
    const settle = (err?: Error) => {
      socket.destroy();
      if (raw) {
        const cert = new X509Certificate(raw);
        return resolve({
          pem: cert.toString(),
          thumbprint: cert.fingerprint256,
          subject: cert.subject,
          issuer: cert.issuer,
          validTo: cert.validTo,
        });
      }
      const cause = err ?? new Error('the server presented no certificate');
      const code = (cause as { code?: unknown }).code;
      reject(
        new VSphereTransportError(
          `Cannot read the TLS certificate of ${url}: ${cause.message}`,
          typeof code === 'string' ? code : 'ECERTPROBE',
          { cause },
        ),
      );
    };
    // A refused certificate ends in 'error' after 'secure' has shown it: that is a success here.
    socket.once('error', settle);
    socket.once('timeout', () => settle(new Error(`no TLS handshake within ${timeoutMs} ms`)));
    socket.once('secureConnect', () => settle());
  });
}

/** Node TLS options for undici's connector, given the policy and (pinned) the certificate to anchor on. */
export function tlsConnectOptions(url: string, policy: TlsPolicy, pinnedPem?: string): ConnectionOptions {
  switch (policy.kind) {
    case 'ca':
      return { ca: policy.ca };
    case 'insecure':
      return { rejectUnauthorized: false };
    case 'pinned': {
      const expected = normalizeThumbprint(policy.thumbprint);
      const pem = pinnedPem ?? policy.certificate;
      if (!pem) throw new Error('tlsConnectOptions: the pinned certificate must be known first');
      return {
        ca: pem,
        allowPartialTrustChain: true,
        // The pin identifies the exact certificate, so it replaces the host name check (vCenter
        // certificates often name a host other than the one in the instance URL).
        checkServerIdentity: (_host: string, cert: PeerCertificate) =>
          normalizeThumbprint(cert.fingerprint256) === expected
            ? undefined
            : new CertificatePinMismatchError(url, expected, normalizeThumbprint(cert.fingerprint256)),
      } as ConnectionOptions;
    }
  }
}

/** OpenSSL verification failures: under a pin, these mean "a different certificate". */
export const CERT_VERIFY_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
]);
