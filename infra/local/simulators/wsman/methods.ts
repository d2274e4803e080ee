/**
 * The Lifecycle Controller methods iDRAC7/8 offer over WS-Man, on the same host state as Redfish:
 * DCIM_LCService.GetRemoteServicesAPIStatus, DCIM_SoftwareInstallationService.InstallFromURI and
 * CreateRebootJob, DCIM_JobService.SetupJobQueue and DeleteJobQueue, DCIM_CSPowerManagementService.
 * RequestPowerStateChange, and Get of a DCIM_LifecycleJob. Return values as Dell's: 0 done, 4096 job
 * created, 2 failed with a MessageID.
 */
import type { SimulatedHost } from '../state/host';
import type { SimJob } from '../state/jobs';
import { registryMessage } from '../state/messages';
import { resolvePackage } from '../state/packages';
import type { ResetType } from '../state/power';
import { lifecycleJob } from './classes/lifecycle-job';
import { softwareIdentity } from './classes/software-identity';
import { jobReference } from './envelope';
import { cimInstance, cimProperty, elementText } from './xml';

const DCIM = /\/(DCIM_\w+)$/;

// RequestPowerStateChange PowerState (CIM DSP1027) as Dell implements it.
const POWER_STATES: Record<string, ResetType> = {
  '2': 'On',
  '5': 'PowerCycle',
  '8': 'ForceOff',
  '10': 'ForceRestart',
  '11': 'Nmi',
  '12': 'GracefulShutdown',
};
const REBOOT_TYPES: Record<string, NonNullable<SimJob['reboot']>> = {
  '1': 'PowerCycle',
  '2': 'GracefulRestart',
  '3': 'GracefulThenForced',
};

export type MethodResult = { output: string } | { unknown: true };

/** ReturnValue plus, for a refusal, Dell's message. */
function result(value: '0' | '2' | '4096', messageKey?: string, args: string[] = []): string {
  if (!messageKey) return cimProperty('n1', 'ReturnValue', value);
  const m = registryMessage(messageKey, args);
  return cimProperty('n1', 'Message', m.message) + cimProperty('n1', 'MessageID', m.key) + cimProperty('n1', 'ReturnValue', value);
}

function values(body: string, name: string): string[] {
  return [...body.matchAll(new RegExp(`<(?:[\\w.-]+:)?${name}(?:\\s[^>]*)?>([^<]*)</`, 'g'))].map((m) => m[1]!.trim());
}

function lcStatus(host: SimulatedHost): string {
  const lc = host.lifecycleBusy ?? (host.jobs.list().some((j) => j.state === 'Running') ? 'In Use' : 'Ready');
  const LC: Record<string, string> = { Ready: '0', 'Not Initialized': '1', 'Reloading Data': '2', Disabled: '3', 'In Recovery': '4' };
  const power = host.power.state;
  const server = power === 'Off' || power === 'PoweringOff' ? '1' : power === 'PoweringOn' ? '2' : '3';
  return (
    cimProperty('n1', 'LCStatus', LC[lc] ?? '5') +
    cimProperty('n1', 'Message', lc === 'Ready' ? 'Lifecycle Controller Remote Services is ready.' : 'Lifecycle Controller is in use.') +
    cimProperty('n1', 'MessageID', lc === 'Ready' ? 'LC061' : 'LC060') +
    cimProperty('n1', 'ReturnValue', '0') +
    cimProperty('n1', 'ServerStatus', server) +
    cimProperty('n1', 'Status', lc === 'Ready' ? '0' : '1')
  );
}

function installFromUri(host: SimulatedHost, body: string): string {
  if (host.lifecycleBusy) return result('2', 'RAC0508');
  const uri = elementText(body, 'URI');
  if (!uri) return result('2', 'SYS428', ['URI']);
  // Target: the installed DCIM_SoftwareIdentity to update, named by its InstanceID.
  const targetId = /Name="InstanceID"\s*>([^<]*)</.exec(body)?.[1]?.trim();
  const identities = softwareIdentity(host);
  const entry = targetId ? host.inventory.entries().find((_, i) => identities[i]?.InstanceID === targetId) : undefined;
  const targets = entry ? [`/redfish/v1/UpdateService/FirmwareInventory/${entry.id}`] : [];
  const pkg = resolvePackage(uri, host.inventory, targets);
  const job = host.updates.submit({ pkg, applyTime: 'Immediate', rebootHost: false, holdUntilScheduled: true });
  return `<n1:Job>${jobReference(job.id, 'DCIM_SoftUpdateConcreteJob')}</n1:Job>${result('4096')}`;
}

function setupJobQueue(host: SimulatedHost, body: string): string {
  const ids = values(body, 'JobArray');
  const jobs = ids.map((id) => host.jobs.get(id));
  const unknown = ids.find((_, i) => !jobs[i]);
  if (ids.length === 0 || unknown !== undefined) return result('2', 'JCP022', [unknown ?? '']);
  for (const job of jobs as SimJob[]) {
    if (job.reboot) host.updates.runRebootJob(job);
    else host.updates.scheduleHeld(job);
  }
  return result('0');
}

function deleteJobQueue(host: SimulatedHost, body: string): string {
  const id = elementText(body, 'JobID') ?? '';
  if (id === 'JID_CLEARALL' || id === 'JID_CLEARALL_FORCE') {
    host.jobs.clear();
    return result('0');
  }
  const job = host.jobs.get(id);
  if (!job) return result('2', 'JCP022', [id]);
  if (job.state === 'Running') return result('2', 'JCP015');
  host.jobs.delete(id);
  return result('0');
}

/** Runs `{class}/{method}`; `unknown` for anything else (the protocol answers ActionNotSupported). */
export function invokeMethod(host: SimulatedHost, resourceUri: string, method: string, body: string): MethodResult {
  const cls = DCIM.exec(resourceUri)?.[1];
  switch (`${cls}.${method}`) {
    case 'DCIM_LCService.GetRemoteServicesAPIStatus':
      return { output: lcStatus(host) };
    case 'DCIM_SoftwareInstallationService.InstallFromURI':
      return { output: installFromUri(host, body) };
    case 'DCIM_SoftwareInstallationService.CreateRebootJob': {
      const type = REBOOT_TYPES[elementText(body, 'RebootJobType') ?? ''];
      if (!type) return { output: result('2', 'SYS426', [elementText(body, 'RebootJobType') ?? '', 'RebootJobType']) };
      const job = host.updates.createRebootJob(type);
      return { output: `<n1:RebootJobID>${jobReference(job.id)}</n1:RebootJobID>${result('4096')}` };
    }
    case 'DCIM_JobService.SetupJobQueue':
      return { output: setupJobQueue(host, body) };
    case 'DCIM_JobService.DeleteJobQueue':
      return { output: deleteJobQueue(host, body) };
    case 'DCIM_CSPowerManagementService.RequestPowerStateChange': {
      const reset = POWER_STATES[elementText(body, 'PowerState') ?? ''];
      if (!reset) return { output: result('2', 'SYS426', [elementText(body, 'PowerState') ?? '', 'PowerState']) };
      const refused = host.power.reset(reset);
      return { output: refused ? result('2', refused) : result('0') };
    }
    default:
      return { unknown: true };
  }
}

/** Get of one DCIM_LifecycleJob by InstanceID; undefined when there is none. */
export function getLifecycleJob(host: SimulatedHost, selectors: Record<string, string>): string | undefined {
  const job = host.jobs.get(selectors.InstanceID ?? '');
  return job ? cimInstance('n1', 'DCIM_LifecycleJob', lifecycleJob(job)) : undefined;
}
