/**
 * IPAM exceptions: "this is known and fine" (the runbook's "add exception for known multi-homed hosts"),
 * with an owner, a reason, a scope (one address, one entity, or a prefix) and an expiry. An exception
 * suppresses the findings it matches while it is active; once expired it stops applying and is listed as
 * expired. Suppression is decided when findings are read, against the clock, so expiry needs no sweep.
 */
import { z } from 'zod';
import { idSchema } from '../ids';
import { addressKey, inPrefix, parsePrefix } from './addresses';
import { FINDING_TYPES, type Finding } from './findings';
import { IpAddressText, PrefixText } from './schemas';

export const ExceptionScope = z.discriminatedUnion('type', [
  z.object({ type: z.literal('address'), value: IpAddressText }),
  z.object({ type: z.literal('entity'), value: z.string().min(1).max(300) }),
  z.object({ type: z.literal('prefix'), value: PrefixText.transform((p) => p.cidr) }),
]);
export type ExceptionScope = z.output<typeof ExceptionScope>;

export const ExceptionCreate = z.object({
  id: idSchema('ip_exception').optional(),
  owner: z.string().trim().min(1).max(200),
  reason: z.string().trim().min(1).max(2000),
  scope: ExceptionScope,
  finding_types: z.array(z.enum(FINDING_TYPES)).min(1).optional(),
  expires_at: z.iso.datetime({ offset: true }),
});

export const ExceptionFilter = z.object({ status: z.enum(['active', 'expired']).optional() });

export type IpException = {
  id: string;
  owner: string;
  reason: string;
  scope: ExceptionScope;
  /** Finding types it applies to; all when absent. */
  finding_types?: (typeof FINDING_TYPES)[number][];
  expires_at: string;
  created_by: string;
  created_at: string;
  version: number;
};

export const exceptionStatus = (e: Pick<IpException, 'expires_at'>, now: number): 'active' | 'expired' =>
  Date.parse(e.expires_at) > now ? 'active' : 'expired';

/** Whether the exception, active at `now`, covers the finding. An entity scope matches its id or any `<source>/<ref>` it was seen as. */
export function exceptionMatches(e: IpException, f: Pick<Finding, 'type' | 'address' | 'entities'>, now: number): boolean {
  if (exceptionStatus(e, now) !== 'active') return false;
  if (e.finding_types && !e.finding_types.includes(f.type)) return false;
  if (e.scope.type === 'address') return e.scope.value === f.address;
  if (e.scope.type === 'entity') {
    const value = e.scope.value;
    return f.entities.some((en) => en.id === value || en.seen_as.some((s) => s === value || s.endsWith(`/${value}`)));
  }
  const p = parsePrefix(e.scope.value);
  return p.ok && inPrefix(p.prefix, addressKey(f.address));
}

/** The first active exception covering the finding, if any. */
export const suppressingException = (exceptions: readonly IpException[], f: Pick<Finding, 'type' | 'address' | 'entities'>, now: number) =>
  exceptions.find((e) => exceptionMatches(e, f, now));
