/**
 * Changing a local account's password over Redfish (AccountService): find the account by UserName, then PATCH
 * its Password with the ETag just read as If-Match, so a change made meanwhile by someone else is not overwritten
 * blindly (412: read again, try once more).
 */
import { type AccountPasswordChange, IdracError } from '../../../ports/idrac';
import { at, type JsonObject, redfishMessage, str } from './json';
import type { RedfishSession } from './session';

export const ACCOUNTS = '/redfish/v1/AccountService/Accounts';

/** What an iDRAC says about a refused password, with the password itself masked should it ever be quoted. */
export const masked = (text: string | undefined, password: string) => (text ?? '').split(password).join('******');

type Found = { path: string; id: string; etag?: string };

async function findAccount(session: RedfishSession, address: string, username: string): Promise<Found> {
  const members = at(await session.get(ACCOUNTS), 'Members');
  for (const member of Array.isArray(members) ? members : []) {
    const path = str(at(member, '@odata.id'));
    if (!path) continue;
    // iDRAC7/8 expand nothing: one GET per slot (16 at most), which also gives the slot's ETag.
    const response = await session.request('GET', path);
    if (response.status < 200 || response.status >= 300) throw session.httpError('GET', path, response);
    const account: JsonObject = response.json();
    if (str(account.UserName) !== username) continue;
    const etag = response.headers.etag;
    return { path, id: str(account.Id) || path.split('/').pop() || path, etag: Array.isArray(etag) ? etag[0] : etag };
  }
  throw new IdracError('not_found', `iDRAC ${address} has no local account named '${username}'`, address);
}

export async function redfishSetAccountPassword(
  session: RedfishSession,
  address: string,
  username: string,
  password: string,
): Promise<AccountPasswordChange> {
  for (let attempt = 1; ; attempt++) {
    const account = await findAccount(session, address, username);
    const response = await session.send('PATCH', account.path, {
      type: 'application/json',
      data: JSON.stringify({ Password: password }),
      ...(account.etag ? { headers: { 'if-match': account.etag } } : {}),
    });
    if (response.status >= 200 && response.status < 300) return { protocol: 'redfish', account_id: account.id };
    if (response.status === 412 && attempt < 2) continue;
    if (response.status === 400) {
      const { messageId, detail } = redfishMessage(response.text);
      throw new IdracError(
        'password_refused',
        `iDRAC ${address} refused the new password for account ${account.id} (${username})${detail ? `: ${masked(detail, password)}` : ''}`,
        address,
        { account_id: account.id, ...(messageId ? { message_id: messageId } : {}) },
      );
    }
    throw session.httpError('PATCH', account.path, response);
  }
}
