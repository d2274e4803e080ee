/**
 * Lifecycle Controller work over WS-Man (iDRAC7/8 without a usable Redfish): readiness, InstallFromURI,
 * the job queue (DCIM_LifecycleJob, DCIM_JobService), reboot jobs and power. Dell's fixed selectors and
 * return codes: 0 done, 4096 job created, anything else failed with a MessageID.
 */
import {
  type FirmwareUpdateOptions,
  type FirmwareUpdateStarted,
  type IdracCredential,
  IdracError,
  type IdracJobStatus,
  type IdracTarget,
  type JobDeleted,
  type LifecycleControllerStatus,
  type PowerResetResult,
  type RebootMode,
  type RebootStarted,
  type ResetType,
} from '../../../ports/idrac';
import { stateOf } from '../job-states';
import { DCIM, escapeXml, NS, type Selectors } from './envelope';
import { type DcimService, SERVICE_SELECTORS, type WsmanClient } from './wsman-client';
import { asList, type CimValue, child, isNode, textOf, type XmlNode } from './xml';

export const JOB_CREATED = '4096';

// GetRemoteServicesAPIStatus value maps (Dell LC Management profile).
const STATUS: Record<string, string> = { '0': 'Ready', '1': 'NotReady' };
const LC_STATUS: Record<string, string> = {
  '0': 'Ready',
  '1': 'Not Initialized',
  '2': 'Reloading Data',
  '3': 'Disabled',
  '4': 'In Recovery',
  '5': 'In Use',
};
const SERVER_STATUS: Record<string, string> = {
  '1': 'PoweredOff',
  '2': 'InPOST',
  '3': 'OutOfPOST',
  '4': 'CollectingSystemInventory',
  '5': 'AutomatedTaskExecution',
  '6': 'LifecycleControllerUnifiedServerConfiguration',
  '7': 'ServerHalted',
};

// RequestPowerStateChange PowerState (CIM DSP1027, as Dell implements it). A graceful restart is a reboot job.
const POWER_STATE: Partial<Record<ResetType, string>> = {
  On: '2',
  PowerCycle: '5',
  ForceOff: '8',
  ForceRestart: '10',
  Nmi: '11',
  GracefulShutdown: '12',
};

// CreateRebootJob RebootJobType: 1 power cycle, 2 graceful without forced shutdown, 3 graceful then forced.
const REBOOT_JOB_TYPE: Record<RebootMode, string> = { power_cycle: '1', graceful: '2', graceful_then_forced: '3' };

const text = (node: XmlNode, key: string) => textOf(node[key]);

/** Any selector named `name` in a reference (the job a method created), wherever the EPR nests it. */
function selectorValue(node: unknown, name: string): string | undefined {
  if (!isNode(node)) return undefined;
  for (const selector of asList(node.Selector)) {
    if (isNode(selector) && selector['@Name'] === name) return textOf(selector);
  }
  for (const [key, value] of Object.entries(node)) {
    if (key.startsWith('@')) continue;
    for (const item of asList(value)) {
      const found = selectorValue(item, name);
      if (found) return found;
    }
  }
  return undefined;
}

export class WsmanLifecycle {
  constructor(
    private readonly client: WsmanClient,
    private readonly target: IdracTarget,
    private readonly port: number,
    private readonly credential: IdracCredential,
  ) {}

  private get address(): string {
    return this.target.address;
  }

  private invoke(service: DcimService, method: string, input = ''): Promise<XmlNode> {
    return this.client.invoke(this.target, this.port, this.credential, service, SERVICE_SELECTORS[service], method, input);
  }

  /** A method that failed (ReturnValue neither 0 nor 4096) → 'http_error'-like IdracError with Dell's MessageID. */
  private failed(what: string, output: XmlNode): IdracError {
    const messageId = text(output, 'MessageID');
    const message = text(output, 'Message');
    return new IdracError(
      'protocol_fault',
      `iDRAC ${this.address} refused ${what}${messageId ? ` (${messageId})` : ''}${message ? `: ${message}` : ''}`,
      this.address,
      { return_value: text(output, 'ReturnValue'), ...(messageId ? { message_id: messageId } : {}) },
    );
  }

