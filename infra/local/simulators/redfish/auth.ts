import type { SimRequest } from '../net/http-types';
import type { Account, RoleId } from '../state/accounts';
import type { SimulatedHost } from '../state/host';
import type { Session } from '../state/sessions';
import { type RedfishResult, redfishError } from './result';
import type { Privilege } from './router';

export interface Principal {
  account: Account;
  session?: Session;
}

// Advertised like iDRAC9 before 7.30 (HTTPBasicAuth "Enabled"): clients may fall back to basic auth.
const CHALLENGE = { 'www-authenticate': 'Basic realm="RedfishService"' };

/** X-Auth-Token first, then HTTP basic; anything else is a 401 with an iDRAC-shaped body. */
export function authenticate(req: SimRequest, host: SimulatedHost): Principal | RedfishResult {
  const token = header(req, 'x-auth-token');
  if (token !== undefined) {
    const session = host.sessions.byToken(token);
    const account = session ? host.accounts.get(session.accountId) : undefined;
    if (!session || !account?.enabled) return redfishError(401, 'Base.NoValidSession');
    return { account, session };
  }
  const authorization = header(req, 'authorization');
  if (authorization?.toLowerCase().startsWith('basic ')) {
    const decoded = Buffer.from(authorization.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const account = colon > 0 ? host.accounts.authenticate(decoded.slice(0, colon), decoded.slice(colon + 1)) : undefined;
    if (!account) return redfishError(401, 'SYS415', [], CHALLENGE);
    return { account };
  }
  return redfishError(401, 'Base.AccessDenied', [req.path], CHALLENGE);
}

const GRANTS: Record<RoleId, Privilege[]> = {
  Administrator: ['Login', 'ConfigureComponents', 'ConfigureManager', 'ConfigureUsers'],
  Operator: ['Login', 'ConfigureComponents'],
  ReadOnly: ['Login'],
  None: [],
};

export function allowed(account: Account, privilege: Privilege): boolean {
  return GRANTS[account.roleId].includes(privilege);
}

export function header(req: SimRequest, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
