import { deps } from '../../shared/container';
import { IdPath, PageQuery } from '../../shared/domain/requests';
import { InventoryQuery, SyncRequest, SyncRunQuery, VCenterInstanceCreate, VCenterInstanceUpdate } from '../../shared/domain/vcenter';
import { apiHandler } from '../../shared/http/api-handler';
import { pageBody, pageOptions } from '../../shared/http/pagination';
import type { ApiRequest } from '../../shared/http/request';
import { json, noContent } from '../../shared/http/respond';
import { parseInput } from '../../shared/http/validation';
import {
  createVcenterInstance,
  deleteVcenterInstance,
  getVcenterInstance,
  instanceView,
  listVcenterInstances,
  updateVcenterInstance,
} from '../../shared/usecases/vcenter-instances';
import { listInventory } from '../../shared/usecases/vcenter-inventory';
import { getSyncRun, listSyncRuns, requestSync } from '../../shared/usecases/vcenter-sync-requests';
import { writesRefused } from './writes-refused';

const inventory = (kind: 'host' | 'vm' | 'cluster') => async (req: Pick<ApiRequest, 'path' | 'query'>) => {
  const query = parseInput(InventoryQuery, req.query, 'query');
  return json(200, await listInventory(await deps(), parseInput(IdPath, req.path, 'path').id, kind, query));
};

export const handler = apiHandler('api-vcenter', writesRefused, {
  'POST /api/v1/vcenter/instances': async (req) => {
    const d = await deps();
    const instance = await createVcenterInstance(d, parseInput(VCenterInstanceCreate, req.body, 'body'), req.principal.subject);
    return json(201, await instanceView(d, instance), { location: `/api/v1/vcenter/instances/${instance.id}` });
  },
  'GET /api/v1/vcenter/instances': async (req) => {
    const d = await deps();
    const page = await listVcenterInstances(d, pageOptions(parseInput(PageQuery, req.query, 'query')));
    const items = await Promise.all(page.items.map((i) => instanceView(d, i)));
    return json(200, pageBody({ items, cursor: page.cursor }));
  },
  'GET /api/v1/vcenter/instances/{id}': async (req) => {
    const d = await deps();
    return json(200, await instanceView(d, await getVcenterInstance(d, parseInput(IdPath, req.path, 'path').id)));
  },
  'PATCH /api/v1/vcenter/instances/{id}': async (req) => {
    const d = await deps();
    const changes = parseInput(VCenterInstanceUpdate, req.body, 'body');
    const updated = await updateVcenterInstance(d, parseInput(IdPath, req.path, 'path').id, changes);
    return json(200, await instanceView(d, updated));
  },
  'DELETE /api/v1/vcenter/instances/{id}': async (req) => {
    await deleteVcenterInstance(await deps(), parseInput(IdPath, req.path, 'path').id);
    return noContent();
  },
  'GET /api/v1/vcenter/instances/{id}/hosts': inventory('host'),
  'GET /api/v1/vcenter/instances/{id}/vms': inventory('vm'),
  'GET /api/v1/vcenter/instances/{id}/clusters': inventory('cluster'),
  'POST /api/v1/vcenter/sync': async (req) => {
    const runs = await requestSync(await deps(), parseInput(SyncRequest, req.body, 'body'), req.principal.subject);
    return json(202, {
      sync_runs: runs.map(({ run: r, coalesced }) => ({
        id: r.id,
        instance_id: r.instance_id,
        sync_type: r.sync_type,
        status: r.status,
        coalesced,
      })),
      sync_run_ids: runs.map(({ run }) => run.id),
    });
  },
  'GET /api/v1/vcenter/sync-runs': async (req) => {
    const q = parseInput(SyncRunQuery, req.query, 'query');
    return json(200, pageBody(await listSyncRuns(await deps(), q, pageOptions(q))));
  },
  'GET /api/v1/vcenter/sync-runs/{id}': async (req) => json(200, await getSyncRun(await deps(), parseInput(IdPath, req.path, 'path').id)),
});
