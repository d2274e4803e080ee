import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  CertificatePinMismatchError,
  fetchPeerCertificate,
  normalizeThumbprint,
  thumbprintOf,
  type VSphereClient,
  VSphereTransportError,
} from '../../shared/adapters/vsphere';
import { startVcsim, type Vcsim } from '../support/vcsim';
import { clientFor, closeAll } from './helpers';

// Two vcsims, each with a certificate of its own: `other` stands in for an impostor or a replaced certificate.
let sim: Vcsim;
let other: Vcsim;
const clients: VSphereClient[] = [];
const track = (c: VSphereClient) => (clients.push(c), c);

beforeAll(async () => {
  [sim, other] = await Promise.all([startVcsim({ vmsPerHost: 1 }), startVcsim({ vmsPerHost: 1 })]);
});
afterAll(async () => {
  await Promise.all([sim?.stop(), other?.stop()]);
});
afterEach(async () => {
  await closeAll(clients);
});

describe('TLS trust per vCenter instance', () => {
  it('reports the thumbprint a server presents, as trust-on-first-use needs', async () => {
    const peer = await fetchPeerCertificate(sim.url);
    expect(peer.thumbprint).toBe(sim.thumbprint);
    expect(peer.pem).toContain('BEGIN CERTIFICATE');
    expect(thumbprintOf(peer.pem)).toBe(sim.thumbprint);
    expect(sim.thumbprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  });

  it('trusts a CA bundle', async () => {
    await expect(track(clientFor(sim, { tls: { kind: 'ca', ca: sim.certPem } })).login()).resolves.toMatchObject({ userName: sim.user });
  });

  it('refuses a server whose certificate the CA bundle does not cover', async () => {
    const err = await track(clientFor(sim, { tls: { kind: 'ca', ca: other.certPem } }))
      .login()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VSphereTransportError);
    expect((err as Error).message).toContain(sim.url);
  });

  it('trusts a pinned thumbprint alone (in any case and separator style), reading the certificate first', async () => {
    const pin = sim.thumbprint.replace(/:/g, '').toLowerCase();
    expect(normalizeThumbprint(pin)).toBe(sim.thumbprint);
    await expect(track(clientFor(sim, { tls: { kind: 'pinned', thumbprint: pin } })).login()).resolves.toMatchObject({
      userName: sim.user,
    });
  });

  it('trusts a pinned thumbprint with its certificate', async () => {
    const client = track(clientFor(sim, { tls: { kind: 'pinned', thumbprint: sim.thumbprint, certificate: sim.certPem } }));
    await expect(client.login()).resolves.toMatchObject({ userName: sim.user });
  });

  it('refuses a different certificate than the pinned thumbprint, naming both thumbprints', async () => {
    const client = track(clientFor(sim, { tls: { kind: 'pinned', thumbprint: other.thumbprint } }));
    const err = await client.login().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CertificatePinMismatchError);
    expect(err).toMatchObject({ expected: other.thumbprint, actual: sim.thumbprint });
    expect((err as Error).message).toContain(`expected SHA-256 ${other.thumbprint}`);
    expect((err as Error).message).toContain(`server presented ${sim.thumbprint}`);
    expect(client.health().loggedIn).toBe(false);
  });

  it('refuses a server whose certificate changed since it was pinned with its certificate, naming both', async () => {
    // The pin and certificate recorded for `other`, but the server at the URL presents sim's certificate.
    const client = track(clientFor(sim, { tls: { kind: 'pinned', thumbprint: other.thumbprint, certificate: other.certPem } }));
    const err = await client.login().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CertificatePinMismatchError);
    expect(err).toMatchObject({ expected: other.thumbprint, actual: sim.thumbprint });
  });

  it('does not retry or count a pin mismatch as an outage that will pass', async () => {
    const client = track(
      clientFor(sim, { tls: { kind: 'pinned', thumbprint: other.thumbprint, certificate: other.certPem }, breakerThreshold: 1 }),
    );
    await expect(client.retrieveServiceContent()).rejects.toBeInstanceOf(CertificatePinMismatchError);
    expect(client.health().breaker).toBe('closed');
  });

  it('skips verification only when the instance says insecure', async () => {
    await expect(track(clientFor(sim, { tls: { kind: 'insecure' } })).login()).resolves.toMatchObject({ userName: sim.user });
  });
});
