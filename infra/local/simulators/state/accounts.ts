import { createHash, randomBytes } from 'node:crypto';

export type RoleId = 'Administrator' | 'Operator' | 'ReadOnly' | 'None';

export interface Account {
  id: string;
  userName: string;
  password: string;
  /** Set instead of `password` for a password restored from saved state (salted SHA-256, see digestOf). */
  passwordDigest?: string;
  roleId: RoleId;
  enabled: boolean;
}

/** What a device keeps of a password, as `<salt>:<hex>`: saved state never holds the password itself. */
export const digestOf = (password: string, salt = randomBytes(8).toString('hex')) =>
  `${salt}:${createHash('sha256').update(`${salt}:${password}`).digest('hex')}`;

const passwordMatches = (account: Account, password: string) =>
  account.passwordDigest
    ? digestOf(password, account.passwordDigest.split(':')[0]) === account.passwordDigest
    : account.password === password;

export interface Credentials {
  username: string;
  password: string;
}

export type AccountPatch = Partial<Pick<Account, 'userName' | 'password' | 'roleId' | 'enabled'>>;

const SLOTS = 16;
export const MAX_PASSWORD_LENGTH = 40; // AccountService.MaxPasswordLength in the capture

/**
 * iDRAC-style local users: 16 fixed slots, slot 1 reserved (anonymous, disabled), slot 2 the factory user.
 * Shared by the Redfish and WS-Man front ends, so a password changed over Redfish also gates WS-Man.
 */
export class AccountStore {
  private readonly slots: Account[];
  private revision = 1;
  /**
   * Fault injection for credential rotation: while set, every password change is refused with this reason
   * (a password policy the new password does not meet), over Redfish and WS-Man alike.
   */
  refusePasswordChanges: string | undefined;
  /** Called after every change (the demo lab keeps its iDRACs' passwords across restarts with it). */
  onChange: ((accounts: readonly Account[]) => void) | undefined;

  constructor(primary: Credentials, extra: Array<Omit<Account, 'id'>> = []) {
    this.slots = Array.from({ length: SLOTS }, (_, i) => ({
      id: String(i + 1),
      userName: '',
      password: '',
      roleId: 'None' as RoleId,
      enabled: false,
    }));
    Object.assign(this.slots[1]!, { userName: primary.username, password: primary.password, roleId: 'Administrator', enabled: true });
    for (const [i, account] of extra.entries()) Object.assign(this.slots[2 + i]!, account);
  }

  authenticate(userName: string, password: string): Account | undefined {
    return this.slots.find((a) => a.enabled && a.id !== '1' && a.userName === userName && passwordMatches(a, password));
  }

  list(): readonly Account[] {
    return this.slots;
  }

  get(id: string): Account | undefined {
    return this.slots.find((a) => a.id === id);
  }

  /** ETag per account: changes whenever any account changes (what If-Match is checked against). */
  etag(id: string): string {
    return `"${createHash('sha1').update(`${id}:${this.revision}`).digest('hex').slice(0, 12)}"`;
  }

  /** The saved form of each account's password (slot id → digest). */
  digests(): Record<string, string> {
    return Object.fromEntries(this.slots.map((a) => [a.id, a.passwordDigest ?? digestOf(a.password)]));
  }

  /** Restores passwords saved with `digests()`, as a device keeps them across a power cycle. */
  restoreDigests(saved: Record<string, string>): void {
    for (const [id, digest] of Object.entries(saved)) {
      const account = this.get(id);
      if (account) Object.assign(account, { password: '', passwordDigest: digest });
    }
    this.revision++;
  }

  update(id: string, patch: AccountPatch): Account {
    const account = this.get(id);
    if (!account) throw new Error(`no account ${id}`);
    Object.assign(account, patch);
    if (patch.password !== undefined) delete account.passwordDigest;
    this.revision++;
    this.onChange?.(this.slots);
    return account;
  }
}
