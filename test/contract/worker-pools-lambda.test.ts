/**
 * LambdaWorkerPools over the real Lambda SDK client against a small fake of the event-source-mapping API
 * (REST JSON: GET/PUT /2015-03-31/event-source-mappings/{UUID}): drain disables the mapping, undrain enables
 * it, scaling sets ScalingConfig.MaximumConcurrency, and state reads them back.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LambdaWorkerPools } from '../../shared/adapters/worker-pools/lambda-worker-pools';
import type { Queue } from '../../shared/ports/queue';

type Mapping = { UUID: string; State: string; ScalingConfig?: { MaximumConcurrency?: number } };
const mappings = new Map<string, Mapping>([
  ['uuid-jobs', { UUID: 'uuid-jobs', State: 'Enabled', ScalingConfig: { MaximumConcurrency: 4 } }],
]);
const updates: unknown[] = [];

const server = createServer(async (req, res) => {
  const uuid = decodeURIComponent(/^\/2015-03-31\/event-source-mappings\/([^/?]+)/.exec(req.url ?? '')?.[1] ?? '');
  const mapping = mappings.get(uuid);
  let body = '';
  for await (const chunk of req) body += chunk;
  if (!mapping) {
    res.writeHead(404, { 'content-type': 'application/json', 'x-amzn-errortype': 'ResourceNotFoundException' });
    res.end(JSON.stringify({ message: 'not found' }));
    return;
  }
  if (req.method === 'PUT') {
    const update = JSON.parse(body) as { Enabled?: boolean; ScalingConfig?: Mapping['ScalingConfig'] };
    updates.push(update);
    if (update.Enabled !== undefined) mapping.State = update.Enabled ? 'Enabled' : 'Disabled';
    if (update.ScalingConfig) mapping.ScalingConfig = update.ScalingConfig;
  }
  res.writeHead(req.method === 'PUT' ? 202 : 200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(mapping));
});

const queue = { stats: async () => ({ depth: 0, inFlight: 0, oldestAgeSeconds: 0, deadLetterDepth: 0 }) } as unknown as Queue;
let pools: LambdaWorkerPools;

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const lambda = new LambdaClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  pools = new LambdaWorkerPools(lambda, queue, { jobs: 'uuid-jobs' });
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('LambdaWorkerPools', () => {
  it("scales a pool through its mapping's maximum concurrency and reads it back", async () => {
    await pools.setConcurrency('jobs', 12);
    expect(updates.at(-1)).toEqual({ ScalingConfig: { MaximumConcurrency: 12 } });
    expect(await pools.state('jobs')).toMatchObject({ pool: 'jobs', concurrency: 12, draining: false });
  });

  it('drains by disabling the mapping and undrains by enabling it', async () => {
    await pools.drain('jobs');
    expect(updates.at(-1)).toEqual({ Enabled: false });
    expect((await pools.state('jobs')).draining).toBe(true);
    await pools.undrain('jobs');
    expect((await pools.state('jobs')).draining).toBe(false);
  });

  it('an unknown pool is not found before any call', async () => {
    const before = updates.length;
    await expect(pools.setConcurrency('nope', 3)).rejects.toMatchObject({ status: 404 });
    expect(updates).toHaveLength(before);
  });
});
