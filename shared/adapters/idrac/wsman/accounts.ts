/**
 * Changing a local account's password over WS-Man (iDRAC7/8 without a usable Redfish): the account's slot is the
 * `Users.<n>` group whose UserName attribute (DCIM_iDRACCardString) is the user; `DCIM_iDRACCardService.SetAttribute`
 * sets `Users.<n>#Password` on `iDRAC.Embedded.1`, which applies at once (no job, no reboot).
 */
import { type AccountPasswordChange, type IdracCredential, IdracError, type IdracTarget } from '../../../ports/idrac';
import { masked } from '../redfish/accounts';
import { escapeXml } from './envelope';
import { SERVICE_SELECTORS, type WsmanClient } from './wsman-client';
import { type CimValue, textOf } from './xml';

const text = (value: CimValue | undefined) => (typeof value === 'string' ? value : '');

export async function wsmanSetAccountPassword(
  wsman: WsmanClient,
  target: IdracTarget,
  port: number,
  credential: IdracCredential,
  username: string,
  password: string,
  pageSize: number,
): Promise<AccountPasswordChange> {
  const address = target.address;
  const strings = await wsman.enumerate(target, port, credential, 'DCIM_iDRACCardString', pageSize);
  const slot = strings.find(
    (s) => text(s.AttributeName) === 'UserName' && text(s.CurrentValue) === username && /^Users\.\d+$/.test(text(s.GroupID)),
  );
  if (!slot) throw new IdracError('not_found', `iDRAC ${address} has no local account named '${username}'`, address);
  const group = text(slot.GroupID);
  const accountId = group.slice('Users.'.length);
  const input =
    '<p:Target>iDRAC.Embedded.1</p:Target>' +
    `<p:AttributeName>${escapeXml(`${group}#Password`)}</p:AttributeName>` +
    `<p:AttributeValue>${escapeXml(password)}</p:AttributeValue>`;
  const out = await wsman.invoke(
    target,
    port,
    credential,
    'DCIM_iDRACCardService',
    SERVICE_SELECTORS.DCIM_iDRACCardService,
    'SetAttribute',
    input,
  );
  if (textOf(out.ReturnValue) === '0') return { protocol: 'wsman', account_id: accountId };
  const messageId = textOf(out.MessageID);
  const message = textOf(out.Message);
  throw new IdracError(
    'password_refused',
    `iDRAC ${address} refused the new password for account ${accountId} (${username})${message ? `: ${masked(message, password)}` : ''}`,
    address,
    { account_id: accountId, ...(messageId ? { message_id: messageId } : {}) },
  );
}
