/**
 * `eio`: the operations runbook as commands (docs/operations.md lists them beside each procedure). Every
 * command calls the public API with the chosen profile's URL and token; tables for people, `--json` for
 * scripts; following a sync, a discovery run or a job prints its progress on stderr.
 */
import { Command } from 'commander';
import { ApiError } from './client';
import { healthCommands } from './commands/health';
import { identityCommands } from './commands/identities';
import { inventoryCommands } from './commands/inventory';
import { jobCommands } from './commands/jobs';
import { profileCommands } from './commands/profile';
import { systemCommands } from './commands/system';

export function eioProgram(): Command {
  const program = new Command('eio')
    .description('EIO v2 operations: health, syncs, discovery, jobs, switches, identities, workers')
    .option('--profile <name>', 'connection profile (default: the current one, EIO_PROFILE, or EIO_URL)')
    .option('--json', 'print the API answer as JSON')
    .showHelpAfterError();
  profileCommands(program);
  healthCommands(program);
  inventoryCommands(program);
  jobCommands(program);
  systemCommands(program);
  identityCommands(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await eioProgram().parseAsync(argv);
  } catch (e) {
    process.stderr.write(`eio: ${e instanceof ApiError || e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  }
}
