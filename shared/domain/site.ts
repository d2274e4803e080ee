import { z } from 'zod';
import { checkCidr } from './cidr';
import { idSchema } from './ids';

/** A site: one data centre or lab, with the management networks its iDRACs and hosts live on. */
export type Site = {
  id: string;
  name: string;
  description: string;
  management_networks: string[];
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

export const SiteCreate = z.strictObject({
  id: idSchema('site').optional(),
  name: z.string().trim().min(1).max(128),
  description: z.string().max(1024).default(''),
  management_networks: networks.default([]),
});
export type SiteCreate = z.output<typeof SiteCreate>;

export const SiteUpdate = z
  .strictObject({
    name: z.string().trim().min(1).max(128).optional(),
    description: z.string().max(1024).optional(),
    management_networks: networks.optional(),
    /** Optional optimistic lock: the update applies only if the site is still at this version. */
    version: z.number().int().positive().optional(),
  })
  .refine((u) => Object.keys(u).some((k) => k !== 'version'), { message: 'names no field to change' });
export type SiteUpdate = z.output<typeof SiteUpdate>;
