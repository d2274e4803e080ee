import { fixture, type Json, render } from '../../fixtures/load';
import { type Account, type AccountPatch, MAX_PASSWORD_LENGTH, type RoleId } from '../../state/accounts';
import { allowed, header } from '../auth';
import { members, ok, type RedfishResult, redfishError, successInfo } from '../result';
import type { RouteContext, RouteDef } from '../router';

const SERVICE = '/redfish/v1/AccountService';
const ACCOUNTS = `${SERVICE}/Accounts`;
const ROLES: RoleId[] = ['Administrator', 'Operator', 'ReadOnly', 'None'];
const WRITABLE = new Set(['UserName', 'Password', 'RoleId', 'Enabled']);

interface AccountsFixture {
  accountService: Json;
  accountCollection: Json;
  account: Json;
}

const templates = () => fixture<AccountsFixture>('redfish/accounts.json');

function accountResource(account: Account): Json {
  return render(templates().account, {
    Id: account.id,
    Enabled: account.enabled,
    RoleId: account.roleId,
    RoleName: account.roleId,
    UserName: account.userName,
  });
}

/**
 * PATCH an account. A user may change their own password with Login privilege (iDRAC "ConfigureSelf");
 * anything else needs ConfigureUsers. The new password gates basic auth and new sessions at once.
 */
function patchAccount({ host, params, json, account: caller, req }: RouteContext): RedfishResult {
  const target = host.accounts.get(params.id ?? '');
  if (!target) return redfishError(404, 'SYS403', [req.path]);
  const ifMatch = header(req, 'if-match');
  if (ifMatch !== undefined && ifMatch !== host.accounts.etag(target.id)) return redfishError(412, 'Base.PreconditionFailed');
  const body = json();
  if (body === null || body === undefined || typeof body !== 'object') return redfishError(400, 'Base.MalformedJSON');
  for (const key of Object.keys(body)) {
    if (!WRITABLE.has(key)) return redfishError(400, key === 'Id' ? 'Base.PropertyNotWritable' : 'Base.PropertyUnknown', [key]);
  }
  const selfPassword = caller?.id === target.id && Object.keys(body).every((k) => k === 'Password');
  if (!caller || !(selfPassword || allowed(caller, 'ConfigureUsers'))) return redfishError(403, 'Base.InsufficientPrivilege');
  if (target.id === '1') return redfishError(400, 'Base.PropertyNotWritable', ['UserName']);

  const patch: AccountPatch = {};
  const { Password, UserName, RoleId, Enabled } = body;
  if (Password !== undefined) {
    if (typeof Password !== 'string' || Password.length > MAX_PASSWORD_LENGTH || host.accounts.refusePasswordChanges) {
      return redfishError(400, 'Base.PropertyValueFormatError', ['******', 'Password']);
    }
    patch.password = Password;
  }
  if (UserName !== undefined) {
    if (typeof UserName !== 'string' || UserName.length === 0 || UserName.length > 16) {
      return redfishError(400, 'Base.PropertyValueFormatError', [String(UserName), 'UserName']);
    }
    patch.userName = UserName;
  }
  if (RoleId !== undefined) {
    if (!ROLES.includes(RoleId as RoleId)) return redfishError(400, 'Base.PropertyValueNotInList', [String(RoleId), 'RoleId']);
    patch.roleId = RoleId as RoleId;
  }
  if (Enabled !== undefined) {
    if (typeof Enabled !== 'boolean') return redfishError(400, 'Base.PropertyValueFormatError', [String(Enabled), 'Enabled']);
    patch.enabled = Enabled;
  }
  const updated = host.accounts.update(target.id, patch);
  return successInfo(200, 'Base.Success', { etag: host.accounts.etag(updated.id) });
}

export function accountRoutes(): RouteDef[] {
  return [
    {
      method: 'GET',
      pattern: SERVICE,
      handler: ({ host }) => ok(render(templates().accountService, { ETag: host.accounts.etag('service') })),
    },
    {
      method: 'GET',
      pattern: ACCOUNTS,
      handler: ({ host }) => {
        const paths = host.accounts.list().map((a) => `${ACCOUNTS}/${a.id}`);
        return ok(render(templates().accountCollection, { Members: members(paths), MembersCount: paths.length }));
      },
    },
    {
      method: 'GET',
      pattern: `${ACCOUNTS}/:id`,
      handler: ({ host, params, req }) => {
        const account = host.accounts.get(params.id ?? '');
        return account ? ok(accountResource(account), { etag: host.accounts.etag(account.id) }) : redfishError(404, 'SYS403', [req.path]);
      },
    },
    // Privilege is checked inside: changing one's own password needs only Login.
    { method: 'PATCH', pattern: `${ACCOUNTS}/:id`, handler: patchAccount },
  ];
}
