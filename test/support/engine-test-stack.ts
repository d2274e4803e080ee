import { startLocalStack } from '../../infra/local/stack';
import { registerEngineTestJob } from './engine-test-job';

/**
 * The local stack with the engine test job, as a process of its own, so a test can kill it mid-job
 * (SIGKILL: no shutdown code runs) and check what the next start makes of the jobs it left behind.
 *
 * It ends when its stdin ends: the test process that spawned it (test/support/stack-process.ts) holds the
 * other end, so a test process that dies or exits without killing it does not leave it running.
 */
const dataDir = process.env.EIO_DATA_DIR;
const ledger = process.env.ENGINE_TEST_LEDGER;
if (!dataDir || !ledger) throw new Error('EIO_DATA_DIR and ENGINE_TEST_LEDGER are required');
process.stdin.once('end', () => process.exit(0));
process.stdin.resume();
registerEngineTestJob(ledger);
const stack = await startLocalStack({ dataDir, port: 0, demo: false });
process.stdout.write(`READY ${stack.baseUrl}\n`);
