import { deps } from '../../shared/container';
import { RotationPath } from '../../shared/domain/credential-rotation';
import { IdPath, PageQuery } from '../../shared/domain/requests';
import { ServiceIdentityCreate, ServiceIdentityRotate, ServiceIdentityUpdate } from '../../shared/domain/service-identity';
import { apiHandler } from '../../shared/http/api-handler';
import { pageBody, pageOptions } from '../../shared/http/pagination';
import { json, noContent } from '../../shared/http/respond';
import { parseInput } from '../../shared/http/validation';
import { getCredentialRotation, startCredentialRotation } from '../../shared/usecases/credential-rotation';
import {
  createServiceIdentity,
  deleteServiceIdentity,
  getServiceIdentity,
  listServiceIdentities,
  rotateServiceIdentity,
  serviceIdentityActivity,
  updateServiceIdentity,
  verifyServiceIdentity,
} from '../../shared/usecases/service-identities';
import { writesRefused } from './writes-refused';

export const handler = apiHandler('api-service-identities', writesRefused, {
  'POST /api/v1/service-identities': async (req) => {
    const input = parseInput(ServiceIdentityCreate, req.body, 'body');
    const si = await createServiceIdentity(await deps(), input, req.principal.subject);
    return json(201, si, { location: `/api/v1/service-identities/${si.id}` });
  },
  'GET /api/v1/service-identities': async (req) =>
    json(200, pageBody(await listServiceIdentities(await deps(), pageOptions(parseInput(PageQuery, req.query, 'query'))))),
  'GET /api/v1/service-identities/{id}': async (req) =>
    json(200, await getServiceIdentity(await deps(), parseInput(IdPath, req.path, 'path').id)),
  'PATCH /api/v1/service-identities/{id}': async (req) =>
    json(
      200,
      await updateServiceIdentity(
        await deps(),
        parseInput(IdPath, req.path, 'path').id,
        parseInput(ServiceIdentityUpdate, req.body, 'body'),
      ),
    ),
  'DELETE /api/v1/service-identities/{id}': async (req) => {
    await deleteServiceIdentity(await deps(), parseInput(IdPath, req.path, 'path').id);
    return noContent();
  },
  'POST /api/v1/service-identities/{id}/rotate': async (req) => {
    const { secret } = parseInput(ServiceIdentityRotate, req.body ?? {}, 'body');
    const { id } = parseInput(IdPath, req.path, 'path');
    if (secret !== undefined) return json(200, await rotateServiceIdentity(await deps(), id, secret));
    const rotation = await startCredentialRotation(await deps(), id, req.principal.subject);
    return json(202, rotation, { location: `/api/v1/service-identities/${id}/rotations/${rotation.id}` });
  },
  'GET /api/v1/service-identities/{id}/rotations/{rotation_id}': async (req) => {
    const { id, rotation_id } = parseInput(RotationPath, req.path, 'path');
    return json(200, await getCredentialRotation(await deps(), id, rotation_id));
  },
  'GET /api/v1/service-identities/{id}/verify': async (req) =>
    json(200, await verifyServiceIdentity(await deps(), parseInput(IdPath, req.path, 'path').id)),
  'GET /api/v1/service-identities/{id}/activity': async (req) => {
    const page = pageOptions(parseInput(PageQuery, req.query, 'query'));
    return json(200, pageBody(await serviceIdentityActivity(await deps(), parseInput(IdPath, req.path, 'path').id, page)));
  },
});
