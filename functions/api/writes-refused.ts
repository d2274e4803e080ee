/** What every API function asks before a write: is read-only emergency mode on (the store's switch, shared by all containers)? */
import { deps } from '../../shared/container';
import { writesRefusedBecause } from '../../shared/usecases/read-only';

export const writesRefused = async () => writesRefusedBecause(await deps());
