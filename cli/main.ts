/**
 * `eio`: the operations runbook as commands (docs/operations.md lists them beside each procedure). Every
 * command calls the public API with the chosen profile's URL and token; tables for people, `--json` for
 * scripts; following a sync, a discovery run, a job or a credential rotation prints its progress on stderr.
 * test/unit/cli-routes.test.ts keeps every route an operator needs behind a command.
 */
import { Command } from 'commander';
import { ApiError } from './client';
import { approvalCommands } from './commands/approvals';
import { auditCommands } from './commands/audit';
import { dellCommands } from './commands/dell';
import { firmwareCommands } from './commands/firmware';
import { healthCommands } from './commands/health';
import { identityCommands } from './commands/identities';
import { ipamCommands } from './commands/ipam';
import { jobCommands } from './commands/jobs';
import { profileCommands } from './commands/profile';
import { systemCommands } from './commands/system';
import { upstreamCommands } from './commands/upstreams';
import { vcenterCommands } from './commands/vcenter';

export function eioProgram(): Command {
  const program = new Command('eio')
    .description('EIO v2 operations: health, syncs, discovery, jobs, approvals, switches, upstreams, identities, workers')
    .option('--profile <name>', 'connection profile (default: the current one, EIO_PROFILE, or EIO_URL)')
    .option('--json', 'print the API answer as JSON')
    .showHelpAfterError();
  profileCommands(program);
  healthCommands(program);
  vcenterCommands(program);
  dellCommands(program);
  jobCommands(program);
  approvalCommands(program);
  systemCommands(program);
  upstreamCommands(program);
  identityCommands(program);
  ipamCommands(program);
  firmwareCommands(program);
  auditCommands(program);
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
