/**
 * Server TLS settings for a simulated endpoint's highest protocol version.
 *
 * Finding (Node 20.20, bundled OpenSSL 3.0.19): TLS 1.0/1.1 still work per socket, without the
 * `--tls-min-v1.0` flag, but only when BOTH sides set `minVersion: 'TLSv1'` (or 'TLSv1.1') and lower the
 * OpenSSL security level with `ciphers: 'DEFAULT:@SECLEVEL=0'`. At the default level the server fails the
 * handshake (alert "internal error": no usable SHA-1/MD5-SHA1 signature for TLS < 1.2) and a client without
 * SECLEVEL=0 fails with ERR_SSL_LEGACY_SIGALG_DISALLOWED_OR_UNSUPPORTED. So a legacy iDRAC needs these
 * options on that endpoint's client only — never process-wide.
 */
import type { SecureVersion } from 'node:tls';

/** OpenSSL security level 0: TLS 1.0/1.1 need it on both sides. */
export const LEGACY_TLS_CIPHERS = 'DEFAULT:@SECLEVEL=0';

export interface ServerTlsVersions {
  minVersion: SecureVersion;
  maxVersion: SecureVersion;
  ciphers?: string;
}

export function serverTlsVersions(maxTlsVersion: SecureVersion = 'TLSv1.3'): ServerTlsVersions {
  if (maxTlsVersion === 'TLSv1' || maxTlsVersion === 'TLSv1.1') {
    // iDRAC7/8 on old firmware: TLS 1.0 and 1.1 only.
    return { minVersion: 'TLSv1', maxVersion: maxTlsVersion, ciphers: LEGACY_TLS_CIPHERS };
  }
  return { minVersion: 'TLSv1.2', maxVersion: maxTlsVersion };
}

/** What a client must add to reach a legacy-only endpoint (see the finding above). */
export const legacyClientTlsOptions = { minVersion: 'TLSv1', ciphers: LEGACY_TLS_CIPHERS } as const;
