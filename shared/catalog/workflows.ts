import type { FunctionName } from './functions';

/**
 * State machines: one ASL file each under statemachines/. `${Name}` placeholders in the file are replaced by
 * the ARN of the function named in `tasks` (CDK: definitionSubstitutions; local: a local ARN resolved to the
 * same handler). Later issues add their workflows here.
 */
export type WorkflowSpec = {
  file: string;
  tasks: Record<string, FunctionName>;
  description: string;
};

export const WORKFLOWS: Record<string, WorkflowSpec> = {
  'job-health-check': {
    file: 'job-health-check.asl.json',
    tasks: { JobStepFunctionArn: 'step-job' },
    description: 'health_check job: probe each target, one step per target',
  },
};
