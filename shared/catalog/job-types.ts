import { z } from 'zod';
import type { JobType } from '../jobs/job-type';

/** Every job type EIO runs. Later issues add host maintenance and firmware update here. */
export const JOB_TYPES: Record<string, JobType> = {
  health_check: {
    name: 'health_check',
    description: 'Probe the reachability of each target (a site means all of its endpoints) and record one step per target',
    params: z.strictObject({}).default({}),
    targetKinds: ['site', 'idrac', 'vcenter'],
    workflow: 'job-health-check',
    resumeActions: [],
    maxRuntimeMinutes: 30,
    resumableAfterCrash: true,
    retryFailedTargetsOnly: true,
  },
};
