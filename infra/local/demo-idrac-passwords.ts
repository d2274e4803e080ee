/**
 * The demo iDRACs keep their account passwords across restarts of the local stack, as real iDRACs do: a rotated
 * password must still be the one they accept after Ctrl-C and `npm start`. Saved as salted digests (never the
 * passwords) in one 0600 file beside the simulators' certificates.
 */
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../../shared/lib/atomic-file';
import { logger } from '../../shared/observability/logger';
import type { SimulatorFleet } from './simulators';

type Saved = Record<string, Record<string, string>>;

export async function keepDemoPasswords(fleet: SimulatorFleet, file: string): Promise<void> {
  const saved: Saved = await readFile(file, 'utf8').then(
    (text) => JSON.parse(text) as Saved,
    () => ({}),
  );
  let writes = Promise.resolve();
  const save = () => {
    const state = Object.fromEntries(fleet.info().map((info, i) => [info.address, fleet.endpoint(i).host.accounts.digests()]));
    writes = writes
      .then(() => writeFileAtomic(file, JSON.stringify(state)))
      .catch((e: unknown) => logger.warn('Demo iDRAC passwords not saved', { error: e as Error }));
  };
  fleet.info().forEach((info, i) => {
    const accounts = fleet.endpoint(i).host.accounts;
    const mine = saved[info.address];
    if (mine) accounts.restoreDigests(mine);
    accounts.onChange = save;
  });
}
