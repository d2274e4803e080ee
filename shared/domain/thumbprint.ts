/**
 * A certificate's SHA-256 thumbprint in one canonical form: upper-case hex pairs joined by colons, as Node's
 * `fingerprint256` and vSphere print it. Pins are stored and compared in this form, whatever the operator typed.
 */
export function normalizeThumbprint(thumbprint: string): string {
  const hex = thumbprint.replace(/[^0-9a-fA-F]/g, '').toUpperCase();
  return hex.match(/../g)?.join(':') ?? '';
}
