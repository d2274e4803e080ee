import { randomBytes } from 'node:crypto';
import type { Account } from './accounts';

export interface Session {
  id: string;
  token: string;
  userName: string;
  accountId: string;
  origin: string;
  lastUsed: number;
}

/**
 * Redfish sessions with the iDRAC's concurrent-session limit: past it, login fails until one is deleted
 * or times out, which is why clients must log out.
 */
export class SessionStore {
  private readonly sessions = new Map<string, Session>();
  private nextId = 1;

  constructor(
    readonly limit: number,
    readonly timeoutMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  create(account: Account, origin: string): Session | undefined {
    this.expire();
    if (this.sessions.size >= this.limit) return undefined;
    const session: Session = {
      id: String(this.nextId++),
      token: randomBytes(16).toString('hex'),
      userName: account.userName,
      accountId: account.id,
      origin,
      lastUsed: this.now(),
    };
    this.sessions.set(session.id, session);
    return session;
  }

  byToken(token: string): Session | undefined {
    this.expire();
    for (const session of this.sessions.values()) {
      if (session.token === token) {
        session.lastUsed = this.now();
        return session;
      }
    }
    return undefined;
  }

  get(id: string): Session | undefined {
    this.expire();
    return this.sessions.get(id);
  }

  list(): Session[] {
    this.expire();
    return [...this.sessions.values()];
  }

  delete(id: string): boolean {
    return this.sessions.delete(id);
  }

  /** An iDRAC reset drops every session. */
  clear(): void {
    this.sessions.clear();
  }

  private expire(): void {
    const cutoff = this.now() - this.timeoutMs;
    for (const [id, session] of this.sessions) if (session.lastUsed < cutoff) this.sessions.delete(id);
  }
}
