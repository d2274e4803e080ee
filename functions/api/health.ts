import { deps } from '../../shared/container';
import { apiHandler } from '../../shared/http/api-handler';
import { json } from '../../shared/http/respond';
import { systemHealth, workerPoolReports } from '../../shared/usecases/health';
import { writesRefused } from './writes-refused';

export const handler = apiHandler('api-health', writesRefused, {
  // 503 when critical so load balancers and probes see it without parsing the body.
  'GET /api/v1/health': async () => {
    const report = await systemHealth(await deps());
    return json(report.status === 'critical' ? 503 : 200, report);
  },
  'GET /api/v1/health/workers': async () => json(200, { pools: await workerPoolReports(await deps()) }),
});
