import { createHash, X509Certificate } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../../../../shared/lib/atomic-file';
import { type CertificateSpec, createSelfSignedCertificate, type KeyType, thumbprintOf } from './x509';

export interface CertMaterial {
  certPem: string;
  keyPem: string;
  /** SHA-256 of the DER, colon-separated uppercase hex. */
  thumbprint: string;
  notAfter: Date;
}

export interface CertRequest {
  subject: CertificateSpec['subject'];
  ipAddresses?: string[];
  dnsNames?: string[];
  keyType?: KeyType;
  validDays?: number;
}

const DAY_MS = 86_400_000;

function material(certPem: string, keyPem: string): CertMaterial {
  return { certPem, keyPem, thumbprint: thumbprintOf(certPem), notAfter: new Date(new X509Certificate(certPem).validTo) };
}

/**
 * Self-signed certificates, generated in-process and cached as files under a caller-given directory
 * so a fleet restarts fast (RSA keys take ~0.2 s each). Without a directory, certificates live in memory only.
 */
export class CertificateStore {
  private readonly memory = new Map<string, Promise<CertMaterial>>();

  constructor(private readonly dir?: string) {}

  /** The certificate named `name` for this request; a changed request gets a new certificate. */
  get(name: string, request: CertRequest): Promise<CertMaterial> {
    const digest = createHash('sha256')
      .update(JSON.stringify([request.subject, request.ipAddresses, request.dnsNames, request.keyType ?? 'ec-p256']))
      .digest('hex')
      .slice(0, 12);
    const key = `${name.replace(/[^A-Za-z0-9._-]/g, '_')}-${digest}`;
    let pending = this.memory.get(key);
    if (!pending) {
      pending = this.load(key, request);
      this.memory.set(key, pending);
    }
    return pending;
  }

  private async load(key: string, request: CertRequest): Promise<CertMaterial> {
    if (this.dir) {
      const cached = await readFile(join(this.dir, `${key}.json`), 'utf8').then(
        (text) => JSON.parse(text) as { certPem: string; keyPem: string },
        () => undefined,
      );
      if (cached) {
        const found = material(cached.certPem, cached.keyPem);
        if (found.notAfter.getTime() > Date.now() + DAY_MS) return found;
      }
    }
    const now = Date.now();
    const generated = createSelfSignedCertificate({
      subject: request.subject,
      ipAddresses: request.ipAddresses,
      dnsNames: request.dnsNames,
      keyType: request.keyType,
      notBefore: new Date(now - DAY_MS),
      notAfter: new Date(now + (request.validDays ?? 3650) * DAY_MS),
    });
    if (this.dir) {
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      // Parallel test processes sharing the directory never read half a file.
      await writeFileAtomic(join(this.dir, `${key}.json`), JSON.stringify(generated));
    }
    return material(generated.certPem, generated.keyPem);
  }
}
