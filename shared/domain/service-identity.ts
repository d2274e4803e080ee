import { z } from 'zod';
import { idSchema } from './ids';

export const TARGET_KINDS = ['idrac', 'vcenter'] as const;
export type TargetKind = (typeof TARGET_KINDS)[number];

/**
 * A service identity: the account EIO uses to reach iDRACs or vCenters. The record holds metadata and a
 * reference to the secret; the secret itself lives in the Secrets port and is never returned.
 */
export type ServiceIdentity = {
  id: string;
  name: string;
  description: string;
  target_kind: TargetKind;
  username: string;
  secret_ref: string;
  secret_updated_at: string;
  last_verification?: Verification;
  /** The credential rotation under way, if any (one at a time per identity). */
  rotation_id?: string;
  created_at: string;
  updated_at: string;
  created_by: string;
  version: number;
};

export type Verification = {
  /** `verified`: the target accepted the credential; `rejected`: it refused it; `unavailable`: could not try. */
  result: 'verified' | 'rejected' | 'unavailable';
  message: string;
  target?: string;
  checked_at: string;
};

const secret = z.string().min(1).max(4096);

export const ServiceIdentityCreate = z.strictObject({
  id: idSchema('service_identity').optional(),
  name: z.string().trim().min(1).max(128),
  description: z.string().max(1024).default(''),
  target_kind: z.enum(TARGET_KINDS),
  username: z.string().min(1).max(256),
  secret,
});
export type ServiceIdentityCreate = z.output<typeof ServiceIdentityCreate>;

export const ServiceIdentityUpdate = z
  .strictObject({
    name: z.string().trim().min(1).max(128).optional(),
    description: z.string().max(1024).optional(),
    username: z.string().min(1).max(256).optional(),
    version: z.number().int().positive().optional(),
  })
  .refine((u) => Object.keys(u).some((k) => k !== 'version'), { message: 'names no field to change' });
export type ServiceIdentityUpdate = z.output<typeof ServiceIdentityUpdate>;

export const ServiceIdentityRotate = z.strictObject({ secret: secret.optional() }).default({});

/** What the API shows: everything but the secret reference's internals. */
export const publicServiceIdentity = (si: ServiceIdentity) => {
  const { secret_ref: _ref, ...rest } = si;
  return { ...rest, has_secret: true };
};
