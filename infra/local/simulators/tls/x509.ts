import { createHash, generateKeyPairSync, type KeyObject, randomBytes, sign, X509Certificate } from 'node:crypto';
import { isIPv4 } from 'node:net';
import * as asn1 from './asn1';

export type KeyType = 'ec-p256' | 'rsa-2048';

export interface SubjectSpec {
  commonName: string;
  organization?: string;
  organizationalUnit?: string;
  locality?: string;
  state?: string;
  country?: string;
}

export interface CertificateSpec {
  subject: SubjectSpec;
  ipAddresses?: string[];
  dnsNames?: string[];
  notBefore: Date;
  notAfter: Date;
  keyType?: KeyType;
}

export interface GeneratedCertificate {
  certPem: string;
  keyPem: string;
}

const OID = {
  commonName: '2.5.4.3',
  country: '2.5.4.6',
  locality: '2.5.4.7',
  state: '2.5.4.8',
  organization: '2.5.4.10',
  organizationalUnit: '2.5.4.11',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  sha256WithRsa: '1.2.840.113549.1.1.11',
  subjectKeyIdentifier: '2.5.29.14',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
} as const;

function name(subject: SubjectSpec): Buffer {
  // RDN order as iDRACs print it: C, ST, L, O, OU, CN.
  const parts: Array<[string, string | undefined, boolean]> = [
    [OID.country, subject.country, true],
    [OID.state, subject.state, false],
    [OID.locality, subject.locality, false],
    [OID.organization, subject.organization, false],
    [OID.organizationalUnit, subject.organizationalUnit, false],
    [OID.commonName, subject.commonName, false],
  ];
  const rdns = parts
    .filter((p): p is [string, string, boolean] => typeof p[1] === 'string' && p[1].length > 0)
    .map(([type, value, printable]) =>
      asn1.set(asn1.sequence(asn1.oid(type), printable ? asn1.printableString(value) : asn1.utf8String(value))),
    );
  return asn1.sequence(...rdns);
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return asn1.sequence(asn1.oid(id), ...(critical ? [asn1.boolean(true)] : []), asn1.octetString(value));
}

function ipBytes(address: string): Buffer {
  if (!isIPv4(address)) throw new Error(`only IPv4 SANs are supported, got ${address}`);
  return Buffer.from(address.split('.').map(Number));
}

function subjectAltName(ips: string[], dns: string[]): Buffer {
  const names = [
    ...dns.map((d) => asn1.implicitPrimitive(2, Buffer.from(d, 'ascii'))),
    ...ips.map((ip) => asn1.implicitPrimitive(7, ipBytes(ip))),
  ];
  return asn1.sequence(...names);
}

function generateKey(keyType: KeyType): { privateKey: KeyObject; publicKey: KeyObject } {
  return keyType === 'rsa-2048'
    ? generateKeyPairSync('rsa', { modulusLength: 2048 })
    : generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
}

/**
 * A self-signed X.509 v3 certificate, built as DER and signed with node:crypto.
 * basicConstraints CA:TRUE lets a client trust it directly as its own anchor (`ca: certPem`),
 * which is how a pinned iDRAC certificate is used.
 */
export function createSelfSignedCertificate(spec: CertificateSpec): GeneratedCertificate {
  const keyType = spec.keyType ?? 'ec-p256';
  const { privateKey, publicKey } = generateKey(keyType);
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const signatureAlgorithm =
    keyType === 'rsa-2048' ? asn1.sequence(asn1.oid(OID.sha256WithRsa), asn1.nullValue()) : asn1.sequence(asn1.oid(OID.ecdsaWithSha256));
  const serial = randomBytes(16);
  serial[0] = (serial[0] ?? 0) & 0x7f; // positive, 16 bytes at most (RFC 5280 4.1.2.2)
  const subject = name(spec.subject);
  const keyId = createHash('sha1').update(spki).digest();

  const extensions = [
    extension(OID.basicConstraints, true, asn1.sequence(asn1.boolean(true))),
    extension(OID.subjectKeyIdentifier, false, asn1.octetString(keyId)),
  ];
  const ips = spec.ipAddresses ?? [];
  const dns = spec.dnsNames ?? [];
  if (ips.length + dns.length > 0) extensions.push(extension(OID.subjectAltName, false, subjectAltName(ips, dns)));

  const tbs = asn1.sequence(
    asn1.explicit(0, asn1.integer(2)), // v3
    asn1.integer(serial),
    signatureAlgorithm,
    subject, // issuer: self-signed
    asn1.sequence(asn1.time(spec.notBefore), asn1.time(spec.notAfter)),
    subject,
    spki,
    asn1.explicit(3, asn1.sequence(...extensions)),
  );
  const signature = sign('sha256', tbs, privateKey);
  const der = asn1.sequence(tbs, signatureAlgorithm, asn1.bitString(signature));
  const certPem = `-----BEGIN CERTIFICATE-----\n${der
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .trimEnd()}\n-----END CERTIFICATE-----\n`;
  // Parse once: a malformed builder fails here, not inside a TLS handshake.
  new X509Certificate(certPem);
  return { certPem, keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
}

/** SHA-256 of the DER certificate, colon-separated uppercase hex: the form EIO pins. */
export function thumbprintOf(certPem: string): string {
  return new X509Certificate(certPem).fingerprint256;
}
