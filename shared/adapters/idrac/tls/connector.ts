import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import {
  type ConnectionOptions,
  checkServerIdentity,
  connect,
  createSecureContext,
  type PeerCertificate,
  type SecureContext,
  type TLSSocket,
} from 'node:tls';
import type { buildConnector } from 'undici';
import type { TlsFacts } from '../../../domain/idrac';
import { CertificateMismatchError, IdracError, type IdracTlsTrust } from '../../../ports/idrac';
import { toIdracError } from '../errors';
import type { IdracLog } from '../options';
import type { AnchorCache } from './anchors';
import { isoDate, normalizeThumbprint, pemOfDer, thumbprintOfDer } from './thumbprint';

/** TLS 1.0/1.1 on Node 20 / OpenSSL 3 need both a lower floor and security level 0 (see the simulator README). */
const LEGACY_TLS: ConnectionOptions = { minVersion: 'TLSv1', ciphers: 'DEFAULT:@SECLEVEL=0' };

/**
 * Secure contexts by CA list and legacy flag. tls.connect builds a new one per connection otherwise, which
 * parses the CA bundle every time: a discovery sweep paid more for that than for the handshakes themselves.
 */
const CONTEXTS = new Map<string, SecureContext>();
const MAX_CONTEXTS = 4096;
function secureContextFor(ca: string | string[] | undefined, legacy: boolean): SecureContext {
  const key = createHash('sha256')
    .update(JSON.stringify([ca ?? null, legacy]))
    .digest('base64');
  let context = CONTEXTS.get(key);
  if (!context) {
    context = createSecureContext({ ...(legacy ? LEGACY_TLS : {}), ...(ca ? { ca } : {}) });
    if (CONTEXTS.size >= MAX_CONTEXTS) CONTEXTS.delete(CONTEXTS.keys().next().value!);
    CONTEXTS.set(key, context);
  }
  return context;
}

export interface Presented extends TlsFacts {
  pem: string;
}

export interface ConnectorContext {
  address: string;
  trust: IdracTlsTrust;
  connectTimeoutMs: number;
  anchors: AnchorCache;
  /** Every certificate seen in a handshake, accepted or refused (for the probe's TLS facts and TOFU). */
  onPresented(presented: Presented): void;
  /** Trust on first use: the certificate accepted by the first handshake, now the only one this connector takes. */
  onFirstUse?(thumbprint: string): void;
  log: IdracLog;
}

interface Attempt {
  socket?: TLSSocket;
  error?: unknown;
  presented?: Presented;
}

/**
 * What a pin may overlook: nobody vouches for the certificate (self-signed, unknown issuer); the pin says
 * which certificate it must be. Anything else (expired, not yet valid, bad signature...) is refused.
 */
const UNVOUCHED = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
]);

/** Pins replace the host-name check (factory iDRAC certificates name `idrac-<tag>`, not the address they are reached on). */
const noHostNameCheck = () => undefined;

/**
 * An undici connector that enforces one endpoint's trust policy; verification always runs:
 * - pinned: the thumbprint is compared on every handshake, and verification's verdict may only be that
 *   nobody vouches for the certificate (judgedHandshake); any other certificate → CertificateMismatchError
 *   naming both. One handshake, on a shared secure context (not one context per iDRAC certificate).
 * - pinned + caPem: chain verified against the bundle, and the thumbprint compared.
 * - caPem: usual chain + host name verification against that bundle.
 * - insecure (explicit opt-in): the presented certificate is learned from a first handshake (nothing is sent
 *   on it) and then trusted as the only CA, whatever it is.
 * - trust on first use: judged like a pin, the first certificate accepted becoming the pin. Saves the refused
 *   handshake per port that learning a certificate otherwise costs.
 * - none: system CAs; a self-signed iDRAC fails with 'certificate_untrusted' carrying the actual thumbprint.
 * TLS 1.0/1.1 are offered only when the endpoint is marked legacy.
 */
