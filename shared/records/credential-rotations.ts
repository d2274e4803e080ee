/**
 * Credential rotation records: pk `ROT#<id>`, sk `ROT`; gsi1 `KIND#ROT` / `<created_at>#<id>`; gsi2 only while
 * unfinished, `ROTOPEN` / `<created_at>#<id>` (sparse), which is what a restart and housekeeping read to carry on.
 */
import { type CredentialRotation, isFinalRotation } from '../domain/credential-rotation';
import { ConflictError } from '../domain/errors';
import type { ServiceIdentity } from '../domain/service-identity';
import type { Store } from '../ports/store';
import { Entity } from './entity';

class CredentialRotations extends Entity<CredentialRotation> {
  constructor() {
    super('credential rotation', 'ROT', (r) => ({
      gsi1sk: `${r.created_at}#${r.id}`,
      ...(isFinalRotation(r.status) ? {} : { gsi2pk: 'ROTOPEN', gsi2sk: `${r.created_at}#${r.id}` }),
    }));
  }

  /** 409 while the identity's rotation is unfinished (whatever changes its secret meanwhile would be overwritten). */
  async refuseWhileRunning(store: Store, identity: ServiceIdentity): Promise<void> {
    if (!identity.rotation_id) return;
    const running = await this.find(store, identity.rotation_id);
    if (running && !isFinalRotation(running.status))
      throw new ConflictError(
        `Service identity '${identity.id}' is being rotated (${running.id}, ${running.status}); wait for it to finish`,
        { rotation_id: running.id, status: running.status },
      );
  }

  /** Every rotation not yet succeeded, rolled back or failed, oldest first. */
  unfinished(store: Store): AsyncGenerator<CredentialRotation> {
    return this.eachIn(store, 'ROTOPEN');
  }
}

export const credentialRotations = new CredentialRotations();
