/**
 * The record migration's checkpoint (usecases/record-migration.ts): pk `MIGRATION#records`, sk `MIGRATION`;
 * gsi1 `KIND#MIGRATION` / `records`. One item, the current or last pass.
 */
import { Entity } from './entity';

export type KindCounts = { scanned: number; migrated: number; changed_meanwhile: number };

/** The checkpoint of the current (or last) pass, itself a record: pk `MIGRATION#records`, sk `MIGRATION`. */
export type RecordMigration = {
  id: 'records';
  status: 'running' | 'complete';
  /** The schema version of every kind the pass migrates to, e.g. `SITE:1,SI:2`: a pass of other versions starts over. */
  schemas: string;
  /** Where the pass is: the kind (index in STORED_KINDS) and the page cursor within it. */
  kind_index: number;
  cursor?: string;
  counts: Record<string, KindCounts>;
  started_at: string;
  updated_at: string;
  finished_at?: string;
  version: number;
};

/** Not on STORED_KINDS: the pass rewrites its own checkpoint on every page anyway. */
export const migrationCheckpoints = new Entity<RecordMigration>('record migration', 'MIGRATION');
