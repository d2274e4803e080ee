import { fixture, type Json, render } from '../../fixtures/load';
import type { RedfishFlavor } from '../../identity/profiles';
import type { InventoryEntry } from '../../state/firmware';
import type { ApplyTime } from '../../state/jobs';
import { resolvePackage } from '../../state/packages';
import { header } from '../auth';
import { members, ok, type RedfishResult, redfishError, successInfo } from '../result';
import type { RouteContext, RouteDef } from '../router';

const SERVICE = '/redfish/v1/UpdateService';
const INVENTORY = `${SERVICE}/FirmwareInventory`;
const SIMPLE_UPDATE = 'UpdateService.SimpleUpdate';
const PROTOCOLS = ['HTTP', 'NFS', 'CIFS', 'TFTP', 'HTTPS'];
const APPLY_TIMES: ApplyTime[] = ['Immediate', 'OnReset', 'OnStartUpdateRequest'];
const INSTALL_UPON: Record<string, { applyTime: ApplyTime; rebootHost: boolean }> = {
  Now: { applyTime: 'Immediate', rebootHost: false },
  NowAndReboot: { applyTime: 'Immediate', rebootHost: true },
  NextReboot: { applyTime: 'OnReset', rebootHost: false },
};

interface UpdateFixture {
  updateService: Json;
  firmwareInventory: Json;
  softwareInventory: Json;
}

const templates = () => fixture<UpdateFixture>('redfish/update-service.json');

const DELL_STATUS: Record<InventoryEntry['kind'], string> = {
  Installed: 'Installed',
  Current: 'AvailableForInstallation',
  Previous: 'AvailableForInstallation',
  Available: 'AvailableForInstallation',
};

export function inventoryEntryResource(entry: InventoryEntry): Json {
  const c = entry.component;
  const [major, minor, revision, build] = entry.version.split('.').map((part) => Number.parseInt(part, 10) || 0);
  return render(templates().softwareInventory, {
    Id: entry.id,
    Name: c.name,
    ReleaseDate: c.releaseDate,
    SoftwareId: c.softwareId,
    Version: entry.version,
    DellInventoryId: `DCIM:${entry.kind.toUpperCase()}_0x23_${c.dellInventorySuffix}`,
    BuildNumber: build ?? 0,
    Classifications: c.classifications,
    ComponentType: c.componentType,
    IdentityType: c.identityType,
    InstallationDate: entry.kind === 'Installed' ? c.installationDate : 'NA',
    MajorVersion: major ?? 0,
    MinorVersion: minor ?? 0,
    RevisionNumber: revision ?? 0,
    DellStatus: DELL_STATUS[entry.kind],
    ImpactsTpm: c.impactsTpm,
  });
}

/** 202 with the task to poll, as iDRAC9 answers SimpleUpdate and DellUpdateService.Install. */
function accepted(jobId: string): RedfishResult {
  return successInfo(202, 'Base.Success', { location: `/redfish/v1/TaskService/Tasks/${jobId}` });
}

function simpleUpdate({ host, json }: RouteContext): RedfishResult {
  if (host.lifecycleBusy) return redfishError(400, 'RAC0508');
  const body = json();
  if (body === null) return redfishError(400, 'Base.MalformedJSON');
  const imageUri = body?.ImageURI;
  if (typeof imageUri !== 'string' || imageUri === '') return redfishError(400, 'Base.ActionParameterMissing', [SIMPLE_UPDATE, 'ImageURI']);
  const protocol = body?.TransferProtocol;
  if (protocol !== undefined && !PROTOCOLS.includes(String(protocol))) {
    return redfishError(400, 'Base.ActionParameterValueNotInList', [String(protocol), 'TransferProtocol', SIMPLE_UPDATE]);
  }
  const scheme = /^([a-z]+):\/\//i.exec(imageUri)?.[1]?.toUpperCase();
  if (scheme && !PROTOCOLS.includes(scheme)) return redfishError(400, 'RED015');
  const applyTime = body?.['@Redfish.OperationApplyTime'] ?? 'Immediate';
  if (!APPLY_TIMES.includes(applyTime as ApplyTime)) {
    return redfishError(400, 'Base.ActionParameterValueNotInList', [String(applyTime), '@Redfish.OperationApplyTime', SIMPLE_UPDATE]);
  }
  const targets = Array.isArray(body?.Targets) ? body.Targets.filter((t): t is string => typeof t === 'string') : [];
  const pkg = resolvePackage(imageUri, host.inventory, targets);
  // SimpleUpdate never reboots the host itself: a device that needs a reboot waits, Scheduled, for one.
  const job = host.updates.submit({ pkg, applyTime: applyTime as ApplyTime, rebootHost: false });
  return accepted(job.id);
}

