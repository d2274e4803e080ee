import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RECOVERY_WINDOW_DAYS, SecretsManagerSecrets } from '../../shared/adapters/secrets/secrets-manager-secrets';
import { SecretNotFoundError } from '../../shared/ports/secrets';
import { type FakeSecretsManager, startFakeSecretsManager } from '../support/fake-secrets-manager-server';
import { secretsContract } from './secrets.contract';

// The real SDK client against the fake Secrets Manager on loopback; no AWS is reachable from tests.
let fake: FakeSecretsManager;
let client: SecretsManagerClient;
beforeAll(async () => {
  fake = await startFakeSecretsManager();
  client = new SecretsManagerClient({
    endpoint: fake.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
});
afterAll(async () => {
  client.destroy();
  await fake.close();
});

let run = 0;
const freshPrefix = () => `eio-test/${++run}/`;

// Default options: the cache is on, so the contract also proves put/delete are visible at once in this container.
secretsContract('SecretsManagerSecrets (cached)', async () => new SecretsManagerSecrets(client, { prefix: freshPrefix() }));
secretsContract(
  'SecretsManagerSecrets (uncached)',
  async () => new SecretsManagerSecrets(client, { prefix: freshPrefix(), cacheTtlMs: 0 }),
);

describe('SecretsManagerSecrets against the Secrets Manager protocol', () => {
  let prefix: string;
  let now: number;
  const clock = { now: () => now };
  const adapter = (cacheTtlMs?: number) => new SecretsManagerSecrets(client, { prefix, clock, cacheTtlMs });
  const callsOf = (op: string) => fake.calls.filter((c) => c === op).length;

  beforeEach(() => {
    prefix = freshPrefix();
    now = 1_000_000;
  });

  it('stores each ref under the secret name <prefix><ref>', async () => {
    await adapter().put('si-001', 'calvin');
    expect(fake.secrets.get(`${prefix}si-001`)?.value).toBe('calvin');
  });

  it('takes the prefix from config when none is given', async () => {
    await new SecretsManagerSecrets(client).put('si-from-config', 'calvin');
    expect(fake.secrets.get('eio/service-identities/si-from-config')?.value).toBe('calvin');
  });

  it(`delete schedules deletion with a ${RECOVERY_WINDOW_DAYS}-day recovery window instead of force deleting`, async () => {
    const s = adapter();
    await s.put('si-001', 'calvin');
    await s.delete('si-001');
    const stored = fake.secrets.get(`${prefix}si-001`);
    expect(stored?.deletedDate).toBeDefined();
    expect(stored?.recoveryWindowInDays).toBe(7);
    expect(stored?.value).toBe('calvin'); // still recoverable by an operator
  });

  it('put after delete restores the scheduled secret (same ARN) and writes the new value', async () => {
    const s = adapter();
    await s.put('si-001', 'first');
    const arn = fake.secrets.get(`${prefix}si-001`)?.arn;
    await s.delete('si-001');
    const restoresBefore = callsOf('RestoreSecret');
    await s.put('si-001', 'second');
    expect(callsOf('RestoreSecret')).toBe(restoresBefore + 1);
    const stored = fake.secrets.get(`${prefix}si-001`);
    expect(stored?.arn).toBe(arn);
    expect(stored?.deletedDate).toBeUndefined();
    expect(await s.get('si-001')).toBe('second');
  });

  it('a secret force-deleted elsewhere (purged) is created afresh by put', async () => {
    const s = adapter(0);
    await s.put('si-001', 'first');
    fake.secrets.delete(`${prefix}si-001`);
    await expect(s.get('si-001')).rejects.toBeInstanceOf(SecretNotFoundError);
    await s.put('si-001', 'second');
    expect(await s.get('si-001')).toBe('second');
  });

  it('serves repeated gets from the cache within the TTL and refetches after it', async () => {
    const s = adapter(30_000);
    await s.put('si-001', 'calvin');
    const before = callsOf('GetSecretValue');
    expect(await s.get('si-001')).toBe('calvin');
    expect(await s.get('si-001')).toBe('calvin');
    expect(callsOf('GetSecretValue')).toBe(before + 1);
    now += 30_001;
    expect(await s.get('si-001')).toBe('calvin');
    expect(callsOf('GetSecretValue')).toBe(before + 2);
  });

  it('a rotation by this container is visible at once; by another container within the TTL', async () => {
    const here = adapter(30_000);
    const other = adapter(30_000);
    await here.put('si-001', 'old');
    expect(await here.get('si-001')).toBe('old');
    expect(await other.get('si-001')).toBe('old');

    await here.put('si-001', 'new');
    expect(await here.get('si-001')).toBe('new');
    expect(await other.get('si-001')).toBe('old'); // bounded staleness, by design
    now += 30_001;
    expect(await other.get('si-001')).toBe('new');
  });

  it('a read that answers after a rotation completed does not cache the old value', async () => {
    const s = adapter(30_000);
    await s.put('si-001', 'old');
    const hold = fake.holdNextResponse('GetSecretValue');
    const slowGet = s.get('si-001');
    await hold.handled; // the old value has been read server-side
    await s.put('si-001', 'new');
    hold.release();
    expect(await slowGet).toBe('old'); // it began before the put: either answer is fine
    expect(await s.get('si-001')).toBe('new');
  });

  it('does not cache misses, so a secret created elsewhere is found on the next get', async () => {
    const here = adapter(30_000);
    await expect(here.get('si-001')).rejects.toBeInstanceOf(SecretNotFoundError);
    await adapter(30_000).put('si-001', 'calvin');
    expect(await here.get('si-001')).toBe('calvin');
  });

  it('with the cache off every get asks Secrets Manager', async () => {
    const s = adapter(0);
    await s.put('si-001', 'calvin');
    const before = callsOf('GetSecretValue');
    await s.get('si-001');
    await s.get('si-001');
    expect(callsOf('GetSecretValue')).toBe(before + 2);
  });

  it('an InvalidRequestException on a live secret propagates instead of reading as "not found"', async () => {
    const s = adapter(0);
    await s.put('si-001', 'calvin');
    fake.failNext('GetSecretValue', 'InvalidRequestException');
    await expect(s.get('si-001')).rejects.toMatchObject({ name: 'InvalidRequestException' });
    fake.failNext('PutSecretValue', 'InvalidRequestException');
    await expect(s.put('si-001', 'other')).rejects.toMatchObject({ name: 'InvalidRequestException' });
    expect(await s.get('si-001')).toBe('calvin');
  });

  it('service failures propagate from get, put and delete', async () => {
    const s = adapter(0);
    await s.put('si-001', 'calvin');
    fake.failNext('GetSecretValue', 'InternalServiceError', 500);
    await expect(s.get('si-001')).rejects.toMatchObject({ name: 'InternalServiceError' });
    fake.failNext('PutSecretValue', 'InternalServiceError', 500);
    await expect(s.put('si-001', 'x')).rejects.toMatchObject({ name: 'InternalServiceError' });
    fake.failNext('DeleteSecret', 'InternalServiceError', 500);
    await expect(s.delete('si-001')).rejects.toMatchObject({ name: 'InternalServiceError' });
    expect(await s.get('si-001')).toBe('calvin');
  });

  it('puts a secret on the rotation schedule it was configured with, without rotating it now; none configured, no call', async () => {
    await adapter().put('si-001/a', 'calvin');
    await adapter().scheduleRotation('si-001/a');
    expect(callsOf('RotateSecret')).toBe(0);
    const rotation = {
      functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:eio-secret-rotation',
      scheduleExpression: 'rate(30 days)',
    };
    await new SecretsManagerSecrets(client, { prefix, rotation }).scheduleRotation('si-001/a');
    expect(fake.secrets.get(`${prefix}si-001/a`)?.rotation).toEqual({
      lambdaArn: rotation.functionArn,
      scheduleExpression: 'rate(30 days)',
      rotateImmediately: false,
    });
  });

  it("reads the ref out of the ARN Secrets Manager hands its rotation function, and refuses a secret that is not EIO's", async () => {
    await adapter().put('si-001/a', 'calvin');
    const arn = fake.secrets.get(`${prefix}si-001/a`)!.arn;
    expect(await adapter().refOf(arn)).toBe('si-001/a');
    await new SecretsManagerSecrets(client, { prefix: 'other/' }).put('x', 'y');
    await expect(adapter().refOf(fake.secrets.get('other/x')!.arn)).rejects.toThrow(/not a service-identity secret of EIO/);
  });
});
