/** Roles in increasing order of power: each role can do everything the roles before it can. */
export const ROLES = ['viewer', 'operator', 'approver', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const isRole = (v: unknown): v is Role => typeof v === 'string' && (ROLES as readonly string[]).includes(v);

export const roleRank = (r: Role): number => ROLES.indexOf(r);

export const hasAtLeast = (actual: Role, least: Role): boolean => roleRank(actual) >= roleRank(least);

/** The strongest role named by a claim that may be a string, a space/comma list or an array (cognito:groups). */
export function roleFromClaim(claim: unknown): Role | undefined {
  const values = Array.isArray(claim) ? claim : typeof claim === 'string' ? claim.replace(/^\[|\]$/g, '').split(/[\s,]+/) : [];
  const roles = values.filter(isRole);
  return roles.sort((a, b) => roleRank(b) - roleRank(a))[0];
}
