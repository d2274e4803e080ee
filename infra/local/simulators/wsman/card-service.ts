/**
 * DCIM_iDRACCardService.SetAttribute as iDRAC7/8 answer it, for the attribute credential rotation sets:
 * `Users.<n>#Password` on `iDRAC.Embedded.1`. It applies at once, to WS-Man and Redfish alike (one account store).
 * An administrator (ConfigureUsers) may set any slot's password, a user their own.
 */
import { allowed } from '../redfish/auth';
import type { Account } from '../state/accounts';
import type { SimulatedHost } from '../state/host';
import { elementText, escapeXml } from './xml';

export const CARD_SERVICE_URI = 'http://schemas.dell.com/wbem/wscim/1/cim-schema/2/DCIM_iDRACCardService';
/** iDRAC8 accepts passwords of up to 20 characters. */
const MAX_PASSWORD = 20;

/** The `SetAttribute_OUTPUT` elements for the input in `body`; the change applies at once. */
export function setAttribute(host: SimulatedHost, caller: Account, body: string): string {
  const o = outcome(host, caller, {
    target: elementText(body, 'Target'),
    name: elementText(body, 'AttributeName'),
    value: elementText(body, 'AttributeValue'),
  });
  const applied = o.returnValue === '0' ? '<n1:RebootRequired>No</n1:RebootRequired><n1:SetResult>Set CurrentValue</n1:SetResult>' : '';
  return (
    `<n1:Message>${escapeXml(o.message)}</n1:Message><n1:MessageID>${o.messageId}</n1:MessageID>${applied}` +
    `<n1:ReturnValue>${o.returnValue}</n1:ReturnValue>`
  );
}

type Outcome = { returnValue: '0' | '2'; message: string; messageId: string };

function outcome(host: SimulatedHost, caller: Account, input: { target?: string; name?: string; value?: string }): Outcome {
  const slot = /^Users\.(\d+)#Password$/.exec(input.name ?? '')?.[1];
  if (input.target !== 'iDRAC.Embedded.1' || !slot || !host.accounts.get(slot) || slot === '1')
    return { returnValue: '2', message: 'Invalid AttributeName or Target', messageId: 'RAC014' };
  if (!(allowed(caller, 'ConfigureUsers') || caller.id === slot))
    return { returnValue: '2', message: 'User does not have sufficient privileges to perform the operation', messageId: 'RAC003' };
  const value = input.value ?? '';
  if (value.length === 0 || value.length > MAX_PASSWORD || host.accounts.refusePasswordChanges)
    return { returnValue: '2', message: 'Invalid AttributeValue for the password attribute', messageId: 'RAC947' };
  host.accounts.update(slot, { password: value });
  return { returnValue: '0', message: 'Command successful', messageId: 'RAC1017' };
}
