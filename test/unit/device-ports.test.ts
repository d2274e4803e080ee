import { afterEach, describe, expect, it } from 'vitest';
import { resetConfig } from '../../shared/config';
import { ValidationError } from '../../shared/domain/errors';
import { SiteCreate } from '../../shared/domain/site';
import { createDellEndpoint } from '../../shared/usecases/dell-endpoints';
import { createSite } from '../../shared/usecases/sites';
import { ManualClock } from '../support/fakes';
import { MemoryStore } from '../support/memory-store';

const runtime = process.env.EIO_RUNTIME;
const inRuntime = (value: 'aws' | 'local') => {
  process.env.EIO_RUNTIME = value;
  resetConfig();
};
afterEach(() => {
  if (runtime === undefined) delete process.env.EIO_RUNTIME;
  else process.env.EIO_RUNTIME = runtime;
  resetConfig();
});

const deps = () => ({ store: new MemoryStore(), clock: new ManualClock() });
const site = (ports: { redfish_port?: number; wsman_port?: number }) =>
  SiteCreate.parse({ id: 'site-x', name: 'x', management_networks: ['10.0.0.0/24'], ...ports });

describe('custom device ports in AWS are refused where they are set, with the reason', () => {
  it('a site or endpoint port the device security group does not open is a 400 naming the field and the open ports', async () => {
    inRuntime('aws');
    const d = deps();
    const refused = await createSite(d, site({ redfish_port: 8443, wsman_port: 5986 }), 'alice').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ValidationError);
    expect((refused as ValidationError).details).toEqual([
      {
        path: 'body.redfish_port',
        message: expect.stringMatching(/^port 8443 is not open to devices in this AWS deployment: .* allows only 443 and 5986/),
      },
    ]);
    await createSite(d, site({ redfish_port: 443 }), 'alice');
    const endpoint = createDellEndpoint(
      d,
      { address: '10.0.0.9', site_id: 'site-x', wsman_port: 623, tls: { insecure: false, legacy: false } },
      'alice',
    );
    await expect(endpoint).rejects.toMatchObject({ details: [{ path: 'body.wsman_port' }] });
  });

  it('the local stack takes any port (its simulators listen on 8443)', async () => {
    inRuntime('local');
    await expect(createSite(deps(), site({ redfish_port: 8443 }), 'alice')).resolves.toMatchObject({ redfish_port: 8443 });
  });
});