function dellInstall({ host, json }: RouteContext): RedfishResult {
  if (host.lifecycleBusy) return redfishError(400, 'RAC0508');
  const body = json();
  if (body === null) return redfishError(400, 'Base.MalformedJSON');
  const uris = body?.SoftwareIdentityURIs;
  if (!Array.isArray(uris) || uris.length === 0 || !uris.every((u) => typeof u === 'string')) {
    return redfishError(400, 'Base.ActionParameterMissing', ['DellUpdateService.Install', 'SoftwareIdentityURIs']);
  }
  const upon = INSTALL_UPON[String(body?.InstallUpon)];
  if (!upon) {
    return redfishError(400, 'Base.ActionParameterValueNotInList', [String(body?.InstallUpon), 'InstallUpon', 'DellUpdateService.Install']);
  }
  const jobs = (uris as string[]).map((uri) => host.updates.submit({ pkg: resolvePackage(uri, host.inventory), ...upon }));
  return accepted(jobs[0]?.id ?? '');
}

/** The parts of a multipart/form-data body by name: their file name and, for small parts, their text. */
function formParts(req: RouteContext['req']): Map<string, { fileName?: string; text: string }> {
  const parts = new Map<string, { fileName?: string; text: string }>();
  const boundary = /boundary="?([^";]+)"?/i.exec(header(req, 'content-type') ?? '')?.[1];
  if (!boundary) return parts;
  // latin1 keeps byte offsets; only headers and the JSON part are read as text.
  for (const chunk of req.body.toString('latin1').split(`--${boundary}`)) {
    const split = chunk.indexOf('\r\n\r\n');
    if (split < 0) continue;
    const head = chunk.slice(0, split);
    const name = /name="([^"]+)"/i.exec(head)?.[1];
    if (!name) continue;
    const fileName = /filename="([^"]+)"/i.exec(head)?.[1];
    parts.set(name, { ...(fileName ? { fileName } : {}), text: fileName ? '' : chunk.slice(split + 4).replace(/\r\n$/, '') });
  }
  return parts;
}

/**
 * MultipartHttpPushUri (iDRAC9 4.x+): `UpdateParameters` (JSON: Targets, @Redfish.OperationApplyTime) and
 * `UpdateFile` (the DUP, whose file name says what it installs) in one POST; 202 with the job, like SimpleUpdate.
 */
