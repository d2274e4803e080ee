/** `npm start`: EIO on this machine, on its embedded default. Prints where everything is. */
import { Command } from 'commander';

import { dataDirFromEnv } from './paths';
import { startLocalStack } from './stack';

// Deployed functions run on Node 22+; the local stack runs on the machine's Node (20 here), where the SDK's
// notice about future releases is noise for an operator. package-lock pins the SDK that works on it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const program = new Command('eio-local')
  .description('Run EIO locally: embedded DynamoDB, in-process queues and workflows, the HTTP API')
  .option('--port <port>', 'HTTP port', process.env.PORT ?? '3000')
  .option('--host <address>', 'address to listen on', process.env.HOST ?? '127.0.0.1')
  .option('--no-demo', 'do not seed the demo lab on first start')
  .parse();
const opts = program.opts<{ port: string; host: string; demo: boolean }>();
const port = Number(opts.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) program.error(`--port must be 0-65535, not '${opts.port}'`);

const dataDir = dataDirFromEnv();
let stack: Awaited<ReturnType<typeof startLocalStack>>;
try {
  stack = await startLocalStack({ dataDir, port, host: opts.host, demo: opts.demo });
} catch (e) {
  const err = e as NodeJS.ErrnoException;
  process.stderr.write(
    err.code === 'EADDRINUSE'
      ? `Port ${port} is in use: stop the other process or start with --port <free port>\n`
      : `EIO could not start: ${err.message}\n`,
  );
  process.exit(1);
}

const say = (line = '') => process.stdout.write(`${line}\n`);
say();
say(`EIO ${process.env.npm_package_version ?? ''} is running (local stack)`);
say(`  API        ${stack.baseUrl}/api/v1   (health: ${stack.baseUrl}/api/v1/health)`);
say(`  data       ${dataDir}   (DynamoDB, queues, secrets, signing key; kept across restarts)`);
if (stack.seeded.length) say(`  demo lab   seeded ${stack.seeded.join(', ')}   (start with --no-demo to skip)`);
say(`  token      TOKEN=$(npm run -s token -- --role operator | tail -1)   (roles: viewer operator approver admin)`);
say(`  try        curl -H "Authorization: Bearer $TOKEN" ${stack.baseUrl}/api/v1/sites`);
say('Ctrl-C stops it.');

let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  say(`\n${signal}: stopping EIO…`);
  await stack.close();
  say('Stopped; data kept.');
  process.exit(0);
};
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
