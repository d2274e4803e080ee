/**
 * Dell's identifier conventions, as seen in the R750 capture (service tag F54P1G3):
 * - System UUID  4c4c4544-0035-3410-8050-c6c04f314733: "DELL" then the tag's characters in fixed slots.
 * - Manager UUID / PlatformGUID 3347314f-c0c6-5080-3410-00354c4c4544: the same bytes, groups reversed.
 * - smbiosGUID   44454c4c-3500-1034-8050-c6c04f314733: the first three groups little-endian.
 * - ExpressServiceCode 32961952659: the tag read as a base-36 number.
 * Simulated endpoints derive all of these from a generated tag so they stay mutually consistent.
 */
import { createHash } from 'node:crypto';

const TAG_ALPHABET = '0123456789BCDFGHJKLMNPQRSTVWXYZ';

/** Deterministic bytes for a label: the same seed and label always give the same identity. */
export function seededBytes(label: string, length: number): Buffer {
  const chunks: Buffer[] = [];
  for (let i = 0; Buffer.concat(chunks).length < length; i++) {
    chunks.push(createHash('sha256').update(`${label}#${i}`).digest());
  }
  return Buffer.concat(chunks).subarray(0, length);
}

export function serviceTagFor(label: string): string {
  const bytes = seededBytes(`service-tag:${label}`, 7);
  return Array.from(bytes, (b) => TAG_ALPHABET[b % TAG_ALPHABET.length]).join('');
}

function formatUuid(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

function uuidBytes(serviceTag: string): Buffer {
  const c = Buffer.from(serviceTag.padEnd(7, '0').slice(0, 7), 'ascii');
  const at = (i: number): number => c[i] ?? 0x30;
  return Buffer.from([0x4c, 0x4c, 0x45, 0x44, 0x00, at(1), at(2), 0x10, 0x80, at(3), at(0) | 0x80, 0xc0, 0x4f, at(4), at(5), at(6)]);
}

export function systemUuidFor(serviceTag: string): string {
  return formatUuid(uuidBytes(serviceTag).toString('hex'));
}

export function platformGuidFor(serviceTag: string): string {
  const b = uuidBytes(serviceTag);
  const hex =
    Buffer.from(b.subarray(8, 16)).reverse().toString('hex') +
    b.subarray(6, 8).toString('hex') +
    b.subarray(4, 6).toString('hex') +
    b.subarray(0, 4).toString('hex');
  return formatUuid(hex);
}

export function smbiosGuidFor(serviceTag: string): string {
  const b = uuidBytes(serviceTag);
  const hex =
    Buffer.from(b.subarray(0, 4)).reverse().toString('hex') +
    Buffer.from(b.subarray(4, 6)).reverse().toString('hex') +
    Buffer.from(b.subarray(6, 8)).reverse().toString('hex') +
    b.subarray(8, 16).toString('hex');
  return formatUuid(hex);
}

export function expressServiceCodeFor(serviceTag: string): string {
  let value = 0n;
  for (const ch of serviceTag.toUpperCase()) value = value * 36n + BigInt(parseInt(ch, 36));
  return value.toString();
}
