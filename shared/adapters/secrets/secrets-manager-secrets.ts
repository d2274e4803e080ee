import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  RestoreSecretCommand,
  RotateSecretCommand,
  type SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { config } from '../../config';
import { type Clock, systemClock } from '../../ports/clock';
import { type PendingSecret, SecretNotFoundError, type Secrets } from '../../ports/secrets';

/**
 * A deleted service-identity secret stays recoverable (RestoreSecret) for the minimum window AWS allows. Why
 * not force delete: an operator who deletes the wrong service identity would otherwise lose a credential that
 * may exist nowhere else (an iDRAC root password set years ago). Why the minimum rather than AWS's default 30:
 * the name stays blocked while pending deletion, and seven days is enough to notice a mistake.
 */
export const RECOVERY_WINDOW_DAYS = 7;

/** Secrets Manager's own staging labels, which rotation moves as its rotation functions do. */
const CURRENT = 'AWSCURRENT';
const PENDING = 'AWSPENDING';

/**
 * Values are cached for a short time because a discovery fan-out or a job polling an iDRAC asks for the same
 * service identity many times a minute. A put/delete in this container invalidates the entry (rather than
 * storing the new value), so the next get reads Secrets Manager itself: rotation is visible here at once, and
 * two concurrent puts cannot leave the cache holding the value that lost. Other containers see a rotation
 * within the TTL, a window shorter than the one in which the device and the stored password already disagree
 * during any rotation. Misses are not cached, so a secret created elsewhere is found on the next get.
 */
export const DEFAULT_CACHE_TTL_MS = 30_000;

export interface SecretsManagerSecretsOptions {
  /** Secret names are `<prefix><ref>`; defaults to config().secretsPrefix. */
  prefix?: string;
  /** 0 disables the cache. */
  cacheTtlMs?: number;
  clock?: Clock;
  /** The rotation schedule new secrets are put on: EIO's rotation function and how often (`rate(30 days)`); none when unset. */
  rotation?: { functionArn: string; scheduleExpression: string };
}

// Put/create can race with another writer or a delete; a few rounds settle every interleaving we know of.
const MAX_PUT_ROUNDS = 4;

export class SecretsManagerSecrets implements Secrets {
  private readonly prefix: string;
  private readonly ttlMs: number;
  private readonly clock: Clock;
  private readonly rotation: SecretsManagerSecretsOptions['rotation'];
  private readonly cache = new Map<string, { value: string; expiresAt: number }>();
  // Bumped when a put/delete completes, so a get that read the old value but answers later does not cache it.
  private readonly generation = new Map<string, number>();

  /** `client` is created once per container (module scope) by the caller and shared. */
  constructor(
    private readonly client: SecretsManagerClient,
    options: SecretsManagerSecretsOptions = {},
  ) {
    this.prefix = options.prefix ?? config().secretsPrefix;
    this.ttlMs = options.cacheTtlMs ?? DEFAULT_CACHE_TTL_MS;
    this.clock = options.clock ?? systemClock;
    this.rotation = options.rotation;
  }

  async put(ref: string, value: string): Promise<void> {
    const name = this.name(ref);
    try {
      for (let round = 1; ; round++) {
        const outcome = await this.tryPut(name, value);
        if (outcome === 'done') return;
        if (round >= MAX_PUT_ROUNDS) throw new Error(`Secret '${ref}' could not be written: concurrent changes kept interfering`);
      }
    } finally {
      this.invalidate(ref); // also voids the old value that a get overlapping this put may have cached
    }
  }

  async get(ref: string): Promise<string> {
    const hit = this.cache.get(ref);
    if (hit && hit.expiresAt > this.clock.now()) return hit.value;
    const gen = this.generation.get(ref) ?? 0;
    let value: string | undefined;
    try {
      const out = await this.client.send(new GetSecretValueCommand({ SecretId: this.name(ref) }));
      value = out.SecretString;
    } catch (err) {
      if (isError(err, 'ResourceNotFoundException')) throw new SecretNotFoundError(ref);
      // A secret pending deletion answers InvalidRequestException; to callers it simply does not exist.
      if (isError(err, 'InvalidRequestException') && (await this.isPendingDeletion(this.name(ref)))) {
        throw new SecretNotFoundError(ref);
      }
      throw err;
    }
    // EIO only writes SecretString; a binary secret under our prefix was not written by us.
    if (value === undefined) throw new Error(`Secret '${ref}' has no string value`);
    if (this.ttlMs > 0 && (this.generation.get(ref) ?? 0) === gen) {
      this.cache.set(ref, { value, expiresAt: this.clock.now() + this.ttlMs });
    }
    return value;
  }

  async delete(ref: string): Promise<void> {
    const name = this.name(ref);
    try {
      // A later put restores the deleted secret with every version it had: a stale pending one must not come back.
      const pending = await this.getPending(ref);
      if (pending) await this.discardPending(ref, pending.versionId);
      await this.client.send(new DeleteSecretCommand({ SecretId: name, RecoveryWindowInDays: RECOVERY_WINDOW_DAYS }));
    } catch (err) {
      if (isError(err, 'ResourceNotFoundException')) return;
      // Deleting a secret that is already pending deletion is the same "already gone" case.
      if (isError(err, 'InvalidRequestException') && (await this.isPendingDeletion(name))) return;
      throw err;
    } finally {
      this.invalidate(ref);
    }
  }

  /** createSecret's half: a new version labelled AWSPENDING; the token makes a repeat a no-op. */
  async putPending(ref: string, versionId: string, value: string): Promise<void> {
    try {
      await this.client.send(
        new PutSecretValueCommand({
          SecretId: this.name(ref),
          SecretString: value,
          ClientRequestToken: versionId,
          VersionStages: [PENDING],
        }),
      );
    } catch (err) {
      if (isError(err, 'ResourceNotFoundException')) throw new SecretNotFoundError(ref);
      throw err;
    }
  }

