/**
 * The record migration: after a change of a record kind's shape (its Schema version and upgrade step), every
 * stored record still in an older shape is rewritten in the current one. One pass reads each kind's records a
 * page at a time and rewrites the old ones, each conditional on the version it read, so a writer that changed a
 * record meanwhile (already in the current shape) is never overwritten. The pass writes a checkpoint after every
 * page: a pass stopped by its deadline or a crash carries on from there. Where it runs: every housekeeping sweep
 * (AWS and local) gives a pass it has not finished, or one a deploy's new shapes need, 20 seconds; the
 * `migrate-records` function runs a whole pass when invoked (AWS); the local stack at every start and on
 * `npm run migrate`.
 */
import { ConflictError } from '../domain/errors';
import { logger } from '../observability/logger';
import { isoNow } from '../ports/clock';
import type { Entity } from '../records/entity';
import { migrationCheckpoints as checkpoints, type KindCounts, type RecordMigration } from '../records/record-migrations';
import { STORED_KINDS } from '../records/stored-kinds';
import type { Deps } from './deps';

export type MigrationOptions = {
  /** Stop after the page that ends past this time (epoch ms); the next run carries on. */
  deadline?: number;
  /** Skip the pass when the last complete one migrated to the same schema versions (the local stack's start). */
  onlyIfChanged?: boolean;
  /** Kinds to migrate; every Entity kind by default. */
  kinds?: readonly Entity<{ id: string; version: number }>[];
};

const signatureOf = (kinds: readonly Entity<{ id: string; version: number }>[]) =>
  kinds.map((k) => `${k.kind}:${k.schema.version}`).join(',');
const noCounts = (): KindCounts => ({ scanned: 0, migrated: 0, changed_meanwhile: 0 });

/** Runs (or carries on) one pass; answers its checkpoint, `complete` or, past the deadline, `running`. */
export async function migrateRecords(deps: Pick<Deps, 'store' | 'clock'>, options: MigrationOptions = {}): Promise<RecordMigration> {
  const kinds = options.kinds ?? STORED_KINDS;
  const schemas = signatureOf(kinds);
  const last = await checkpoints.find(deps.store, 'records');
  if (options.onlyIfChanged && last?.status === 'complete' && last.schemas === schemas) return last;
  const now = isoNow(deps.clock);
  const resume = last?.status === 'running' && last.schemas === schemas;
  let migration: RecordMigration = resume
    ? last
    : {
        id: 'records',
        status: 'running',
        schemas,
        kind_index: 0,
        counts: {},
        started_at: now,
        updated_at: now,
        version: (last?.version ?? 0) + 1,
      };
  if (!resume) migration = last ? await checkpoints.replace(deps.store, migration) : await checkpoints.create(deps.store, migration);
  logger.info(resume ? 'Record migration carries on' : 'Record migration started', { kind_index: migration.kind_index, schemas });

  while (migration.kind_index < kinds.length) {
    if (options.deadline !== undefined && deps.clock.now() > options.deadline) break;
    const kind = kinds[migration.kind_index] as Entity<{ id: string; version: number }>;
    const page = await kind.migratePage(deps.store, migration.cursor);
    const before = migration.counts[kind.label] ?? noCounts();
    const { cursor, ...done } = page;
    const counts = {
      ...migration.counts,
      [kind.label]: {
        scanned: before.scanned + done.scanned,
        migrated: before.migrated + done.migrated,
        changed_meanwhile: before.changed_meanwhile + done.changed_meanwhile,
      },
    };
    const next = cursor ? { kind_index: migration.kind_index, cursor } : { kind_index: migration.kind_index + 1, cursor: undefined };
    const complete = !cursor && next.kind_index >= kinds.length;
    const at = isoNow(deps.clock);
    try {
      // Conditional on the version read: of two passes running at once, the second to write stops here.
      migration = await checkpoints.replace(deps.store, {
        ...migration,
        ...next,
        counts,
        status: complete ? 'complete' : 'running',
        updated_at: at,
        ...(complete ? { finished_at: at } : {}),
        version: migration.version + 1,
      });
    } catch (e) {
      if (!(e instanceof ConflictError)) throw e;
      logger.info('Record migration carried on by another run');
      return checkpoints.get(deps.store, 'records');
    }
  }
  logger.info(migration.status === 'complete' ? 'Record migration complete' : 'Record migration paused at its deadline', {
    kind_index: migration.kind_index,
    migrated: totalOf(migration).migrated,
  });
  return migration;
}

/** The pass's counts over every kind. */
export function totalOf(migration: RecordMigration): KindCounts {
  const total = noCounts();
  for (const c of Object.values(migration.counts)) {
    total.scanned += c.scanned;
    total.migrated += c.migrated;
    total.changed_meanwhile += c.changed_meanwhile;
  }
  return total;
}
