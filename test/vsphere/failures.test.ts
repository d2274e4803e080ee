import diagnostics from 'node:diagnostics_channel';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  containerViewSpec,
  VSphereCircuitOpenError,
  VSphereClient,
  type VSphereClientOptions,
  VSphereHttpError,
  VSphereTimeoutError,
  VSphereTransportError,
} from '../../shared/adapters/vsphere';
import { startVcsim, type Vcsim } from '../support/vcsim';
import { waitFor } from '../support/wait';
import { clientFor, closeAll } from './helpers';

const clients: VSphereClient[] = [];
const sims: Vcsim[] = [];
const servers: Server[] = [];
afterEach(async () => {
  await closeAll(clients);
  await Promise.all(sims.splice(0).map((s) => s.stop()));
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

async function sim(): Promise<Vcsim> {
  const s = await startVcsim({ vmsPerHost: 1 });
  sims.push(s);
  return s;
}

/**
 * A plain-HTTP stand-in for a broken vCenter or a proxy in front of one: answers the service content and
 * Login like vCenter, everything else as `answer` says; counts requests per SOAP method.
 */
async function brokenEndpoint(
  answer: (res: ServerResponse, method: string) => void,
): Promise<{ url: string; requests: (method?: string) => number }> {
  const seen: string[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      const method = /<(\w+) xmlns="urn:vim25">/.exec(body)?.[1] ?? '?';
      seen.push(method);
      if (method === 'RetrieveServiceContent') return soap(res, SERVICE_CONTENT);
      if (method === 'Login') return soap(res, LOGIN, { 'set-cookie': 'vmware_soap_session="fake"; Path=/; HttpOnly' });
      answer(res, method);
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/sdk`,
    requests: (method?: string) => seen.filter((m) => method === undefined || m === method).length,
  };
}

const SERVICE_CONTENT =
  '<RetrieveServiceContentResponse xmlns="urn:vim25"><returnval><rootFolder type="Folder">group-d1</rootFolder>' +
  '<propertyCollector type="PropertyCollector">propertyCollector</propertyCollector>' +
  '<viewManager type="ViewManager">ViewManager</viewManager>' +
  '<about><name>VMware vCenter Server</name><apiType>VirtualCenter</apiType><apiVersion>8.0.3.0</apiVersion></about>' +
  '<sessionManager type="SessionManager">SessionManager</sessionManager></returnval></RetrieveServiceContentResponse>';
const LOGIN = '<LoginResponse xmlns="urn:vim25"><returnval><key>k</key><userName>u</userName></returnval></LoginResponse>';

function soap(res: ServerResponse, body: string, headers: Record<string, string> = {}) {
  res
    .writeHead(200, { 'content-type': 'text/xml; charset=utf-8', ...headers })
    .end(
      '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">' +
        `<soapenv:Body>${body}</soapenv:Body></soapenv:Envelope>`,
    );
}

/** A client for a stand-in endpoint (plain HTTP, so no TLS policy applies). */
function endpointClient(url: string, overrides: Partial<VSphereClientOptions>): VSphereClient {
  const client = new VSphereClient({
    url,
    credentials: { username: 'u', password: 'p' },
    tls: { kind: 'ca', ca: [] },
    retryInitialDelayMs: 10,
    retryMaxDelayMs: 50,
    ...overrides,
  });
  clients.push(client);
  return client;
}

const HOST = { type: 'HostSystem', value: 'host-1' };
const VM = { type: 'VirtualMachine', value: 'vm-1' };

describe('vCenter unreachable or failing', () => {
  it('reports vcsim killed in the middle of a call as a connection error naming the vCenter and the method', async () => {
    const s = await sim();
    const client = clientFor(s);
    clients.push(client);
    const pc = await client.createPropertyCollector();
    const view = await client.createContainerView(['VirtualMachine']);
    await client.createFilter(pc, containerViewSpec(view, { VirtualMachine: ['name'] }));
    const { version } = await client.waitForUpdatesEx(pc, '', { maxWaitSeconds: 0 });

    // Kill vcsim as soon as the long-polling request has left: the call is in flight when the peer dies.
    const onSent = () => void s.kill();
    diagnostics.subscribe('undici:request:bodySent', onSent);
    let err: unknown;
    try {
      err = await client.waitForUpdatesEx(pc, version, { maxWaitSeconds: 60 }).catch((e: unknown) => e);
    } finally {
      diagnostics.unsubscribe('undici:request:bodySent', onSent);
    }
    expect(err).toBeInstanceOf(VSphereTransportError);
    expect((err as Error).message).toContain(s.url);
    expect((err as Error).message).toContain('WaitForUpdatesEx');

    // And afterwards nothing listens: connection refused.
    const next = await client
      .retrieveServiceContent()
      .then(() => client.getProperties(pc, ['filter']))
      .catch((e: unknown) => e);
    expect(next).toBeInstanceOf(VSphereTransportError);
    expect((next as VSphereTransportError).code).toBe('ECONNREFUSED');
  });

  it('opens the circuit breaker after repeated failures and then refuses calls without trying', async () => {
    const s = await sim();
    const client = clientFor(s, { retries: 0, breakerThreshold: 3, breakerHalfOpenAfterMs: 60 * 60_000 });
    clients.push(client);
    const host = await firstHostRef(client);
    await s.kill();
    for (let i = 0; i < 3; i++) await expect(client.getProperties(host, ['name'])).rejects.toBeInstanceOf(VSphereTransportError);
    expect(client.health().breaker).toBe('open');
    const err = await client.getProperties(host, ['name']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VSphereCircuitOpenError);
    expect((err as Error).message).toContain(s.url);
  });

  it('an open breaker names the failures that opened it and when it lets a probe through; a good probe closes it', async () => {
    let down = true;
    const endpoint = await brokenEndpoint((res) =>
      down
        ? res.writeHead(503, { 'content-type': 'text/html' }).end('<html>Service Unavailable</html>')
        : soap(
            res,
            '<RetrievePropertiesExResponse xmlns="urn:vim25"><returnval><objects><obj type="HostSystem">host-1</obj>' +
              '<propSet><name>name</name><val xsi:type="xsd:string">esx01</val></propSet>' +
              '</objects></returnval></RetrievePropertiesExResponse>',
          ),
    );
    const client = endpointClient(endpoint.url, { retries: 0, breakerThreshold: 2, breakerHalfOpenAfterMs: 300 });
    for (let i = 0; i < 2; i++) await expect(client.getProperties(HOST, ['name'])).rejects.toBeInstanceOf(VSphereHttpError);
    const health = client.health();
    expect(health).toMatchObject({ breaker: 'open', consecutiveFailures: 2 });
    const retryAt = health.breakerRetryAt!;
    expect(retryAt).toBeInstanceOf(Date);

    const err = (await client.getProperties(HOST, ['name']).catch((e: unknown) => e)) as VSphereCircuitOpenError;
    expect(err).toBeInstanceOf(VSphereCircuitOpenError);
    expect(err).toMatchObject({ consecutiveFailures: 2, retryAt });
    expect(err.message).toBe(
      `vCenter ${endpoint.url} circuit open after 2 consecutive failures; next attempt allowed after ${retryAt.toISOString()} ` +
        `(last failure: ${err.lastFailure!.message})`,
    );
    expect(err.lastFailure).toBeInstanceOf(VSphereHttpError);
    expect(endpoint.requests('RetrievePropertiesEx')).toBe(2); // refused without contacting vCenter

    down = false;
    await waitFor('the half-open time', async () => (Date.now() >= retryAt.getTime() ? true : undefined), 10_000, 20);
    expect(await client.getProperties(HOST, ['name'])).toEqual({ name: 'esx01' });
    expect(client.health()).toMatchObject({ breaker: 'closed', consecutiveFailures: 0, breakerRetryAt: undefined });
  });

  it('retries an idempotent read with backoff, each attempt counting toward the breaker', async () => {
    const endpoint = await brokenEndpoint((res) =>
      res.writeHead(503, { 'content-type': 'text/html' }).end('<html>Service Unavailable</html>'),
    );
    const client = endpointClient(endpoint.url, { retries: 2, breakerThreshold: 3 });
    const err = await client.getProperties(HOST, ['name']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VSphereHttpError);
    expect(err).toMatchObject({ status: 503 });
    expect((err as Error).message).toContain('Service Unavailable');
    expect(endpoint.requests('RetrievePropertiesEx')).toBe(3);
    expect(client.health().breaker).toBe('open'); // three attempts, three failures
  });

  it('does not repeat a call that may have acted', async () => {
    const endpoint = await brokenEndpoint((res) => res.destroy()); // the connection drops after the request arrived
    const client = endpointClient(endpoint.url, { retries: 2, breakerThreshold: 10 });
    const err = await client.invoke('PowerOffVM_Task', VM).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VSphereTransportError);
    expect(endpoint.requests('PowerOffVM_Task')).toBe(1);
    // The same escape hatch retries when the caller vouches the call is a read.
    await client
      .invoke('RetrievePropertiesEx', { type: 'PropertyCollector', value: 'propertyCollector' }, {}, { idempotent: true })
      .catch(() => undefined);
    expect(endpoint.requests('RetrievePropertiesEx')).toBe(3);
  });

  it('gives up on a call that gets no answer within the request timeout', async () => {
    const endpoint = await brokenEndpoint(() => undefined); // reads the request, never answers
    const client = endpointClient(endpoint.url, { retries: 0, requestTimeoutMs: 1_000 });
    const err = await client.getProperties(HOST, ['name']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VSphereTimeoutError);
    expect((err as Error).message).toContain('RetrievePropertiesEx');
  });

  it('refuses new calls beyond the concurrency limit and queue instead of piling them onto vCenter', async () => {
    const endpoint = await brokenEndpoint(() => undefined);
    const client = endpointClient(endpoint.url, { retries: 0, maxConcurrentRequests: 1, maxQueuedRequests: 1, requestTimeoutMs: 1_000 });
    await client.login();
    const results = await Promise.all([1, 2, 3].map(() => client.getProperties(HOST, ['name']).catch((e: unknown) => e)));
    expect(results.map((e) => (e as Error).name).sort()).toEqual(['VSphereLimitError', 'VSphereTimeoutError', 'VSphereTimeoutError']);
    expect(endpoint.requests('RetrievePropertiesEx')).toBe(2);
  });
});

async function firstHostRef(client: VSphereClient) {
  const view = await client.createContainerView(['HostSystem']);
  for await (const o of client.retrievePropertiesEx([containerViewSpec(view, { HostSystem: ['name'] })])) return o.obj;
  throw new Error('no host');
}
