/**
 * Secrets for the local stack: every secret in one AES-256-GCM encrypted file `<dir>/secrets.enc`, the key in
 * `<dir>/secrets.key`. Both files are 0600; a key readable by group or others is refused, as ssh refuses a
 * private key, because anyone who can read it can read every iDRAC and vCenter password.
 *
 * File layout: MAGIC (5 bytes, also bound to the ciphertext as AAD) | IV (12) | auth tag (16) | ciphertext of
 * `{"v":1,"secrets":{ref:value},"versions":{ref:version id},"pending":{ref:{versionId,value}}}` (the last two
 * only once a rotation staged a version: see staging.ts). The file is re-read on every call, so another process that shares the
 * directory (a CLI next to the running stack) never sees stale values; a file of a few KB costs microseconds.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../../lib/atomic-file';
import { type PendingSecret, SecretNotFoundError, type Secrets } from '../../ports/secrets';
import { discardVersion, emptyStaged, promoteVersion, putCurrent, putPendingVersion, removeSecret, type StagedSecrets } from './staging';

/** The file's format marker and version (see the layout above). */
const MAGIC = Buffer.from('EIOS\x01', 'latin1');
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
const HEADER_BYTES = MAGIC.length + IV_BYTES + TAG_BYTES;

/** Raised for an unusable key or data file; names the file, never carries secret material. */
export class SecretsFileError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(message);
    this.name = 'SecretsFileError';
  }
}

export class LocalFileSecrets implements Secrets {
  readonly dataFile: string;
  readonly keyFile: string;
  // Tail of the write queue: each put/delete is a read-modify-write of the whole file, so they run one at a time.
  private writes: Promise<unknown> = Promise.resolve();

  private constructor(
    dir: string,
    private readonly key: Buffer,
  ) {
    this.dataFile = join(dir, 'secrets.enc');
    this.keyFile = join(dir, 'secrets.key');
  }

  /** Opens (creating if needed) the store in `dir`; fails fast on a too-open key or an undecryptable file. */
  static async open(dir: string): Promise<LocalFileSecrets> {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const dataFile = join(dir, 'secrets.enc');
    const key = await loadOrCreateKey(join(dir, 'secrets.key'), await exists(dataFile));
    const store = new LocalFileSecrets(dir, key);
    await store.read(); // surface tampering or a wrong key at startup, not at the first job
    return store;
  }

  async put(ref: string, value: string): Promise<void> {
    await this.change((state) => {
      putCurrent(state, ref, value);
      return true;
    });
  }

  async get(ref: string): Promise<string> {
    // No lock needed: writes replace the file by rename, so a read sees the old or the new file, never half.
    const { secrets } = await this.read();
    if (!Object.hasOwn(secrets, ref)) throw new SecretNotFoundError(ref);
    return secrets[ref] as string;
  }

  async delete(ref: string): Promise<void> {
    await this.change((state) => removeSecret(state, ref));
  }

  async putPending(ref: string, versionId: string, value: string): Promise<void> {
    await this.change((state) => {
      putPendingVersion(state, ref, versionId, value);
      return true;
    });
  }

  async getPending(ref: string): Promise<PendingSecret | undefined> {
    const { pending } = await this.read();
    return Object.hasOwn(pending, ref) ? pending[ref] : undefined;
  }

  async promotePending(ref: string, versionId: string): Promise<void> {
    await this.change((state) => promoteVersion(state, ref, versionId));
  }

  async discardPending(ref: string, versionId: string): Promise<void> {
    await this.change((state) => discardVersion(state, ref, versionId));
  }

  /** No rotation schedule here: the local stack rotates when the API is asked. */
  async scheduleRotation(): Promise<void> {}

  async refOf(secretId: string): Promise<string> {
    return secretId;
  }

