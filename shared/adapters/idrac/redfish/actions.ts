import type { PowerResetResult, RebootMode, RebootStarted, ResetType } from '../../../ports/idrac';
import { redfishMessage } from './json';
import { RESET_ACTION } from './paths';
import type { RedfishSession } from './session';

/** ComputerSystem.Reset. "Already on/off" (PSU501/PSU502) is the state the caller wanted: not a failure. */
export async function resetSystem(session: RedfishSession, resetType: ResetType): Promise<PowerResetResult> {
  const response = await session.request('POST', RESET_ACTION, { ResetType: resetType });
  if (response.status >= 200 && response.status < 300) return { outcome: 'accepted' };
  const { messageId, detail } = redfishMessage(response.text);
  if (response.status === 409 && /PSU50[12]$/.test(messageId ?? ''))
    return { outcome: 'already_in_state', ...(detail ? { message: detail } : {}) };
  throw session.httpError('POST', RESET_ACTION, response);
}

// Redfish has no "graceful, then force": the iDRAC is asked for a graceful restart and the caller forces one
// (powerReset ForceRestart) when the server has not gone down in its time.
const RESET_FOR: Record<RebootMode, ResetType> = {
  graceful: 'GracefulRestart',
  graceful_then_forced: 'GracefulRestart',
  power_cycle: 'PowerCycle',
};

/** A reset applies every job staged for it; a server that is off ("already off") is powered on, which does too. */
export async function resetToApply(session: RedfishSession, mode: RebootMode): Promise<RebootStarted> {
  const result = await resetSystem(session, RESET_FOR[mode]);
  if (result.outcome === 'accepted') return { method: 'redfish_reset', outcome: 'rebooting' };
  await resetSystem(session, 'On');
  return { method: 'redfish_reset', outcome: 'powered_on' };
}
