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

/** Where a job can be read, newest first: Dell's queue (iDRAC9 4.x+), its older path, the DMTF task. */
export const JOB_LOCATIONS = [
  { source: 'dell_jobs', path: (jid: string) => `${MANAGER}/Oem/Dell/Jobs/${encodeURIComponent(jid)}` },
  { source: 'dell_jobs_legacy_path', path: (jid: string) => `${MANAGER}/Jobs/${encodeURIComponent(jid)}` },
  { source: 'task_service', path: (jid: string) => `/redfish/v1/TaskService/Tasks/${encodeURIComponent(jid)}` },
] as const;
