import type { LifecycleControllerStatus } from '../../../ports/idrac';
import { IdracError } from '../../../ports/idrac';
import { str } from './json';
import { LC_STATUS_ACTION } from './paths';
import type { RedfishSession } from './session';

/**
 * DellLCService.GetRemoteServicesAPIStatus: Dell asks to check it before queuing work. Services without the
 * action (iDRAC7/8 Redfish answer 4xx) have nothing to check: ready.
 */
export async function lifecycleStatus(session: RedfishSession): Promise<LifecycleControllerStatus> {
  const response = await session.request('POST', LC_STATUS_ACTION, {});
  if (response.status >= 400 && response.status < 500) {
    return { ready: true, status: 'Ready', message: 'This iDRAC has no Lifecycle Controller status check', protocol: 'redfish' };
  }
  const body = response.json();
  const status = str(body.Status) || 'Ready';
  const lcStatus = str(body.LCStatus) || undefined;
  const serverStatus = str(body.ServerStatus) || undefined;
  return {
    ready: status === 'Ready',
    status,
    message: `Remote services ${status}; Lifecycle Controller ${lcStatus ?? 'unknown'}; server ${serverStatus ?? 'unknown'}`,
    ...(lcStatus ? { lc_status: lcStatus } : {}),
    ...(serverStatus ? { server_status: serverStatus } : {}),
    protocol: 'redfish',
  };
}

/** Throws 'not_ready' unless the Lifecycle Controller accepts jobs now. */
export function requireReady(address: string, status: LifecycleControllerStatus): void {
  if (status.ready) return;
  throw new IdracError('not_ready', `iDRAC ${address} Lifecycle Controller is not ready (${status.message}); try later`, address, {
    status: status.status,
    ...(status.lc_status ? { lc_status: status.lc_status } : {}),
    ...(status.server_status ? { server_status: status.server_status } : {}),
  });
}
