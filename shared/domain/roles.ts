/** Roles in increasing order of power: each role can do everything the roles before it can. */
export const ROLES = ['viewer', 'operator', 'approver', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const isRole = (v: unknown): v is Role => typeof v === 'string' && (ROLES as readonly string[]).includes(v);

export const roleRank = (r: Role): number => ROLES.indexOf(r);

export const hasAtLeast = (actual: Role, least: Role): boolean => roleRank(actual) >= roleRank(least);

/**
 * The strongest role a role claim names. The claim is read strictly, in the three forms tokens carry it:
 * one role name (`"operator"`), an array of names (`["viewer", "approver"]`, as cognito:groups), or API
 * Gateway's rendering of such an array in the claims it passes on (`"[viewer approver]"`). Names match
 * exactly (case included); names that are not EIO roles are ignored; any other shape names no role.
 */
export function roleFromClaim(claim: unknown): Role | undefined {
  const gatewayArray = typeof claim === 'string' ? /^\[([^\][]*)\]$/.exec(claim) : null;
  const values = Array.isArray(claim)
    ? claim
    : gatewayArray
      ? gatewayArray[1]!.split(' ').filter(Boolean)
      : typeof claim === 'string'
        ? [claim]
        : [];
  const roles = values.filter(isRole);
  return roles.sort((a, b) => roleRank(b) - roleRank(a))[0];
}

/**
 * One person's identity as four-eyes compares it: `Bob`, ` bob ` and `bob` are the same requester. Unicode
 * compatibility forms fold too (NFKC), so a full-width or ligature spelling is not a second person.
 */
export const sameIdentity = (a: string, b: string): boolean => normalIdentity(a) === normalIdentity(b);

export const normalIdentity = (s: string): string => s.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();