function multipartUpload(context: RouteContext): RedfishResult {
  const { host } = context;
  if (host.lifecycleBusy) return redfishError(400, 'RAC0508');
  const parts = formParts(context.req);
  const file = parts.get('UpdateFile');
  if (!file?.fileName) return redfishError(400, 'Base.ActionParameterMissing', ['MultipartHttpPushUri', 'UpdateFile']);
  let parameters: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(parts.get('UpdateParameters')?.text || '{}');
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) parameters = parsed as Record<string, unknown>;
  } catch {
    return redfishError(400, 'Base.MalformedJSON');
  }
  const applyTime = parameters['@Redfish.OperationApplyTime'] ?? 'Immediate';
  if (!APPLY_TIMES.includes(applyTime as ApplyTime)) {
    return redfishError(400, 'Base.ActionParameterValueNotInList', [
      String(applyTime),
      '@Redfish.OperationApplyTime',
      'MultipartHttpPushUri',
    ]);
  }
  const targets = Array.isArray(parameters.Targets) ? parameters.Targets.filter((t): t is string => typeof t === 'string') : [];
  const job = host.updates.submit({
    pkg: resolvePackage(file.fileName, host.inventory, targets),
    applyTime: applyTime as ApplyTime,
    rebootHost: false,
  });
  return accepted(job.id);
}

/** HttpPushUri upload: multipart with the DUP; only its file name matters here (see state/packages.ts). */
function upload({ host, req }: RouteContext): RedfishResult {
  const ifMatch = header(req, 'if-match');
  if (ifMatch !== undefined && ifMatch !== host.inventory.etag()) return redfishError(412, 'Base.PreconditionFailed');
  const text = req.body.subarray(0, 64 * 1024).toString('latin1');
  const fileName = /filename="([^"]+)"/i.exec(text)?.[1];
  if (!fileName) return redfishError(400, 'Base.ActionParameterMissing', ['HttpPushUri', 'file']);
  const pkg = resolvePackage(fileName, host.inventory);
  const fqdd = pkg.targets[0];
  if (!fqdd || !pkg.version) return redfishError(400, 'RED013');
  const entry = host.inventory.addAvailable(fqdd, pkg.version);
  return {
    status: 201,
    headers: { location: `${INVENTORY}/${entry.id}`, etag: host.inventory.etag() },
    body: inventoryEntryResource(entry),
  };
}

/** Multipart push came with iDRAC9 4.x; older services (`legacy`) take uploads at HttpPushUri only. */
function updateServiceResource(flavor: RedfishFlavor): Json {
  const service = render(templates().updateService, {}) as { [key: string]: Json };
  if (flavor !== 'full') delete service.MultipartHttpPushUri;
  return service;
}

export function updateServiceRoutes(flavor: RedfishFlavor): RouteDef[] {
  const routes: RouteDef[] = [
    { method: 'GET', pattern: SERVICE, handler: () => ok(updateServiceResource(flavor)) },
    {
      method: 'GET',
      pattern: INVENTORY,
      handler: ({ host }) => {
        const paths = host.inventory.entries().map((e) => `${INVENTORY}/${e.id}`);
        return ok(render(templates().firmwareInventory, { Members: members(paths), MembersCount: paths.length }), {
          etag: host.inventory.etag(),
        });
      },
    },
    {
      method: 'GET',
      pattern: `${INVENTORY}/:id`,
      handler: ({ host, params, req }) => {
        const entry = host.inventory.find(params.id ?? '');
        return entry ? ok(inventoryEntryResource(entry)) : redfishError(404, 'SYS403', [req.path]);
      },
    },
    { method: 'POST', pattern: INVENTORY, privilege: 'ConfigureManager', handler: upload },
    { method: 'POST', pattern: `${SERVICE}/Actions/${SIMPLE_UPDATE}`, privilege: 'ConfigureManager', handler: simpleUpdate },
    { method: 'POST', pattern: `${SERVICE}/Actions/Oem/DellUpdateService.Install`, privilege: 'ConfigureManager', handler: dellInstall },
    {
      method: 'POST',
      pattern: `${SERVICE}/Actions/UpdateService.StartUpdate`,
      privilege: 'ConfigureManager',
      handler: ({ host }) => {
        host.updates.startRequested();
        return { status: 204 };
      },
    },
  ];
  if (flavor === 'full') {
    routes.push({ method: 'POST', pattern: `${SERVICE}/MultipartUpload`, privilege: 'ConfigureManager', handler: multipartUpload });
  }
  return routes;
}
