import { Metrics } from '@aws-lambda-powertools/metrics';

/** CloudWatch metrics (EMF lines on stdout in Lambda), namespace EIO. Disabled by POWERTOOLS_METRICS_DISABLED. */
export const metrics = new Metrics({ namespace: 'EIO', serviceName: 'eio' });
