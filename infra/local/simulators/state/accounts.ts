import { createHash } from 'node:crypto';

export type RoleId = 'Administrator' | 'Operator' | 'ReadOnly' | 'None';

export interface Account {
  id: string;
  userName: string;
  password: string;
  roleId: RoleId;
  enabled: boolean;
}

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
    return this.slots.find((a) => a.enabled && a.id !== '1' && a.userName === userName && a.password === password);
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

  update(id: string, patch: AccountPatch): Account {
    const account = this.get(id);
    if (!account) throw new Error(`no account ${id}`);
    Object.assign(account, patch);
    this.revision++;
    this.onChange?.(this.slots);
    return account;
  }
}
