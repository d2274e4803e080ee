import {
  type FirmwareApplyTime,
  type FirmwareUpdateStarted,
  IdracError,
  type PowerResetResult,
  type ResetType,
} from '../../../ports/idrac';
import { redfishMessage, str } from './json';
import { LC_STATUS_ACTION, RESET_ACTION, SIMPLE_UPDATE } from './paths';
import { pathOf, type RedfishSession } from './session';

/** ComputerSystem.Reset. "Already on/off" (PSU501/PSU502) is the state the caller wanted: not a failure. */
export async function resetSystem(session: RedfishSession, resetType: ResetType): Promise<PowerResetResult> {
  const response = await session.request('POST', RESET_ACTION, { ResetType: resetType });
  if (response.status >= 200 && response.status < 300) return { outcome: 'accepted' };
  const { messageId, detail } = redfishMessage(response.text);
  if (response.status === 409 && /PSU50[12]$/.test(messageId ?? ''))
    return { outcome: 'already_in_state', ...(detail ? { message: detail } : {}) };
  throw session.httpError('POST', RESET_ACTION, response);
}

const TRANSFER_PROTOCOLS: Record<string, string> = { http: 'HTTP', https: 'HTTPS', nfs: 'NFS', cifs: 'CIFS', smb: 'CIFS', tftp: 'TFTP' };

/**
 * Dell asks to check the Lifecycle Controller before queuing work. Services without the action
 * (iDRAC7/8 Redfish) answer 4xx: nothing to check there.
 */
async function ensureReady(session: RedfishSession, address: string): Promise<void> {
  const response = await session.request('POST', LC_STATUS_ACTION, {});
  if (response.status >= 400 && response.status < 500) return;
  const body = response.json();
  const status = str(body.Status);
  if (status && status !== 'Ready') {
    throw new IdracError(
      'not_ready',
      `iDRAC ${address} Lifecycle Controller is not ready (${status}, LC ${str(body.LCStatus) || '?'}); try later`,
      address,
      {
        status,
        lc_status: str(body.LCStatus) || undefined,
        server_status: str(body.ServerStatus) || undefined,
      },
    );
  }
}

/** UpdateService.SimpleUpdate: 202 with a Location naming the job (`…/JID_123456789012`). */
export async function simpleUpdate(
  session: RedfishSession,
  address: string,
  imageUri: string,
  applyTime?: FirmwareApplyTime,
): Promise<FirmwareUpdateStarted> {
  await ensureReady(session, address);
  const scheme = /^([a-z]+):\/\//i.exec(imageUri)?.[1]?.toLowerCase();
  const protocol = scheme ? TRANSFER_PROTOCOLS[scheme] : undefined;
  const body: Record<string, unknown> = { ImageURI: imageUri };
  if (protocol) body.TransferProtocol = protocol;
  if (applyTime) body['@Redfish.OperationApplyTime'] = applyTime;
  const response = await session.request('POST', SIMPLE_UPDATE, body);
  if (response.status < 200 || response.status >= 300) throw session.httpError('POST', SIMPLE_UPDATE, response);
  const location = response.headers.location;
  const taskUri = pathOf(String(Array.isArray(location) ? location[0] : (location ?? '')));
  const jobId = decodeURIComponent(taskUri.split('?')[0]?.split('/').filter(Boolean).pop() ?? '');
  if (!/^[A-Z]+_\w+$/.test(jobId)) {
    throw new IdracError(
      'malformed_response',
      `iDRAC ${address} accepted the update but named no job (Location: ${taskUri || 'none'})`,
      address,
    );
  }
  return { job_id: jobId, task_uri: taskUri };
}
