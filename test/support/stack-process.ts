import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { issueToken } from '../../infra/local/jwt';
import { loadOrCreateSigningKey } from '../../infra/local/signing-key';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** A call to the stack process as an admin: the status, the JSON answer (if any) and its text. */
// biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON answers; any keeps the assertions readable.
export type StackCall = (method: string, path: string, body?: unknown) => Promise<{ status: number; body: any; text: string }>;

/** A stack process: `kill` is a crash (SIGKILL, no shutdown code runs), resolved once the process is gone. */
export type StackProcess = { child: ChildProcess; baseUrl: string; call: StackCall; kill(): Promise<void> };

/** Every stack process spawned and not seen to exit yet, whether or not its start resolved. */
const running = new Set<ChildProcess>();

async function crash(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await gone;
}

/**
 * Kills every stack process still running and waits for each to be gone: a test file's afterEach, so a test
 * that fails or times out before its own kill leaves no process behind.
 */
export async function stopStackProcesses(): Promise<void> {
  await Promise.all([...running].map(crash));
}

/**
 * The local stack in a process of its own (test/support/engine-test-stack.ts, with the engine test job), on
 * `dataDir`, for tests that kill it with SIGKILL as a crash would. Resolves once it serves HTTP, with a way
 * to call it as an admin. Call stopStackProcesses in the file's afterEach.
 */
export async function startStackProcess(dataDir: string): Promise<StackProcess> {
  const { child, baseUrl } = await spawnStack(dataDir);
  const token = await issueToken(
    await loadOrCreateSigningKey(dataDir),
    { issuer: 'eio-local', audience: 'eio-api', roleClaim: 'eio_role' },
    { role: 'admin', subject: 'crash-test', ttlSeconds: 600 },
  );
  const call: StackCall = async (method, path, body) => {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined, text };
  };
  return { child, baseUrl, call, kill: () => crash(child) };
}

function spawnStack(dataDir: string): Promise<{ child: ChildProcess; baseUrl: string }> {
  // `node --import tsx` rather than the tsx CLI: the CLI runs the script in a child process, which a SIGKILL
  // of the CLI would leave running.
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/engine-test-stack.ts'], {
    cwd: root,
    env: { ...process.env, EIO_DATA_DIR: dataDir, ENGINE_TEST_LEDGER: join(dataDir, 'ledger.jsonl'), LOG_LEVEL: 'SILENT' },
    // stdin is a pipe nothing writes to: its end tells the stack that this process is gone (engine-test-stack.ts).
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
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
