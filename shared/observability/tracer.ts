/**
 * X-Ray tracing (CDK turns active tracing on for every function). Only in AWS: elsewhere there is no X-Ray
 * daemon, so the local stack and the tests never open a segment or send one (Powertools also turns itself
 * off when it is not running in Lambda; this says so explicitly).
 */
import { Tracer } from '@aws-lambda-powertools/tracer';
import { config } from '../config';

export const tracer = new Tracer({ serviceName: 'eio', enabled: config().runtime === 'aws' });
