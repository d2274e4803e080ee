import { createHash } from 'node:crypto';
import { normalizeThumbprint } from '../../../domain/thumbprint';

export { normalizeThumbprint };

export function thumbprintOfDer(der: Buffer): string {
  return normalizeThumbprint(createHash('sha256').update(der).digest('hex'));
}

export function pemOfDer(der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

/** OpenSSL prints `Nov 20 12:06:48 2036 GMT`; the port speaks ISO 8601. */
export function isoDate(openSslDate: string | undefined): string {
  const date = openSslDate ? new Date(openSslDate) : undefined;
  return date && !Number.isNaN(date.getTime()) ? date.toISOString() : '';
}
