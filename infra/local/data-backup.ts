/**
 * Backup and restore of the local stack's data directory (`npm run backup`, `npm run restore`).
 *
 * The table is exported, not copied: LevelDB's files change under a running engine (writes, background
 * compaction), so a file copy could pair a manifest with tables it no longer names. The engine's thread
 * reads every entry through one iterator, which LevelDB serves from a snapshot: the export is the table at
 * one instant, taken while the stack keeps working (embedded-dynamodb.ts `exportTo`). With the stack
 * stopped, the same export reads the directory directly, holding its lock so no stack starts meanwhile.
 *
 * The other files (queue messages, drained pools, secrets, signing keys, simulator certificates) are each
 * written whole by an atomic rename, so each copy is one consistent version. Across files a backup taken
 * while running may hold a job message from just before or after the table's instant; the restarted stack
 * settles that as after a crash (housekeeping re-dispatches queued jobs, reconciliation resumes or fails
 * running ones).
 *
 * A restore needs the stack stopped; it moves the current data aside (`<data dir>/pre-restore-<time>`)
 * rather than deleting it, then imports the table and puts the files back.
 */
import { createReadStream } from 'node:fs';
import { cp, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { type BackupManifest, MANIFEST } from '../../shared/adapters/backups/local-backups';
import { config } from '../../shared/config';

/** The files and directories of a data directory a backup holds besides the table. */
const DATA_FILES = ['queues.json', 'worker-pools.json', 'secrets', 'auth', 'idrac-simulator-certs', 'demo-seeded', 'demo-vcenter-seeded'];
export const TABLE_EXPORT = 'dynamodb.ndjson';
const TABLE_DIR = 'dynamodb';

export const backupsDirOf = (dataDir: string) => join(dataDir, 'backups');

type LevelDb = {
  open(): Promise<void>;
  close(): Promise<void>;
  iterator(): AsyncIterable<[string, unknown]>;
  batch(ops: { type: 'put'; key: string; value: unknown }[]): Promise<void>;
};
type LevelModule = { Level: new (location: string, options: { valueEncoding: 'json' }) => LevelDb };
// The very `level` dynalite uses (and its JSON value encoding), resolved from dynalite itself.
const levelModule = () => createRequire(createRequire(import.meta.url).resolve('dynalite'))('level') as LevelModule;

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

/** Exports a table directory nobody has open (the stack is stopped); its lock is held meanwhile. */
export async function exportStoppedTable(dataDir: string, file: string): Promise<number> {
  const db = new (levelModule().Level)(join(dataDir, TABLE_DIR), { valueEncoding: 'json' });
  await db.open();
  try {
    const lines: string[] = [];
    for await (const entry of db.iterator()) lines.push(JSON.stringify(entry));
    await writeFile(file, lines.length ? `${lines.join('\n')}\n` : '', { mode: 0o600 });
    return lines.length;
  } finally {
    await db.close();
  }
}

/**
 * Takes one backup into `<backups>/<id>/`: the table through `exportTable` (the running engine's, or
 * exportStoppedTable), then the files; the manifest is written last, so a backup without one is incomplete.
 */
export async function backupDataDir(opts: {
  dataDir: string;
  exportTable: (file: string) => Promise<number>;
  backupsDir?: string;
  now?: Date;
}): Promise<BackupManifest> {
  const at = (opts.now ?? new Date()).toISOString();
  const id = `backup-${at.replace(/[:.]/g, '-')}`;
  const dir = join(opts.backupsDir ?? backupsDirOf(opts.dataDir), id);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const items = await opts.exportTable(join(dir, TABLE_EXPORT));
  const files: string[] = [TABLE_EXPORT];
  for (const name of DATA_FILES) {
    if (!(await exists(join(opts.dataDir, name)))) continue;
    await cp(join(opts.dataDir, name), join(dir, name), { recursive: true, preserveTimestamps: true });
    files.push(name);
  }
  let size = 0;
  for (const f of files) size += await sizeOf(join(dir, f));
  const manifest: BackupManifest = { id, created_at: at, size_bytes: size, items, files, eio_version: config().version };
  await writeFile(join(dir, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
  return manifest;
}

async function sizeOf(path: string): Promise<number> {
  const s = await stat(path);
  if (!s.isDirectory()) return s.size;
  let total = 0;
  for (const e of await readdir(path)) total += await sizeOf(join(path, e));
  return total;
}

/** Reads a backup's manifest and checks the table export has exactly the entries it counted. */
export async function verifyBackup(dir: string): Promise<BackupManifest> {
  const manifest = JSON.parse(await readFile(join(dir, MANIFEST), 'utf8')) as BackupManifest;
  let lines = 0;
  for await (const line of createInterface({ input: createReadStream(join(dir, TABLE_EXPORT)) })) {
    if (!line) continue;
    JSON.parse(line);
    lines++;
  }
  if (lines !== manifest.items) throw new Error(`${dir}: the table export holds ${lines} entries, the manifest says ${manifest.items}`);
  return manifest;
}

/** Restores a backup into a stopped stack's data directory; the data it replaces is kept aside. */
export async function restoreDataDir(opts: {
  dataDir: string;
  from: string;
  now?: Date;
}): Promise<{ manifest: BackupManifest; keptAside: string }> {
  const from = resolve(opts.from);
  const manifest = await verifyBackup(from);
  const aside = join(opts.dataDir, `pre-restore-${(opts.now ?? new Date()).toISOString().replace(/[:.]/g, '-')}`);
  await mkdir(aside, { recursive: true, mode: 0o700 });
  // Opening the table first fails while a stack holds it: nothing is moved unless the stack is stopped.
  const probe = new (levelModule().Level)(join(opts.dataDir, TABLE_DIR), { valueEncoding: 'json' });
  await probe.open().catch((e: { cause?: { code?: string } }) => {
    if (e.cause?.code === 'LEVEL_LOCKED') throw new Error(`${opts.dataDir} is in use by a running local stack: stop it before a restore`);
    throw e;
  });
  await probe.close();
  for (const name of [TABLE_DIR, ...DATA_FILES]) {
    if (await exists(join(opts.dataDir, name))) await rename(join(opts.dataDir, name), join(aside, name));
  }
  const db = new (levelModule().Level)(join(opts.dataDir, TABLE_DIR), { valueEncoding: 'json' });
  await db.open();
  try {
    let batch: { type: 'put'; key: string; value: unknown }[] = [];
    for await (const line of createInterface({ input: createReadStream(join(from, TABLE_EXPORT)) })) {
      if (!line) continue;
      const [key, value] = JSON.parse(line) as [string, unknown];
      batch.push({ type: 'put', key, value });
      if (batch.length >= 500) {
        await db.batch(batch);
        batch = [];
      }
    }
    if (batch.length) await db.batch(batch);
  } finally {
    await db.close();
  }
  for (const name of manifest.files) {
    if (name === TABLE_EXPORT) continue;
    await rm(join(opts.dataDir, name), { recursive: true, force: true });
    await cp(join(from, name), join(opts.dataDir, name), { recursive: true, preserveTimestamps: true });
  }
  return { manifest, keptAside: aside };
}
