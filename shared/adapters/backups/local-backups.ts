/**
 * Backups of the local stack: each `npm run backup` is a directory under the backups directory with a
 * `manifest.json` (infra/local/data-backup.ts writes it); the latest is the newest manifest.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BackupStatus, Backups, RecoveryPoint } from '../../ports/backups';

export const MANIFEST = 'manifest.json';

/** What data-backup.ts records about one backup. */
export type BackupManifest = { id: string; created_at: string; size_bytes: number; items: number; files: string[]; eio_version: string };

export class LocalBackups implements Backups {
  constructor(private readonly dir: string) {}

  async status(): Promise<BackupStatus> {
    return { runtime: 'local', latest: await this.latest() };
  }

  private async latest(): Promise<RecoveryPoint | null> {
    const entries = await readdir(this.dir).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return [] as string[];
      throw e;
    });
    let newest: BackupManifest | undefined;
    for (const name of entries) {
      const m = await readFile(join(this.dir, name, MANIFEST), 'utf8').then(
        (t) => JSON.parse(t) as BackupManifest,
        () => undefined, // a backup still being written has no manifest yet
      );
      if (m && (!newest || m.created_at > newest.created_at)) newest = m;
    }
    return newest
      ? {
          id: newest.id,
          created_at: newest.created_at,
          kind: 'local',
          status: 'completed',
          size_bytes: newest.size_bytes,
          location: join(this.dir, newest.id),
        }
      : null;
  }
}
