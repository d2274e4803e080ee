import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The local stack in a process of its own (test/support/engine-test-stack.ts, with the engine test job), on
 * `dataDir`, for tests that kill it with SIGKILL as a crash would. Resolves once it serves HTTP.
 */
export function startStackProcess(dataDir: string): Promise<{ child: ChildProcess; baseUrl: string }> {
  // `node --import tsx` rather than the tsx CLI: the CLI runs the script in a child process, which a SIGKILL
  // of the CLI would leave running.
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/engine-test-stack.ts'], {
    cwd: root,
    env: { ...process.env, EIO_DATA_DIR: dataDir, ENGINE_TEST_LEDGER: join(dataDir, 'ledger.jsonl'), LOG_LEVEL: 'SILENT' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let errors = '';
  child.stderr!.on('data', (d) => (errors += String(d)));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += String(d);
      const m = /READY (\S+)/.exec(out);
      if (m) resolve({ child, baseUrl: m[1]! });
    });
    child.on('exit', (code) => reject(new Error(`stack process exited (${code}) before it was ready: ${errors}`)));
  });
}
