/**
 * `npm run backup [-- --data-dir .eio]`: one backup of the local stack's data into `<data dir>/backups/`,
 * while it runs (the stack takes it: control-socket.ts) or while it is stopped; prints the backup's manifest.
 * `npm run backup -- --verify <dir>` checks a backup (manifest against its table export).
 */
import { resolve } from 'node:path';
import { Command } from 'commander';
import { askControl, controlSocketOf } from './control-socket';
import { backupDataDir, exportStoppedTable, verifyBackup } from './data-backup';

const program = new Command('backup')
  .option('--data-dir <dir>', 'data directory', process.env.EIO_DATA_DIR ?? '.eio')
  .option('--verify <backup dir>', 'check a backup instead of taking one')
  .parse();
const o = program.opts<{ dataDir: string; verify?: string }>();

async function run(): Promise<unknown> {
  if (o.verify) return verifyBackup(resolve(o.verify));
  const dataDir = resolve(o.dataDir);
  const running = await askControl(controlSocketOf(dataDir), 'backup');
  if (running) {
    if (!running.ok) throw new Error(running.error);
    return running.value;
  }
  return backupDataDir({ dataDir, exportTable: (file) => exportStoppedTable(dataDir, file) });
}

run().then(
  (m) => process.stdout.write(`${JSON.stringify(m, null, 2)}\n`),
  (e: Error) => {
    process.stderr.write(`backup failed: ${e.message}\n`);
    process.exitCode = 1;
  },
);
