/** iDRAC accounts as credential rotation sees them, for unit tests that fake the Idrac port. */
import {
  type AccountPasswordChange,
  type CredentialCheck,
  type Idrac,
  type IdracCredential,
  IdracError,
  type IdracTarget,
} from '../../shared/ports/idrac';

/** iDRACs as far as rotation sees them: one account each, a password, and what to do when asked to change it. */
export class FakeAccounts implements Pick<Idrac, 'setAccountPassword' | 'verifyCredential'> {
  readonly passwords = new Map<string, string>();
  readonly calls: string[] = [];
  readonly refusing = new Set<string>();
  readonly unreachable = new Set<string>();
  /** Called once a device took a new password. */
  afterChange: (address: string) => void = () => undefined;

  async setAccountPassword(target: IdracTarget, login: IdracCredential, _user: string, password: string): Promise<AccountPasswordChange> {
    const address = target.address;
    this.calls.push(address);
    if (this.unreachable.has(address)) throw new IdracError('unreachable', `iDRAC ${address} is unreachable`, address);
    if (this.passwords.get(address) !== login.password) throw new IdracError('credential_rejected', 'rejected', address);
    if (this.refusing.has(address)) throw new IdracError('password_refused', `iDRAC ${address} refused the new password`, address);
    this.passwords.set(address, password);
    this.afterChange(address);
    return { protocol: 'redfish', account_id: '2' };
  }

  async verifyCredential(target: IdracTarget, credential: IdracCredential): Promise<CredentialCheck> {
    if (this.unreachable.has(target.address)) throw new IdracError('unreachable', 'unreachable', target.address);
    const ok = this.passwords.get(target.address) === credential.password;
    return { result: ok ? 'ok' : 'rejected', protocol: 'redfish', message: ok ? 'accepted' : 'rejected' };
  }
}
