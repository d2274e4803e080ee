/**
 * State machines: one ASL file each under statemachines/. `${Name}` placeholders in the file are replaced by
 * the ARN of the function named in `tasks` (CDK: definitionSubstitutions; local: a local ARN resolved to the
 * same handler). A job type names its row here (shared/jobs/job-type.ts).
 */
import type { FunctionName } from './functions';

/** One state machine: its ASL file and the function behind each placeholder. */
export type WorkflowSpec = {
  file: string;
  tasks: Record<string, FunctionName>;
  description: string;
};

/** A job type's state machine: every Task state calls the one job step function with an `action`. */
export const jobWorkflow = (file: string, description: string): WorkflowSpec => ({
  file,
  tasks: { JobStepFunctionArn: 'step-job' },
  description,
});

export const WORKFLOWS: Record<string, WorkflowSpec> = {
  'job-health-check': jobWorkflow('job-health-check.asl.json', 'health_check job: probe each target, one step per target'),
  'job-host-maintenance': jobWorkflow(
    'job-host-maintenance.asl.json',
    'host_maintenance job: plan, evacuate, enter maintenance, exit, restore; hosts rolling per cluster',
  ),
  'job-firmware-update': jobWorkflow(
    'job-firmware-update.asl.json',
    'firmware_update job: plan, then servers rolling per cluster under the rollout guard; hosts inside host maintenance',
  ),
  'job-power-action': jobWorkflow('job-power-action.asl.json', 'power_action job: one power action per target through its iDRAC'),
  'job-compensation': jobWorkflow('job-compensation.asl.json', 'Undo what an ended job left behind (hosts in maintenance, stopped VMs)'),
};