  /** One read-modify-write of the file; `apply` answers whether it changed anything worth writing. */
  private change(apply: (state: StagedSecrets) => boolean): Promise<void> {
    return this.serialized(async () => {
      const state = await this.read();
      if (apply(state)) await this.write(state);
    });
  }

  private serialized<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.writes.then(fn, fn);
    this.writes = run.catch(() => undefined); // one failed write must not wedge the queue
    return run;
  }

  private async read(): Promise<StagedSecrets> {
    let blob: Buffer;
    try {
      blob = await readFile(this.dataFile);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return emptyStaged();
      throw err;
    }
    return decrypt(blob, this.key, this.dataFile, this.keyFile);
  }

  private async write({ secrets, versions, pending }: StagedSecrets): Promise<void> {
    const iv = randomBytes(IV_BYTES); // never reuse an IV under one GCM key
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(MAGIC);
    const body = Buffer.concat([cipher.update(JSON.stringify({ v: 1, secrets, versions, pending }), 'utf8'), cipher.final()]);
    const blob = Buffer.concat([MAGIC, iv, cipher.getAuthTag(), body]);
    await writeFileAtomic(this.dataFile, blob);
  }
}

function decrypt(blob: Buffer, key: Buffer, dataFile: string, keyFile: string): StagedSecrets {
  if (blob.length < HEADER_BYTES || !blob.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new SecretsFileError(dataFile, `Secrets file '${dataFile}' is truncated or not an EIO secrets file`);
  }
  const iv = blob.subarray(MAGIC.length, MAGIC.length + IV_BYTES);
  const tag = blob.subarray(MAGIC.length + IV_BYTES, HEADER_BYTES);
  let plain: string;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv);
    decipher.setAAD(MAGIC);
    decipher.setAuthTag(tag);
    plain = Buffer.concat([decipher.update(blob.subarray(HEADER_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    throw new SecretsFileError(
      dataFile,
      `Secrets file '${dataFile}' failed authentication: it was modified or encrypted with a key other than '${keyFile}'`,
    );
  }
  try {
    const parsed = JSON.parse(plain) as { v?: unknown; secrets?: unknown; versions?: unknown; pending?: unknown };
    if (parsed.v !== 1 || typeof parsed.secrets !== 'object' || parsed.secrets === null) throw new Error();
    const state = emptyStaged();
    Object.assign(state.secrets, parsed.secrets);
    Object.assign(state.versions, parsed.versions ?? {});
    Object.assign(state.pending, parsed.pending ?? {});
    return state;
  } catch {
    // Deliberately drop the parser's message: it quotes the plaintext, which is secret.
    throw new SecretsFileError(dataFile, `Secrets file '${dataFile}' decrypted but its content is not valid`);
  }
}

async function loadOrCreateKey(keyFile: string, dataExists: boolean): Promise<Buffer> {
  if (!(await exists(keyFile))) {
    if (dataExists) {
      // A fresh key would silently orphan every stored secret; make the operator restore the key instead.
      throw new SecretsFileError(keyFile, `Key file '${keyFile}' is missing but secrets.enc exists beside it`);
    }
    try {
      const fh = await open(keyFile, 'wx', 0o600); // 'wx': two processes starting at once cannot both create a key
      try {
        await fh.writeFile(randomBytes(KEY_BYTES));
        await fh.sync();
      } finally {
        await fh.close();
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  const st = await stat(keyFile);
  if ((st.mode & 0o077) !== 0) {
    const mode = (st.mode & 0o777).toString(8).padStart(4, '0');
    throw new SecretsFileError(
      keyFile,
      `Permissions ${mode} for key file '${keyFile}' are too open: it must not be readable by group or others. ` +
        `Run: chmod 600 '${keyFile}'`,
    );
  }
  const key = await readFile(keyFile);
  if (key.length !== KEY_BYTES) {
    throw new SecretsFileError(keyFile, `Key file '${keyFile}' must hold exactly ${KEY_BYTES} bytes`);
  }
  return key;
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}
