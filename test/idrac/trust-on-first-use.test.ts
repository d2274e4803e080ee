import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSelfSignedCertificate, thumbprintOf } from '../../infra/local/simulators/tls/x509';
import { AnchorCache } from '../../shared/adapters/idrac/tls/anchors';
import { trustingConnector } from '../../shared/adapters/idrac/tls/connector';
import { EndpointPools } from '../../shared/adapters/idrac/transport/endpoint-pools';
import { IdracError, type IdracTarget } from '../../shared/ports/idrac';
import { LogRecorder } from './helpers';

/**
 * Pins and trust on first use in one handshake: the connector accepts an unvouched (self-signed) certificate
 * that is the pinned one (or, on first use, becomes it); anything else wrong with it is refused.
 */
const DAY = 86_400_000;
const ADDRESS = '127.43.0.1';

function certificate(notBefore: number, notAfter: number) {
  const c = createSelfSignedCertificate({
    subject: { commonName: 'idrac-TOFU' },
    ipAddresses: [ADDRESS],
    notBefore: new Date(notBefore),
    notAfter: new Date(notAfter),
    keyType: 'ec-p256',
  });
  return { ...c, thumbprint: thumbprintOf(c.certPem) };
}

const valid = certificate(Date.now() - DAY, Date.now() + 30 * DAY);
const other = certificate(Date.now() - DAY, Date.now() + 30 * DAY);
const expired = certificate(Date.now() - 30 * DAY, Date.now() - DAY);

/** A server whose certificate the test can swap. */
async function serve(cert: { certPem: string; keyPem: string }): Promise<{ server: Server; port: number; swap(c: typeof cert): void }> {
  const server = createServer({ cert: cert.certPem, key: cert.keyPem }, (_req, res) => res.end('ok'));
  await new Promise<void>((resolve) => server.listen(0, ADDRESS, resolve));
  return {
    server,
    port: (server.address() as AddressInfo).port,
    swap: (c) => server.setSecureContext({ cert: c.certPem, key: c.keyPem }),
  };
}

let validServer: Awaited<ReturnType<typeof serve>>;
let expiredServer: Awaited<ReturnType<typeof serve>>;
beforeAll(async () => {
  [validServer, expiredServer] = await Promise.all([serve(valid), serve(expired)]);
});
afterAll(async () => {
  for (const s of [validServer, expiredServer]) await new Promise((r) => s?.server.close(r));
});

function firstUsePool(port: number, seen: string[], trust: IdracTarget['tls'] = { trustOnFirstUse: true }) {
  return new Pool(`https://${ADDRESS}:${port}`, {
    // One socket per request, so each request is a handshake of its own.
    pipelining: 0,
    connect: trustingConnector({
      address: ADDRESS,
      trust,
      connectTimeoutMs: 2_000,
      anchors: new AnchorCache(),
      onPresented: () => undefined,
      onFirstUse: (t) => seen.push(t),
      log: new LogRecorder(),
    }),
  });
}

const get = async (pool: Pool) => {
  const res = await pool.request({ path: '/', method: 'GET', reset: true });
  return res.body.text();
};

describe('trust on first use (connector)', () => {
  it('accepts a self-signed certificate on first use, then that certificate alone', async () => {
    const seen: string[] = [];
    const pool = firstUsePool(validServer.port, seen);
    try {
      expect(await get(pool)).toBe('ok');
      expect(seen).toEqual([valid.thumbprint]);
      // Still the same certificate: accepted, and not "first used" again.
      expect(await get(pool)).toBe('ok');
      expect(seen).toEqual([valid.thumbprint]);
      // Another certificate now: refused, naming both.
      validServer.swap(other);
      const error = await get(pool).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(IdracError);
      expect(error).toMatchObject({ code: 'certificate_mismatch' });
      expect((error as Error).message).toContain(valid.thumbprint);
      expect((error as Error).message).toContain(other.thumbprint);
    } finally {
      validServer.swap(valid);
      await pool.destroy();
    }
  });

  it('refuses an expired certificate even on first use', async () => {
    const seen: string[] = [];
    const pool = firstUsePool(expiredServer.port, seen);
    try {
      const error = await get(pool).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(IdracError);
      expect(error).toMatchObject({ code: 'certificate_untrusted', details: { actual_thumbprint: expired.thumbprint } });
      expect(seen).toEqual([]);
    } finally {
      await pool.destroy();
    }
  });

  it('a pin is judged the same way: its certificate alone, and never once expired', async () => {
    const pinned = firstUsePool(validServer.port, [], { pinnedThumbprint: valid.thumbprint });
    const pinnedExpired = firstUsePool(expiredServer.port, [], { pinnedThumbprint: expired.thumbprint });
    const pinnedOther = firstUsePool(validServer.port, [], { pinnedThumbprint: other.thumbprint });
    try {
      expect(await get(pinned)).toBe('ok');
      await expect(get(pinnedExpired)).rejects.toMatchObject({ code: 'certificate_untrusted', details: { reason: 'CERT_HAS_EXPIRED' } });
      await expect(get(pinnedOther)).rejects.toMatchObject({ code: 'certificate_mismatch' });
    } finally {
      await Promise.all([pinned.destroy(), pinnedExpired.destroy(), pinnedOther.destroy()]);
    }
  });

  it('a pool that accepted a certificate on first use is kept when that certificate is pinned', async () => {
    const pools = new EndpointPools(
      {
        connectTimeoutMs: 2_000,
        headersTimeoutMs: 2_000,
        bodyTimeoutMs: 2_000,
        keepAliveTimeoutMs: 10_000,
        maxConcurrentPerEndpoint: 2,
      } as never,
      new AnchorCache(),
    );
    const target = (tls: IdracTarget['tls']): IdracTarget => ({ address: ADDRESS, redfishPort: validServer.port, tls });
    try {
      const first = pools.get(target({ trustOnFirstUse: true }), validServer.port);
      await first.pool.request({ path: '/', method: 'GET' }).then((r) => r.body.text());
      expect(first.firstUsePin).toBe(valid.thumbprint);
      expect(pools.get(target({ pinnedThumbprint: valid.thumbprint.toLowerCase() }), validServer.port)).toBe(first);
      // Pinning anything else is a new policy: a new pool.
      expect(pools.get(target({ pinnedThumbprint: other.thumbprint }), validServer.port)).not.toBe(first);
    } finally {
      await pools.closeAll();
    }
  });
});
