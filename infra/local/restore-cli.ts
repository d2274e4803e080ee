/**
 * `npm run restore -- --from <backup dir | latest> [--data-dir .eio]`: puts a backup back into a stopped local
 * stack's data directory (data-backup.ts); the data it replaces is moved aside, not deleted.
 */
import { resolve } from 'node:path';
import { Command } from 'commander';
import { LocalBackups } from '../../shared/adapters/backups/local-backups';
import { backupsDirOf, restoreDataDir } from './data-backup';

const program = new Command('restore')
  .requiredOption('--from <dir>', 'backup directory, or "latest"')
  .option('--data-dir <dir>', 'data directory', process.env.EIO_DATA_DIR ?? '.eio')
  .parse();
const o = program.opts<{ from: string; dataDir: string }>();

async function run() {
  const dataDir = resolve(o.dataDir);
  let from = o.from;
  if (from === 'latest') {
    const latest = (await new LocalBackups(backupsDirOf(dataDir)).status()).latest;
    if (!latest) throw new Error(`no backup in ${backupsDirOf(dataDir)}`);
    from = latest.location;
  }
  return restoreDataDir({ dataDir, from });
}

run().then(
  (r) => process.stdout.write(`restored ${r.manifest.id} (${r.manifest.items} entries); the replaced data is in ${r.keptAside}\n`),
  (e: Error) => {
    process.stderr.write(`restore failed: ${e.message}\n`);
    process.exitCode = 1;
  },
);