export function trustingConnector(ctx: ConnectorContext): buildConnector.connector {
  const fixedPin = ctx.trust.pinnedThumbprint ? normalizeThumbprint(ctx.trust.pinnedThumbprint) : undefined;
  const firstUse = ctx.trust.trustOnFirstUse === true && !fixedPin && !ctx.trust.caPem && !ctx.trust.insecure;
  /** With trust on first use: the certificate the first handshake accepted. */
  let firstUsePin: string | undefined;
  const insecureKey = `insecure:${ctx.address}`;

  return (options, callback) => {
    const port = Number(options.port) || 443;
    const host = options.hostname;
    void establish(host, port).then(
      (socket) => callback(null, socket),
      (error: unknown) => callback(toIdracError(error, ctx.address, { phase: 'connect' }), null),
    );
  };

  async function establish(host: string, port: number): Promise<TLSSocket> {
    const pin = fixedPin ?? firstUsePin;
    if (!ctx.trust.caPem && (pin || firstUse)) return judgedHandshake(host, port, pin);
    const first = await handshake(host, port, plan(pin));
    if (first.socket) return first.socket;
    const presented = first.presented;
    if (!presented) throw first.error;
    if (pin && presented.thumbprint !== pin) throw new CertificateMismatchError(ctx.address, pin, presented.thumbprint);
    if (!ctx.trust.insecure || ctx.trust.caPem) throw untrusted(presented, first.error);
    // Insecure: learn what was presented, then trust exactly that on a second handshake (nothing was sent on the first).
    ctx.log.warn('Trusting an unverified iDRAC certificate (endpoint marked insecure)', {
      idrac: ctx.address,
      thumbprint: presented.thumbprint,
    });
    ctx.anchors.learn(insecureKey, presented.pem);
    const second = await handshake(host, port, plan(pin));
    if (second.socket) return second.socket;
    throw second.presented ? untrusted(second.presented, second.error) : second.error;
  }

  /**
   * A pin (or trust on first use) without a CA bundle: the pin names the exact certificate, so nobody needs to
   * vouch for it. Verification still runs (rejectUnauthorized false only hands its verdict to this function):
   * the certificate must be the pinned one and its only fault may be that nobody vouches for it; expired,
   * not yet valid and the like are refused. The handshake itself proves the iDRAC holds the certificate's key.
   * On first use, the certificate accepted becomes the pin. One handshake, on the shared secure context.
   */
  async function judgedHandshake(host: string, port: number, pin: string | undefined): Promise<TLSSocket> {
    const attempt = await handshake(host, port, {
      ...(ctx.trust.legacy ? LEGACY_TLS : {}),
      rejectUnauthorized: false,
      checkServerIdentity: noHostNameCheck,
    });
    const { socket, presented } = attempt;
    if (!socket) throw attempt.error;
    const refuse = (error: Error) => {
      socket.destroy();
      return error;
    };
    if (!presented) throw refuse(new IdracError('certificate_untrusted', `iDRAC ${ctx.address} presented no certificate`, ctx.address));
    const expected = pin ?? firstUsePin;
    if (expected && presented.thumbprint !== expected)
      throw refuse(new CertificateMismatchError(ctx.address, expected, presented.thumbprint));
    const fault = socket.authorized ? undefined : String(socket.authorizationError ?? 'unverified');
    // An expired or not yet valid certificate is reported as such (CERT_HAS_EXPIRED...), not as unvouched.
    if (fault && !UNVOUCHED.has(fault)) throw refuse(untrusted(presented, { code: fault }));
    if (!expected) {
      firstUsePin = presented.thumbprint;
      ctx.onFirstUse?.(presented.thumbprint);
    }
    return socket;
  }

  /** CA list and identity check for a verified handshake (CA bundle, insecure, none), from the policy and what has been learned. */
  function plan(pin: string | undefined): ConnectionOptions {
    const legacy = ctx.trust.legacy ? LEGACY_TLS : {};
    if (ctx.trust.caPem)
      return {
        ...legacy,
        ca: ctx.trust.caPem,
        // With a pin beside the bundle, the pin names the exact certificate and replaces the host-name check.
        checkServerIdentity: pin
          ? (_host: string, cert: PeerCertificate) =>
              normalizeThumbprint(cert.fingerprint256) === pin
                ? undefined
                : new CertificateMismatchError(ctx.address, pin, normalizeThumbprint(cert.fingerprint256))
          : checkServerIdentity,
      };
    if (ctx.trust.insecure) {
      const learned = ctx.anchors.get(insecureKey);
      if (!learned) return { ...legacy };
      const expected = thumbprintOfDer(Buffer.from(learned.replace(/-----[^-]+-----|\s/g, ''), 'base64'));
      return {
        ...legacy,
        ca: learned,
        checkServerIdentity: (_host: string, cert: PeerCertificate) =>
          normalizeThumbprint(cert.fingerprint256) === expected ? undefined : new Error('certificate changed'),
      };
    }
    return { ...legacy, checkServerIdentity };
  }

  function handshake(host: string, port: number, tlsOptions: ConnectionOptions): Promise<Attempt> {
    return new Promise((resolve) => {
      const { ca, ...rest } = tlsOptions;
      const socket = connect({
        ...rest,
        secureContext: secureContextFor(ca as string | string[] | undefined, ctx.trust.legacy === true),
        host,
        port,
        // SNI only for names: Node refuses an IP address as servername.
        ...(isIP(host) ? {} : { servername: host }),
        ALPNProtocols: ['http/1.1'],
      });
      let presented: Presented | undefined;
      // 'secure' fires when the handshake completes, before Node verifies the chain and may destroy the
      // socket: the one moment the presented certificate can be read even when it is then refused.
      // getPeerCertificate, not getPeerX509Certificate: the latter, called here, breaks Node's own
      // subjectaltname check that runs right after.
      socket.prependListener('secure', () => {
        const cert = socket.getPeerCertificate();
        if (cert?.raw) {
          const cn = cert.subject?.CN;
          const seen: Presented = {
            protocol: socket.getProtocol() ?? 'unknown',
            thumbprint: thumbprintOfDer(cert.raw),
            not_after: isoDate(cert.valid_to),
            ...(cn ? { subject: Array.isArray(cn) ? cn.join(',') : cn } : {}),
            pem: pemOfDer(cert.raw),
          };
          presented = seen;
          ctx.onPresented(seen);
        }
      });
      const timer = setTimeout(() => {
        socket.destroy(
          new IdracError('timeout', `iDRAC ${ctx.address}:${port}: no TLS connection within ${ctx.connectTimeoutMs} ms`, ctx.address, {
            phase: 'connect',
            timeout_ms: ctx.connectTimeoutMs,
          }),
        );
      }, ctx.connectTimeoutMs);
      socket.setNoDelay(true);
      socket.setKeepAlive(true, 60_000);
      const onError = (error: Error) => {
        clearTimeout(timer);
        socket.destroy();
        resolve({ error, presented });
      };
      socket.once('error', onError);
      socket.once('secureConnect', () => {
        clearTimeout(timer);
        // undici attaches its own error handling as soon as it receives the socket.
        socket.off('error', onError);
        resolve({ socket, presented });
      });
    });
  }

  function untrusted(presented: Presented, cause: unknown): IdracError {
    const reason = (cause as { code?: string } | undefined)?.code ?? (cause instanceof Error ? cause.message : 'verification failed');
    return new IdracError(
      'certificate_untrusted',
      `iDRAC ${ctx.address} presented certificate ${presented.thumbprint}, which is not trusted (${reason}); pin it or give a CA bundle`,
      ctx.address,
      { actual_thumbprint: presented.thumbprint, reason, not_after: presented.not_after },
      { cause },
    );
  }
}
