import type { SimulatedHost } from '../../state/host';
import type { CimValue } from '../xml';

/**
 * DCIM_iDRACCardString, the part credential rotation reads: each user slot's UserName and Password attributes
 * (group `Users.<n>`). The iDRAC never shows a password: its CurrentValue is nil.
 */
export function idracCardString(host: SimulatedHost): Array<Record<string, CimValue>> {
  return host.accounts.list().flatMap((account) =>
    (['UserName', 'Password'] as const).map((attribute) => ({
      AttributeDisplayName: attribute === 'UserName' ? 'User Name' : 'Password',
      AttributeName: attribute,
      CurrentValue: attribute === 'UserName' ? account.userName : null,
      DefaultValue: null,
      FQDD: 'iDRAC.Embedded.1',
      GroupDisplayName: 'Users',
      GroupID: `Users.${account.id}`,
      InstanceID: `iDRAC.Embedded.1#Users.${account.id}#${attribute}`,
      IsReadOnly: account.id === '1' ? 'true' : 'false',
      MaxLength: attribute === 'UserName' ? 16 : 20,
      MinLength: 0,
    })),
  );
}
