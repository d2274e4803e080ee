/**
 * `npm run migrate [-- --data-dir .eio]`: one record migration pass (usecases/record-migration.ts) in the
 * running local stack, through its control socket; prints the pass's counts. The stack also migrates at start.
 */
import { resolve } from 'node:path';
import { Command } from 'commander';
import { askControl, controlSocketOf } from './control-socket';

const program = new Command('migrate').option('--data-dir <dir>', 'data directory', process.env.EIO_DATA_DIR ?? '.eio').parse();
const o = program.opts<{ dataDir: string }>();

async function run(): Promise<unknown> {
  const answer = await askControl(controlSocketOf(resolve(o.dataDir)), 'migrate');
  if (!answer) throw new Error(`no local stack runs on ${o.dataDir}: start it (npm start), which migrates stored records as it starts`);
  if (!answer.ok) throw new Error(answer.error);
  return answer.value;
}

run().then(
  (m) => process.stdout.write(`${JSON.stringify(m, null, 2)}\n`),
  (e: Error) => {
    process.stderr.write(`migrate failed: ${e.message}\n`);
    process.exitCode = 1;
  },
);
