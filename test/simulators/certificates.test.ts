import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdtemp, readdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as asn1 from '../../infra/local/simulators/tls/asn1';
import { CertificateStore } from '../../infra/local/simulators/tls/cert-store';
import { createSelfSignedCertificate, thumbprintOf } from '../../infra/local/simulators/tls/x509';

const THUMBPRINT = /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/;
const subject = { commonName: 'idrac-ABC1234', organization: 'Dell Inc.', country: 'US' };

describe('DER encoding', () => {
  it('encodes OIDs, integers and long lengths as DER requires', () => {
    expect(asn1.oid('1.2.840.113549.1.1.11').toString('hex')).toBe('06092a864886f70d01010b');
    expect(asn1.integer(Buffer.from([0x80])).toString('hex')).toBe('02020080'); // sign byte added
    expect(asn1.integer(Buffer.from([0, 0, 5])).toString('hex')).toBe('020105'); // leading zeros dropped
    expect(asn1.octetString(Buffer.alloc(300)).subarray(0, 4).toString('hex')).toBe('0482012c');
    expect(asn1.time(new Date('2036-01-02T03:04:05Z')).toString('latin1')).toContain('360102030405Z');
    expect(asn1.time(new Date('2051-01-02T03:04:05Z')).toString('latin1')).toContain('20510102030405Z');
  });
});

describe('self-signed certificates in pure Node', () => {
  it('builds a v3 certificate with the subject, IP/DNS SANs and validity asked for', () => {
    const notBefore = new Date('2026-01-01T00:00:00Z');
    const notAfter = new Date('2036-01-01T00:00:00Z');
    const { certPem, keyPem } = createSelfSignedCertificate({
      subject,
      ipAddresses: ['127.9.0.1'],
      dnsNames: ['idrac-ABC1234'],
      notBefore,
      notAfter,
    });
    const cert = new X509Certificate(certPem);
    expect(cert.subject).toContain('CN=idrac-ABC1234');
    expect(cert.issuer).toBe(cert.subject);
    expect(cert.subjectAltName).toBe('DNS:idrac-ABC1234, IP Address:127.9.0.1');
    expect(new Date(cert.validTo).toISOString()).toBe(notAfter.toISOString());
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(cert.checkPrivateKey(createPrivateKey(keyPem))).toBe(true);
    expect(thumbprintOf(certPem)).toMatch(THUMBPRINT);
  });

  it('also signs with RSA-2048, the key type iDRACs ship', () => {
    const { certPem } = createSelfSignedCertificate({
      subject,
      keyType: 'rsa-2048',
      notBefore: new Date(),
      notAfter: new Date(Date.now() + 86_400_000),
    });
    const cert = new X509Certificate(certPem);
    expect(cert.publicKey.asymmetricKeyType).toBe('rsa');
    expect(cert.verify(cert.publicKey)).toBe(true);
  });
});

describe('certificate cache', () => {
  it('reuses cached certificates across stores on the same directory, files private', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'eio-cert-cache-'));
    const request = { subject, ipAddresses: ['127.9.0.2'] };
    const first = await new CertificateStore(dir).get('endpoint-a', request);
    const again = await new CertificateStore(dir).get('endpoint-a', request);
    const other = await new CertificateStore(dir).get('endpoint-b', request);
    expect(again.thumbprint).toBe(first.thumbprint);
    expect(again.keyPem).toBe(first.keyPem);
    expect(other.thumbprint).not.toBe(first.thumbprint);
    const files = (await readdir(dir)).filter((f) => f.endsWith('.json'));
    expect(files).toHaveLength(2);
    expect((await stat(join(dir, files[0]!))).mode & 0o777).toBe(0o600);
  });

  it('issues a new certificate when the request changes (e.g. another address)', async () => {
    const store = new CertificateStore();
    const a = await store.get('endpoint', { subject, ipAddresses: ['127.9.0.3'] });
    const b = await store.get('endpoint', { subject, ipAddresses: ['127.9.0.4'] });
    expect(b.thumbprint).not.toBe(a.thumbprint);
    expect(new X509Certificate(b.certPem).subjectAltName).toContain('127.9.0.4');
  });
});