  async lifecycleStatus(): Promise<LifecycleControllerStatus> {
    const output = await this.invoke('DCIM_LCService', 'GetRemoteServicesAPIStatus');
    if (text(output, 'ReturnValue') !== '0') throw this.failed('GetRemoteServicesAPIStatus', output);
    const status = STATUS[text(output, 'Status')] ?? text(output, 'Status');
    const lcStatus = LC_STATUS[text(output, 'LCStatus')] ?? text(output, 'LCStatus');
    const serverStatus = SERVER_STATUS[text(output, 'ServerStatus')] ?? text(output, 'ServerStatus');
    return {
      ready: status === 'Ready',
      status,
      message: `Remote services ${status}; Lifecycle Controller ${lcStatus || 'unknown'}; server ${serverStatus || 'unknown'}`,
      ...(lcStatus ? { lc_status: lcStatus } : {}),
      ...(serverStatus ? { server_status: serverStatus } : {}),
      protocol: 'wsman',
    };
  }

  /**
   * DCIM_SoftwareInstallationService.InstallFromURI: the iDRAC downloads the package into a job (JID) that
   * then waits, Downloaded, until SetupJobQueue schedules it (`rebootToApply`). Target: the installed
   * DCIM_SoftwareIdentity to update, when the caller names one.
   */
  async installFromUri(uri: string, options: FirmwareUpdateOptions): Promise<FirmwareUpdateStarted> {
    const target = options.targets?.[0];
    const reference = target
      ? `<p:Target xmlns:a="${NS.wsa}" xmlns:w="${NS.wsman}"><a:Address>${NS.wsa}/role/anonymous</a:Address>` +
        `<a:ReferenceParameters><w:ResourceURI>${DCIM}DCIM_SoftwareIdentity</w:ResourceURI><w:SelectorSet>` +
        `<w:Selector Name="InstanceID">${escapeXml(target)}</w:Selector></w:SelectorSet></a:ReferenceParameters></p:Target>`
      : '';
    const output = await this.invoke('DCIM_SoftwareInstallationService', 'InstallFromURI', `<p:URI>${escapeXml(uri)}</p:URI>${reference}`);
    const jobId = selectorValue(child(output, 'Job'), 'InstanceID');
    if (text(output, 'ReturnValue') !== JOB_CREATED || !jobId) throw this.failed('InstallFromURI', output);
    return { job_id: jobId, method: 'wsman_install_from_uri', protocol: 'wsman', apply: 'on_reset' };
  }

  async jobStatus(jobId: string): Promise<IdracJobStatus> {
    let job: Record<string, CimValue>;
    try {
      job = await this.client.get(this.target, this.port, this.credential, 'DCIM_LifecycleJob', { InstanceID: jobId });
    } catch (error) {
      // An unknown instance is a fault naming the selector (InvalidSelectors / InvalidResourceURI-like).
      if (
        error instanceof IdracError &&
        error.code === 'protocol_fault' &&
        /Selector|NotFound|DestinationUnreachable/i.test(error.message)
      ) {
        throw new IdracError('not_found', `iDRAC ${this.address} knows no job ${jobId}`, this.address, { job_id: jobId });
      }
      throw error;
    }
    if (!job.InstanceID) throw new IdracError('not_found', `iDRAC ${this.address} knows no job ${jobId}`, this.address, { job_id: jobId });
    return lifecycleJob(job);
  }

  async listJobs(pageSize: number): Promise<IdracJobStatus[]> {
    const jobs = await this.client.enumerate(this.target, this.port, this.credential, 'DCIM_LifecycleJob', pageSize);
    return jobs.filter((j) => one(j.InstanceID)).map(lifecycleJob);
  }

