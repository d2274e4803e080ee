/**
 * CloudWatch metrics (EMF lines on stdout in Lambda), namespace EIO. Every function flushes them after each
 * invocation (logMetrics), so most flushes find none: Powertools' notice about that is expected here and goes
 * to the debug log; its other notices stay warnings.
 *
 * Whether EMF lines are printed: `POWERTOOLS_METRICS_DISABLED` when set, anywhere. Unset, in AWS they are
 * (Lambda's stdout is how CloudWatch receives them); on the local stack, where nothing reads them, only at
 * `LOG_LEVEL=DEBUG`. Decided once, when this module loads, as the logger's level is.
 */
import { Metrics } from '@aws-lambda-powertools/metrics';
import { config } from '../config';
import { logger } from './logger';

const NOTHING_TO_PUBLISH = /^No application metrics to publish/;

const notices = {
  debug: (message: string) => logger.debug(message),
  info: (message: string) => logger.info(message),
  warn: (message: string) => (NOTHING_TO_PUBLISH.test(message) ? logger.debug(message) : logger.warn(message)),
  error: (message: string) => logger.error(message),
};

// Powertools reads this when the instance is made; function threads inherit it with the environment.
if (config().runtime === 'local') process.env.POWERTOOLS_METRICS_DISABLED ??= String(config().logLevel !== 'DEBUG');

export const metrics = new Metrics({ namespace: 'EIO', serviceName: 'eio', logger: notices });
