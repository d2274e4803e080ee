import { deps } from '../../shared/container';
import {
  AuditQuery,
  IdPath,
  NoQuery,
  OptionalReason,
  PoolPath,
  PoolScaling,
  ReadOnlyActivation,
  UpstreamQuery,
} from '../../shared/domain/requests';
import { apiHandler } from '../../shared/http/api-handler';
import { openApiDocument } from '../../shared/http/openapi';
import { pageBody } from '../../shared/http/pagination';
import { json } from '../../shared/http/respond';
import { parseInput } from '../../shared/http/validation';
import { auditLog } from '../../shared/usecases/audit';
import { backupReport } from '../../shared/usecases/backups';
import {
  activateKillSwitch,
  deactivateKillSwitch,
  drainPool,
  killSwitchState,
  pauseScheduler,
  resumeScheduler,
  scalePool,
  schedulerState,
} from '../../shared/usecases/jobs/system';
import { activateReadOnly, deactivateReadOnly, readOnlyState } from '../../shared/usecases/read-only';
import { listUpstreams, resetUpstream } from '../../shared/usecases/upstreams';
import { writesRefused } from './writes-refused';

export const handler = apiHandler('api-system', writesRefused, {
  'GET /api/v1/openapi.json': async () => json(200, openApiDocument()),
  'GET /api/v1/system/kill-switch': async () => json(200, await killSwitchState(await deps())),
  'POST /api/v1/system/kill-switch/activate': async (req) =>
    json(200, await activateKillSwitch(await deps(), req.principal.subject, parseInput(OptionalReason, req.body ?? {}, 'body').reason)),
  'POST /api/v1/system/kill-switch/deactivate': async (req) =>
    json(200, await deactivateKillSwitch(await deps(), req.principal.subject, parseInput(OptionalReason, req.body ?? {}, 'body').reason)),
  'GET /api/v1/system/read-only': async () => json(200, await readOnlyState(await deps())),
  'POST /api/v1/system/read-only/activate': async (req) =>
    json(200, await activateReadOnly(await deps(), req.principal.subject, parseInput(ReadOnlyActivation, req.body, 'body').reason)),
  'POST /api/v1/system/read-only/deactivate': async (req) =>
    json(200, await deactivateReadOnly(await deps(), req.principal.subject, parseInput(OptionalReason, req.body ?? {}, 'body').reason)),
  'GET /api/v1/system/scheduler': async () => json(200, await schedulerState(await deps())),
  'POST /api/v1/system/scheduler/pause': async (req) =>
    json(200, await pauseScheduler(await deps(), req.principal.subject, parseInput(OptionalReason, req.body ?? {}, 'body').reason)),
  'POST /api/v1/system/scheduler/resume': async (req) =>
    json(200, await resumeScheduler(await deps(), req.principal.subject, parseInput(OptionalReason, req.body ?? {}, 'body').reason)),
  'POST /api/v1/workers/{pool}/drain': async (req) =>
    json(200, await drainPool(await deps(), parseInput(PoolPath, req.path, 'path').pool, req.principal.subject, true)),
  'GET /api/v1/system/backups': async (req) => {
    parseInput(NoQuery, req.query, 'query');
    return json(200, await backupReport(await deps()));
  },
  'GET /api/v1/upstreams': async (req) =>
    json(200, { items: await listUpstreams(await deps(), parseInput(UpstreamQuery, req.query, 'query')) }),
  'POST /api/v1/upstreams/{id}/reset': async (req) =>
    json(200, await resetUpstream(await deps(), parseInput(IdPath, req.path, 'path').id, req.principal.subject)),
  'PATCH /api/v1/workers/{pool}': async (req) => {
    const { pool } = parseInput(PoolPath, req.path, 'path');
    const { concurrency } = parseInput(PoolScaling, req.body, 'body');
    return json(200, await scalePool(await deps(), pool, concurrency, req.principal.subject));
  },
  'GET /api/v1/audit': async (req) => json(200, pageBody(await auditLog(await deps(), parseInput(AuditQuery, req.query, 'query')))),
  'POST /api/v1/workers/{pool}/undrain': async (req) =>
    json(200, await drainPool(await deps(), parseInput(PoolPath, req.path, 'path').pool, req.principal.subject, false)),
});
