import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Acknowledge one cdk-nag finding on a construct and everything under it. cdk-nag 3 matches exact finding
 * ids (`AwsSolutions-IAM5[Resource::*]`), so each wildcard is acknowledged by name, never a whole rule.
 */
export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}
