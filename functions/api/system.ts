import { z } from 'zod';
import { deps } from '../../shared/container';
import { apiHandler } from '../../shared/http/api-handler';
import { pageBody } from '../../shared/http/pagination';
import { json } from '../../shared/http/respond';
import { parseInput } from '../../shared/http/validation';
import { AuditQuery, auditLog } from '../../shared/usecases/audit';
import { backupReport } from '../../shared/usecases/backups';
import {
  activateKillSwitch,
  deactivateKillSwitch,
  drainPool,
  killSwitchState,
  pauseScheduler,
  resumeScheduler,
  schedulerState,
} from '../../shared/usecases/jobs/system';

// The runbook's commands send no body; a reason is welcome but optional.
const Reason = z.strictObject({ reason: z.string().trim().min(1).max(500).optional() }).default({});
const PoolPath = z.object({ pool: z.string().min(1) });
const NoQuery = z.strictObject({});

export const handler = apiHandler('api-system', {
  'GET /api/v1/system/kill-switch': async () => json(200, await killSwitchState(await deps())),
  'POST /api/v1/system/kill-switch/activate': async (req) =>
    json(200, await activateKillSwitch(await deps(), req.principal.subject, parseInput(Reason, req.body ?? {}, 'body').reason)),
  'POST /api/v1/system/kill-switch/deactivate': async (req) =>
    json(200, await deactivateKillSwitch(await deps(), req.principal.subject, parseInput(Reason, req.body ?? {}, 'body').reason)),
  'GET /api/v1/system/scheduler': async () => json(200, await schedulerState(await deps())),
  'POST /api/v1/system/scheduler/pause': async (req) =>
    json(200, await pauseScheduler(await deps(), req.principal.subject, parseInput(Reason, req.body ?? {}, 'body').reason)),
  'POST /api/v1/system/scheduler/resume': async (req) =>
    json(200, await resumeScheduler(await deps(), req.principal.subject, parseInput(Reason, req.body ?? {}, 'body').reason)),
  'POST /api/v1/workers/{pool}/drain': async (req) =>
    json(200, await drainPool(await deps(), parseInput(PoolPath, req.path, 'path').pool, req.principal.subject, true)),
  'GET /api/v1/system/backups': async (req) => {
    parseInput(NoQuery, req.query, 'query');
    return json(200, await backupReport(await deps()));
  },
  'GET /api/v1/audit': async (req) => json(200, pageBody(await auditLog(await deps(), parseInput(AuditQuery, req.query, 'query')))),
  'POST /api/v1/workers/{pool}/undrain': async (req) =>
    json(200, await drainPool(await deps(), parseInput(PoolPath, req.path, 'path').pool, req.principal.subject, false)),
});
