/**
 * CloudWatch metrics (EMF lines on stdout in Lambda), namespace EIO. Disabled by POWERTOOLS_METRICS_DISABLED.
 * Every function flushes them after each invocation (logMetrics), so most flushes find none: Powertools'
 * notice about that is expected here and goes to the debug log; its other notices stay warnings.
 */
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logger } from './logger';

const NOTHING_TO_PUBLISH = /^No application metrics to publish/;

const notices = {
  debug: (message: string) => logger.debug(message),
  info: (message: string) => logger.info(message),
  warn: (message: string) => (NOTHING_TO_PUBLISH.test(message) ? logger.debug(message) : logger.warn(message)),
  error: (message: string) => logger.error(message),
};

export const metrics = new Metrics({ namespace: 'EIO', serviceName: 'eio', logger: notices });
