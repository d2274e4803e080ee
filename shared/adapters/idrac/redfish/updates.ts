import { randomBytes } from 'node:crypto';
import {
  type FirmwareApplyTime,
  type FirmwareImage,
  type FirmwareUpdateMethod,
  type FirmwareUpdateOptions,
  type FirmwareUpdateStarted,
  IdracError,
  type ImageTransferProtocol,
} from '../../../ports/idrac';
import { at, str } from './json';
import { DELL_INSTALL, FIRMWARE_INVENTORY, SIMPLE_UPDATE, UPDATE_SERVICE } from './paths';
import { pathOf, type RedfishResponse, type RedfishSession } from './session';

const TRANSFER_PROTOCOLS: Record<string, ImageTransferProtocol> = { http: 'HTTP', https: 'HTTPS', nfs: 'NFS', cifs: 'CIFS', smb: 'CIFS' };

/** The JID a 202 names in its Location (`…/Tasks/JID_123`, `…/Jobs/JID_123`). */
function startedJob(
  address: string,
  response: RedfishResponse,
  method: FirmwareUpdateMethod,
  applyTime: FirmwareApplyTime | undefined,
): FirmwareUpdateStarted {
  const location = response.headers.location;
  const taskUri = pathOf(String(Array.isArray(location) ? location[0] : (location ?? '')));
  const jobId = decodeURIComponent(taskUri.split('?')[0]?.split('/').filter(Boolean).pop() ?? '');
  if (!/^[A-Z]+_\w+$/.test(jobId)) {
    throw new IdracError(
      'malformed_response',
      `iDRAC ${address} accepted the update but named no job (Location: ${taskUri || 'none'})`,
      address,
      { method },
    );
  }
  return { job_id: jobId, task_uri: taskUri, method, protocol: 'redfish', apply: applyTime === 'OnReset' ? 'on_reset' : 'immediate' };
}

function expectAccepted(session: RedfishSession, method: 'POST', path: string, response: RedfishResponse): void {
  if (response.status < 200 || response.status >= 300) throw session.httpError(method, path, response);
}

/** Inventory ids as Redfish Targets want them: the FirmwareInventory member's path. */
const targetPaths = (targets: string[] | undefined) =>
  targets?.map((t) => (t.startsWith('/redfish/') ? t : `${FIRMWARE_INVENTORY}/${encodeURIComponent(t)}`));

/** UpdateService.SimpleUpdate: the iDRAC fetches the image itself; 202 with a Location naming the job. */
export async function simpleUpdate(
  session: RedfishSession,
  address: string,
  image: Extract<FirmwareImage, { kind: 'uri' }>,
  options: FirmwareUpdateOptions,
): Promise<FirmwareUpdateStarted> {
  const scheme = /^([a-z]+):\/\//i.exec(image.uri)?.[1]?.toLowerCase();
  const protocol = image.transfer_protocol ?? (scheme ? TRANSFER_PROTOCOLS[scheme] : undefined);
  const body: Record<string, unknown> = { ImageURI: image.uri };
  if (protocol) body.TransferProtocol = protocol;
  if (options.applyTime) body['@Redfish.OperationApplyTime'] = options.applyTime;
  const targets = targetPaths(options.targets);
  if (targets?.length) body.Targets = targets;
  const response = await session.request('POST', SIMPLE_UPDATE, body);
  expectAccepted(session, 'POST', SIMPLE_UPDATE, response);
  return startedJob(address, response, 'redfish_simple_update', options.applyTime);
}

/** Where this iDRAC takes pushed images: MultipartHttpPushUri (iDRAC9 4.x+), else the older HttpPushUri. */
export async function pushTargets(session: RedfishSession): Promise<{ multipart?: string; http?: string }> {
  const service = await session.get(UPDATE_SERVICE);
  const multipart = str(service.MultipartHttpPushUri) || undefined;
  const http = str(service.HttpPushUri) || undefined;
  return { ...(multipart ? { multipart } : {}), ...(http ? { http } : {}) };
}

/** A multipart/form-data body streamed part by part, so a large DUP is never held twice in memory. */
function multipart(
  parts: Array<{ name: string; fileName?: string; type: string; content: Extract<FirmwareImage, { kind: 'upload' }> | string }>,
) {
  const boundary = `----eio${randomBytes(12).toString('hex')}`;
  async function* stream(): AsyncIterable<Uint8Array> {
    for (const part of parts) {
      const disposition = `form-data; name="${part.name}"${part.fileName ? `; filename="${part.fileName.replace(/"/g, '')}"` : ''}`;
      yield Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\nContent-Type: ${part.type}\r\n\r\n`);
      if (typeof part.content === 'string') yield Buffer.from(part.content);
      else if (part.content.content instanceof Uint8Array) yield part.content.content;
      else yield* part.content.content;
      yield Buffer.from('\r\n');
    }
    yield Buffer.from(`--${boundary}--\r\n`);
  }
  return { type: `multipart/form-data; boundary=${boundary}`, data: stream() };
}

/** Multipart HTTP push (Redfish 1.6+): UpdateParameters and the image in one POST; 202 with the job. */
export async function multipartPush(
  session: RedfishSession,
  address: string,
  uri: string,
  image: Extract<FirmwareImage, { kind: 'upload' }>,
  options: FirmwareUpdateOptions,
): Promise<FirmwareUpdateStarted> {
  const parameters: Record<string, unknown> = { Targets: targetPaths(options.targets) ?? [] };
  if (options.applyTime) parameters['@Redfish.OperationApplyTime'] = options.applyTime;
  const body = multipart([
    { name: 'UpdateParameters', type: 'application/json', content: JSON.stringify(parameters) },
    { name: 'UpdateFile', fileName: image.file_name, type: 'application/octet-stream', content: image },
  ]);
  const response = await session.send('POST', uri, body);
  expectAccepted(session, 'POST', uri, response);
  return startedJob(address, response, 'redfish_multipart_push', options.applyTime);
}

/**
 * The older push (iDRAC9 before 4.x): upload to HttpPushUri with the inventory's ETag (201, an `Available`
 * entry), then DellUpdateService.Install of that entry — Now, or NextReboot for apply time OnReset.
 */
export async function httpPush(
  session: RedfishSession,
  address: string,
  uri: string,
  image: Extract<FirmwareImage, { kind: 'upload' }>,
  options: FirmwareUpdateOptions,
): Promise<FirmwareUpdateStarted> {
  // The upload must name the inventory's current ETag (If-Match), as Dell's own scripts do.
  const etag = (await session.request('GET', uri)).headers.etag;
  const upload = multipart([{ name: 'file', fileName: image.file_name, type: 'application/octet-stream', content: image }]);
  const uploaded = await session.send('POST', uri, { ...upload, ...(typeof etag === 'string' ? { headers: { 'if-match': etag } } : {}) });
  expectAccepted(session, 'POST', uri, uploaded);
  const location = uploaded.headers.location;
  const available = pathOf(String(Array.isArray(location) ? location[0] : (location ?? ''))) || str(at(uploaded.json(), '@odata.id'));
  if (!available) throw new IdracError('malformed_response', `iDRAC ${address} took the image but named no inventory entry`, address);
  const installUpon = options.applyTime === 'OnReset' ? 'NextReboot' : 'Now';
  const response = await session.request('POST', DELL_INSTALL, { SoftwareIdentityURIs: [available], InstallUpon: installUpon });
  expectAccepted(session, 'POST', DELL_INSTALL, response);
  return startedJob(address, response, 'redfish_http_push', options.applyTime);
}
