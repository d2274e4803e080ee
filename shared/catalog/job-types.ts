import { firmwareUpdateJob } from '../jobs/firmware-update';
import { healthCheckJob } from '../jobs/health-check';
import { hostMaintenanceJob } from '../jobs/host-maintenance';
import type { JobType } from '../jobs/job-type';
import { powerActionJob } from '../jobs/power-action';

/** Every job type EIO runs, by name; each is a plug-in under shared/jobs/ (see shared/jobs/job-type.ts). */
export const JOB_TYPES: Record<string, JobType> = {
  health_check: healthCheckJob,
  host_maintenance: hostMaintenanceJob,
  firmware_update: firmwareUpdateJob,
  power_action: powerActionJob,
};
