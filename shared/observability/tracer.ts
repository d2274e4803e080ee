/**
 * X-Ray tracing (CDK turns active tracing on for every function). Only in AWS: elsewhere there is no X-Ray
 * daemon, so the local stack and the tests never open a segment or send one. Elsewhere the tracer is not even
 * loaded: loading the X-Ray SDK installs a process-wide async hook (its context store) that runs on every
 * promise, though a disabled tracer never reads it (about 5 % of a vCenter full sync's CPU on the local stack).
 */
import type { Tracer } from '@aws-lambda-powertools/tracer';
import { config } from '../config';

export const tracer: Tracer | undefined =
  config().runtime === 'aws' ? new (await import('@aws-lambda-powertools/tracer')).Tracer({ serviceName: 'eio' }) : undefined;
