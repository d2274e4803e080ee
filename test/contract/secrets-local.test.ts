import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalFileSecrets, SecretsFileError } from '../../shared/adapters/secrets/local-file-secrets';
import { secretsContract } from './secrets.contract';

const dirs: string[] = [];
async function freshDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'eio-secrets-'));
  dirs.push(dir);
  return dir;
}
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

const mode = async (file: string) => (await stat(file)).mode & 0o777;

/** The rejection of `p`, failing the test if `p` resolves. */
async function rejectionOf(p: Promise<unknown>): Promise<Error> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(Error);
  return err as Error;
}

secretsContract('LocalFileSecrets', async () => LocalFileSecrets.open(await freshDir()));

describe('LocalFileSecrets on disk', () => {
  const PASSWORD = 'S3cr3t-iDRAC-root-password-ü';

  it('never writes the plaintext value or ref into secrets.enc', async () => {
    const dir = await freshDir();
    const s = await LocalFileSecrets.open(dir);
    await s.put('si-plaintext-probe', PASSWORD);
    const bytes = await readFile(join(dir, 'secrets.enc'));
    expect(bytes.includes(Buffer.from(PASSWORD, 'utf8'))).toBe(false);
    expect(bytes.includes(Buffer.from(PASSWORD, 'utf16le'))).toBe(false);
    expect(bytes.includes(Buffer.from('si-plaintext-probe'))).toBe(false);
    expect(bytes.toString('latin1')).not.toContain('S3cr3t');
  });

  it('uses a fresh IV per write: the same content encrypts differently', async () => {
    const dir = await freshDir();
    const s = await LocalFileSecrets.open(dir);
    await s.put('si-001', PASSWORD);
    const first = await readFile(join(dir, 'secrets.enc'));
    await s.put('si-001', PASSWORD);
    const second = await readFile(join(dir, 'secrets.enc'));
    expect(second.length).toBe(first.length);
    expect(second.equals(first)).toBe(false);
  });

  it('creates a 32-byte key and the data file with mode 0600', async () => {
    const dir = await freshDir();
    const s = await LocalFileSecrets.open(dir);
    await s.put('si-001', PASSWORD);
    expect(await mode(join(dir, 'secrets.key'))).toBe(0o600);
    expect(await mode(join(dir, 'secrets.enc'))).toBe(0o600);
    expect((await readFile(join(dir, 'secrets.key'))).length).toBe(32);
  });

  it('leaves no temp files behind after concurrent writes', async () => {
    const dir = await freshDir();
    const s = await LocalFileSecrets.open(dir);
    await Promise.all(Array.from({ length: 20 }, (_, i) => s.put(`si-${i}`, `v${i}`)));
    expect((await readdir(dir)).sort()).toEqual(['secrets.enc', 'secrets.key']);
  });

  it('reopening the directory reads the same values', async () => {
    const dir = await freshDir();
    const first = await LocalFileSecrets.open(dir);
    await first.put('si-001', PASSWORD);
    await first.put('si-002', 'vcenter-pass');
    await first.delete('si-002');
    const reopened = await LocalFileSecrets.open(dir);
    expect(await reopened.get('si-001')).toBe(PASSWORD);
    await expect(reopened.get('si-002')).rejects.toMatchObject({ name: 'SecretNotFoundError' });
  });

  it('a flipped byte in secrets.enc fails with an error naming the file and no secret', async () => {
    const dir = await freshDir();
    const s = await LocalFileSecrets.open(dir);
    await s.put('si-001', PASSWORD);
    const file = join(dir, 'secrets.enc');
    const bytes = await readFile(file);
    bytes[bytes.length - 3]! ^= 0x01;
    await writeFile(file, bytes);

    for (const err of [await rejectionOf(s.get('si-001')), await rejectionOf(LocalFileSecrets.open(dir))]) {
      expect(err).toBeInstanceOf(SecretsFileError);
      expect(err.message).toContain(file);
      expect(err.message).toMatch(/modified|different key|key other than/);
      expect(err.message).not.toContain('S3cr3t');
      expect(String(err.stack)).not.toContain('S3cr3t');
    }
    // A failed write path must not replace the damaged file with an empty store.
    await expect(s.put('si-002', 'x')).rejects.toBeInstanceOf(SecretsFileError);
    expect((await readFile(file)).equals(bytes)).toBe(true);
  });

  it('a key other than the one that wrote the file is detected', async () => {
    const dir = await freshDir();
    await (await LocalFileSecrets.open(dir)).put('si-001', PASSWORD);
    await writeFile(join(dir, 'secrets.key'), randomBytes(32), { mode: 0o600 });
    const err = await rejectionOf(LocalFileSecrets.open(dir));
    expect(err.message).toContain(join(dir, 'secrets.enc'));
    expect(err.message).not.toContain('S3cr3t');
  });

  it('a truncated secrets.enc fails clearly', async () => {
    const dir = await freshDir();
    await (await LocalFileSecrets.open(dir)).put('si-001', PASSWORD);
    await writeFile(join(dir, 'secrets.enc'), Buffer.from('EIO'));
    const err = await rejectionOf(LocalFileSecrets.open(dir));
    expect(err.message).toMatch(/truncated or not an EIO secrets file/);
  });

  it('refuses a key file readable by group or others (0644), the way ssh does', async () => {
    const dir = await freshDir();
    await (await LocalFileSecrets.open(dir)).put('si-001', PASSWORD);
    const keyFile = join(dir, 'secrets.key');
    await chmod(keyFile, 0o644);
    const err = await rejectionOf(LocalFileSecrets.open(dir));
    expect(err).toBeInstanceOf(SecretsFileError);
    expect(err.message).toContain(keyFile);
    expect(err.message).toContain('0644');
    expect(err.message).toContain('chmod 600');
    await chmod(keyFile, 0o640);
    await expect(LocalFileSecrets.open(dir)).rejects.toThrow(/too open/);
    await chmod(keyFile, 0o600);
    expect(await (await LocalFileSecrets.open(dir)).get('si-001')).toBe(PASSWORD);
  });

  it('refuses to mint a new key when secrets.enc exists without one', async () => {
    const dir = await freshDir();
    await (await LocalFileSecrets.open(dir)).put('si-001', PASSWORD);
    await rm(join(dir, 'secrets.key'));
    await expect(LocalFileSecrets.open(dir)).rejects.toThrow(/Key file .*secrets\.key' is missing/);
    expect(await readdir(dir)).toEqual(['secrets.enc']);
  });
});
