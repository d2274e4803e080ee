/**
 * The power_action job type: power on, graceful shutdown, force off, graceful restart, force restart or power
 * cycle through the iDRAC, one step per target. Targets are iDRAC endpoints or vCenter hosts (through the
 * iDRAC linked to them); a host running VMs out of maintenance mode is refused (usecases/firmware/power.ts).
 */
import { z } from 'zod';
import { PowerActionParams } from '../domain/firmware';
import { powerTarget } from '../usecases/firmware/power';
import { type JobType, stepAction } from './job-type';
import { existingTargets } from './targets';

export const powerActionJob: JobType = {
  name: 'power_action',
  description:
    'Power a server on or off, restart or power-cycle it through its iDRAC; a host running VMs out of maintenance mode is refused',
  params: PowerActionParams,
  resolveTargets: existingTargets(['idrac', 'host']),
  workflow: 'job-power-action',
  actions: {
    /** "Power action": one step per target. */
    power_target: stepAction(z.object({ target_id: z.string().min(1) }), (ctx, { target_id }) =>
      ctx.targetStep('Power action', target_id, () => powerTarget(ctx, target_id, PowerActionParams.parse(ctx.job.params))),
    ),
  },
  resumeActions: [],
  maxRuntimeMinutes: 30,
  resumableAfterCrash: true,
  retryFailedTargetsOnly: true,
};
