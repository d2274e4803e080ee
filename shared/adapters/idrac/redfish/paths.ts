/** Dell iDRAC Redfish resources (Dell's fixed ids: one system, one manager per iDRAC). */
export const ROOT = '/redfish/v1/';
export const SYSTEM = '/redfish/v1/Systems/System.Embedded.1';
export const SYSTEM_NICS = `${SYSTEM}/EthernetInterfaces`;
export const RESET_ACTION = `${SYSTEM}/Actions/ComputerSystem.Reset`;
export const MANAGER = '/redfish/v1/Managers/iDRAC.Embedded.1';
export const MANAGER_NIC = `${MANAGER}/EthernetInterfaces/NIC.1`;
export const LC_STATUS_ACTION = `${MANAGER}/Oem/Dell/DellLCService/Actions/DellLCService.GetRemoteServicesAPIStatus`;
export const FIRMWARE_INVENTORY = '/redfish/v1/UpdateService/FirmwareInventory';
export const SIMPLE_UPDATE = '/redfish/v1/UpdateService/Actions/UpdateService.SimpleUpdate';

/** Dell's job queue, newest path first: Oem/Dell/Jobs (iDRAC9 4.x+), then Managers/…/Jobs (older, iDRAC7/8). */
export const JOB_QUEUES = [
  { source: 'dell_jobs', collection: `${MANAGER}/Oem/Dell/Jobs` },
  { source: 'dell_jobs_legacy_path', collection: `${MANAGER}/Jobs` },
] as const;

/** Where a job can be read, newest first: Dell's queue (both paths), then the DMTF task. */
export const JOB_LOCATIONS = [
  ...JOB_QUEUES.map((q) => ({ source: q.source, path: (jid: string) => `${q.collection}/${encodeURIComponent(jid)}` })),
  { source: 'task_service', path: (jid: string) => `/redfish/v1/TaskService/Tasks/${encodeURIComponent(jid)}` },
] as const;
export const UPDATE_SERVICE = '/redfish/v1/UpdateService';
export const DELL_INSTALL = `${UPDATE_SERVICE}/Actions/Oem/DellUpdateService.Install`;
export const DELETE_JOB_ACTION = `${MANAGER}/Oem/Dell/DellJobService/Actions/DellJobService.DeleteJobQueue`;