  /** Never cached: a rotation's steps run in different containers and must all see the same pending version. */
  async getPending(ref: string): Promise<PendingSecret | undefined> {
    try {
      const out = await this.client.send(new GetSecretValueCommand({ SecretId: this.name(ref), VersionStage: PENDING }));
      return out.VersionId && out.SecretString !== undefined ? { versionId: out.VersionId, value: out.SecretString } : undefined;
    } catch (err) {
      if (isError(err, 'ResourceNotFoundException')) return undefined;
      throw err;
    }
  }

  /** finishSecret: AWSCURRENT moves to the pending version (the old one keeps AWSPREVIOUS), then AWSPENDING goes. */
  async promotePending(ref: string, versionId: string): Promise<void> {
    const name = this.name(ref);
    try {
      const stages = await this.stagesOf(name);
      const current = Object.keys(stages).find((v) => stages[v]?.includes(CURRENT));
      if (current !== versionId) {
        if (!stages[versionId]?.includes(PENDING)) throw new SecretNotFoundError(`${ref} (version ${versionId})`);
        await this.client.send(
          new UpdateSecretVersionStageCommand({
            SecretId: name,
            VersionStage: CURRENT,
            MoveToVersionId: versionId,
            RemoveFromVersionId: current,
          }),
        );
      }
      if (stages[versionId]?.includes(PENDING))
        await this.client.send(
          new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: PENDING, RemoveFromVersionId: versionId }),
        );
    } finally {
      this.invalidate(ref);
    }
  }

  async discardPending(ref: string, versionId: string): Promise<void> {
    const name = this.name(ref);
    const stages = await this.stagesOf(name).catch((err: unknown) => {
      if (err instanceof SecretNotFoundError) return {} as Record<string, string[]>;
      throw err;
    });
    if (!stages[versionId]?.includes(PENDING)) return;
    await this.client.send(new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: PENDING, RemoveFromVersionId: versionId }));
  }

  /** Turns rotation on without rotating now: the first rotation is one period away. */
  async scheduleRotation(ref: string): Promise<void> {
    if (!this.rotation) return;
    await this.client.send(
      new RotateSecretCommand({
        SecretId: this.name(ref),
        RotationLambdaARN: this.rotation.functionArn,
        RotationRules: { ScheduleExpression: this.rotation.scheduleExpression },
        RotateImmediately: false,
      }),
    );
  }

  /** The rotation function is given the secret's ARN, whose name part carries a random suffix: the name says which ref. */
  async refOf(secretId: string): Promise<string> {
    const out = await this.client.send(new DescribeSecretCommand({ SecretId: secretId }));
    const name = out.Name ?? '';
    if (!name.startsWith(this.prefix)) throw new Error(`Secret '${name || secretId}' is not a service-identity secret of EIO`);
    return name.slice(this.prefix.length);
  }

  private async stagesOf(name: string): Promise<Record<string, string[]>> {
    try {
      const out = await this.client.send(new DescribeSecretCommand({ SecretId: name }));
      return out.VersionIdsToStages ?? {};
    } catch (err) {
      if (isError(err, 'ResourceNotFoundException')) throw new SecretNotFoundError(name);
      throw err;
    }
  }

  /**
   * One attempt at "create or replace". A secret pending deletion is restored and then overwritten: restoring
   * keeps the recovery window meaningful (force-deleting would destroy the old value for good) and avoids
   * AWS's asynchronous force delete, during which the name cannot be created again.
   */
  private async tryPut(name: string, value: string): Promise<'done' | 'retry'> {
    try {
      await this.client.send(new PutSecretValueCommand({ SecretId: name, SecretString: value }));
      return 'done';
    } catch (err) {
      if (isError(err, 'ResourceNotFoundException')) return this.tryCreate(name, value);
      if (isError(err, 'InvalidRequestException') && (await this.isPendingDeletion(name))) {
        await this.restore(name);
        return 'retry';
      }
      throw err;
    }
  }

  private async tryCreate(name: string, value: string): Promise<'done' | 'retry'> {
    try {
      await this.client.send(new CreateSecretCommand({ Name: name, SecretString: value }));
      return 'done';
    } catch (err) {
      // Another writer created it first, or created and deleted it in between: go round again.
      if (isError(err, 'ResourceExistsException')) return 'retry';
      if (isError(err, 'InvalidRequestException') && (await this.isPendingDeletion(name))) return 'retry';
      throw err;
    }
  }

  private async restore(name: string): Promise<void> {
    try {
      await this.client.send(new RestoreSecretCommand({ SecretId: name }));
    } catch (err) {
      // Restored or purged by someone else meanwhile: the next round sees which.
      if (!isError(err, 'ResourceNotFoundException') && !isError(err, 'InvalidRequestException')) throw err;
    }
  }

  /** InvalidRequestException has several causes; only DescribeSecret's DeletedDate says which one this is. */
  private async isPendingDeletion(name: string): Promise<boolean> {
    try {
      const out = await this.client.send(new DescribeSecretCommand({ SecretId: name }));
      return out.DeletedDate !== undefined;
    } catch (err) {
      if (isError(err, 'ResourceNotFoundException')) return true; // purged meanwhile: gone all the same
      throw err;
    }
  }

  private invalidate(ref: string): void {
    this.cache.delete(ref);
    this.generation.set(ref, (this.generation.get(ref) ?? 0) + 1);
  }

  private name(ref: string): string {
    return `${this.prefix}${ref}`;
  }
}

function isError(err: unknown, name: string): boolean {
  return err instanceof Error && err.name === name;
}
