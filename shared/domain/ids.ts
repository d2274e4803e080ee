import { randomBytes } from 'node:crypto';
import { z } from 'zod';

/** Every record id carries its kind as a prefix, so `site-001` or `vc-001` from the runbook exist as written. */
export const ID_PREFIX = {
  site: 'site',
  service_identity: 'si',
  vcenter_instance: 'vc',
  dell_endpoint: 'idrac',
  job: 'job',
  step: 'step',
  approval: 'appr',
  policy: 'pol',
  sync_run: 'sync',
  discovery_run: 'disc',
  ip_prefix: 'pfx',
  ip_exception: 'ipx',
  firmware_baseline: 'fwb',
  credential_rotation: 'rot',
} as const;
export type IdKind = keyof typeof ID_PREFIX;

const SUFFIX = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** A new id: prefix plus a time-ordered random suffix (sorts by creation time, never collides in practice). */
export function newId(kind: IdKind, now = Date.now()): string {
  return `${idFloor(kind, now)}${randomBytes(5).toString('hex')}`;
}

/** The smallest id of this kind `newId` makes at `at` or later: a sort key bound for "created since". */
export const idFloor = (kind: IdKind, at: number): string => `${ID_PREFIX[kind]}-${Math.max(0, at).toString(36).padStart(9, '0')}`;

/** zod schema for a client-chosen id of the given kind: `site-001`, `si-lab-a`, ... */
export function idSchema(kind: IdKind) {
  const prefix = ID_PREFIX[kind];
  return z.string().refine((v) => v.startsWith(`${prefix}-`) && SUFFIX.test(v.slice(prefix.length + 1)), {
    message: `must look like '${prefix}-<lowercase letters, digits or dashes>' (at most ${prefix.length + 64} characters)`,
  });
}
