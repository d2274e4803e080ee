import { deps } from '../../shared/container';
import { CatalogImportQuery, ComplianceQuery, FirmwareBaselineCreate, FirmwareBaselineUpdate } from '../../shared/domain/firmware-baseline';
import { IdPath, PageQuery } from '../../shared/domain/requests';
import { apiHandler } from '../../shared/http/api-handler';
import { pageBody, pageOptions } from '../../shared/http/pagination';
import { json, noContent } from '../../shared/http/respond';
import { parseInput } from '../../shared/http/validation';
import {
  createFirmwareBaseline,
  deleteFirmwareBaseline,
  getFirmwareBaseline,
  importFirmwareCatalog,
  listFirmwareBaselines,
  updateFirmwareBaseline,
} from '../../shared/usecases/firmware-baselines';
import { firmwareCompliance } from '../../shared/usecases/firmware-compliance';
import { writesRefused } from './writes-refused';

export const handler = apiHandler('api-firmware', writesRefused, {
  'POST /api/v1/firmware/baselines': async (req) => {
    const b = await createFirmwareBaseline(await deps(), parseInput(FirmwareBaselineCreate, req.body, 'body'), req.principal.subject);
    return json(201, b, { location: `/api/v1/firmware/baselines/${b.id}` });
  },
  'POST /api/v1/firmware/baselines/import': async (req) => {
    const q = parseInput(CatalogImportQuery, req.query, 'query');
    const { baseline, skipped } = await importFirmwareCatalog(await deps(), req.body, q, req.principal.subject);
    return json(201, { ...baseline, skipped }, { location: `/api/v1/firmware/baselines/${baseline.id}` });
  },
  'GET /api/v1/firmware/baselines': async (req) =>
    json(200, pageBody(await listFirmwareBaselines(await deps(), pageOptions(parseInput(PageQuery, req.query, 'query'))))),
  'GET /api/v1/firmware/baselines/{id}': async (req) =>
    json(200, await getFirmwareBaseline(await deps(), parseInput(IdPath, req.path, 'path').id)),
  'PATCH /api/v1/firmware/baselines/{id}': async (req) =>
    json(
      200,
      await updateFirmwareBaseline(
        await deps(),
        parseInput(IdPath, req.path, 'path').id,
        parseInput(FirmwareBaselineUpdate, req.body, 'body'),
      ),
    ),
  'DELETE /api/v1/firmware/baselines/{id}': async (req) => {
    await deleteFirmwareBaseline(await deps(), parseInput(IdPath, req.path, 'path').id);
    return noContent();
  },
  'GET /api/v1/firmware/compliance': async (req) => {
    const q = parseInput(ComplianceQuery, req.query, 'query');
    return json(200, await firmwareCompliance(await deps(), { ...q, next_token: q.next_token }));
  },
});