  /** DCIM_JobService.DeleteJobQueue with one JobID. An id the iDRAC does not know (SUP011/JCP022) is `not_found`. */
  async deleteJob(jobId: string): Promise<JobDeleted> {
    const output = await this.invoke('DCIM_JobService', 'DeleteJobQueue', `<p:JobID>${escapeXml(jobId)}</p:JobID>`);
    if (text(output, 'ReturnValue') === '0') return { job_id: jobId, outcome: 'deleted' };
    if (/(SUP011|JCP022)$/.test(text(output, 'MessageID'))) return { job_id: jobId, outcome: 'not_found' };
    throw this.failed(`deleting job ${jobId}`, output);
  }

  /** CreateRebootJob, then SetupJobQueue with the staged jobs and the reboot job, to run now. */
  async rebootToApply(mode: RebootMode, jobIds: string[]): Promise<RebootStarted> {
    const rebootJob = await this.createRebootJob(REBOOT_JOB_TYPE[mode]);
    await this.runNow([...jobIds, rebootJob]);
    return { method: 'wsman_reboot_job', job_id: rebootJob, outcome: 'rebooting' };
  }

  /** RequestPowerStateChange; a graceful restart is a reboot job (the only graceful reboot WS-Man offers). */
  async powerReset(resetType: ResetType): Promise<PowerResetResult> {
    if (resetType === 'GracefulRestart') {
      await this.runNow([await this.createRebootJob(REBOOT_JOB_TYPE.graceful)]);
      return { outcome: 'accepted' };
    }
    const state = POWER_STATE[resetType];
    if (!state) {
      throw new IdracError('not_supported', `Power action ${resetType} is not offered over WS-Man (iDRAC ${this.address})`, this.address, {
        protocol: 'wsman',
      });
    }
    const output = await this.invoke('DCIM_CSPowerManagementService', 'RequestPowerStateChange', `<p:PowerState>${state}</p:PowerState>`);
    if (text(output, 'ReturnValue') === '0') return { outcome: 'accepted' };
    const messageId = text(output, 'MessageID');
    if (/PSU50[12]$/.test(messageId)) return { outcome: 'already_in_state', message: text(output, 'Message') || messageId };
    throw this.failed(`power action ${resetType}`, output);
  }

  private async createRebootJob(type: string): Promise<string> {
    const output = await this.invoke('DCIM_SoftwareInstallationService', 'CreateRebootJob', `<p:RebootJobType>${type}</p:RebootJobType>`);
    const jobId = selectorValue(child(output, 'RebootJobID'), 'InstanceID');
    if (text(output, 'ReturnValue') !== JOB_CREATED || !jobId) throw this.failed('CreateRebootJob', output);
    return jobId;
  }

  private async runNow(jobIds: string[]): Promise<void> {
    const array = jobIds.map((id) => `<p:JobArray>${escapeXml(id)}</p:JobArray>`).join('');
    const output = await this.invoke('DCIM_JobService', 'SetupJobQueue', `${array}<p:StartTimeInterval>TIME_NOW</p:StartTimeInterval>`);
    if (text(output, 'ReturnValue') !== '0') throw this.failed(`scheduling ${jobIds.join(', ')}`, output);
  }
}

function one(value: CimValue | undefined): string {
  return typeof value === 'string' ? value : Array.isArray(value) ? (value[0] ?? '') : '';
}

/** A DCIM_LifecycleJob as the port's job status (PercentComplete may be 'NA'). */
function lifecycleJob(job: Record<string, CimValue>): IdracJobStatus {
  const raw = one(job.JobStatus);
  const percent = Number.parseInt(one(job.PercentComplete), 10);
  const messageId = one(job.MessageID);
  const name = one(job.Name);
  return {
    job_id: one(job.InstanceID),
    state: stateOf(raw),
    raw_state: raw,
    percent_complete: Number.isFinite(percent) ? percent : null,
    message: one(job.Message),
    ...(messageId ? { message_id: messageId } : {}),
    source: 'wsman',
    ...(name ? { name } : {}),
  };
}
