import { z } from 'zod';
import { checkCidr, checkExclusion } from './cidr';
import { idSchema } from './ids';

/** A site: one data centre or lab, with the management networks its iDRACs and hosts live on. */
export type Site = {
  id: string;
  name: string;
  description: string;
  management_networks: string[];
  /** Default credential for the site's iDRACs (an endpoint may name its own). */
  idrac_service_identity_id?: string;
  /** Pin the certificate an iDRAC presents the first time it is probed, when it has no pin or CA yet. */
  trust_on_first_use: boolean;
  /** Lab overrides for the iDRACs' ports (simulators cannot all sit on 443 / 5986). */
  redfish_port?: number;
  wsman_port?: number;
  /** Addresses, CIDRs and ranges discovery never probes, even when an endpoint is registered there. */
  discovery_exclusions?: string[];
  created_at: string;
  updated_at: string;
  created_by: string;
  version: number;
};

const cidr = z.string().transform((value, ctx) => {
  const check = checkCidr(value);
  if (!check.ok) {
    ctx.addIssue({ code: 'custom', message: check.reason });
    return z.NEVER;
  }
  return check.cidr;
});

const networks = z
  .array(cidr)
  .max(64)
  .refine((list) => new Set(list).size === list.length, { message: 'lists the same network twice' });

const port = z.number().int().min(1).max(65535);

const exclusion = z.string().transform((value, ctx) => {
  const check = checkExclusion(value);
  if (!check.ok) {
    ctx.addIssue({ code: 'custom', message: check.reason });
    return z.NEVER;
  }
  return check.entry;
});
const exclusions = z
  .array(exclusion)
  .max(256)
  .refine((list) => new Set(list).size === list.length, { message: 'lists the same exclusion twice' });

export const SiteCreate = z.strictObject({
  id: idSchema('site').optional(),
  name: z.string().trim().min(1).max(128),
  description: z.string().max(1024).default(''),
  management_networks: networks.default([]),
  idrac_service_identity_id: idSchema('service_identity').optional(),
  trust_on_first_use: z.boolean().default(false),
  redfish_port: port.optional(),
  wsman_port: port.optional(),
  discovery_exclusions: exclusions.optional(),
});
export type SiteCreate = z.output<typeof SiteCreate>;

export const SiteUpdate = z
  .strictObject({
    name: z.string().trim().min(1).max(128).optional(),
    description: z.string().max(1024).optional(),
    management_networks: networks.optional(),
    /** `null` removes the site's default iDRAC credential. */
    idrac_service_identity_id: idSchema('service_identity').nullable().optional(),
    trust_on_first_use: z.boolean().optional(),
    redfish_port: port.nullable().optional(),
    wsman_port: port.nullable().optional(),
    /** Replaces the list; `[]` clears it. */
    discovery_exclusions: exclusions.optional(),
    /** Optional optimistic lock: the update applies only if the site is still at this version. */
    version: z.number().int().positive().optional(),
  })
  .refine((u) => Object.keys(u).some((k) => k !== 'version'), { message: 'names no field to change' });
export type SiteUpdate = z.output<typeof SiteUpdate>;
