/**
 * The overall health level last seen by the housekeeping sweep: pk HEALTHLEVEL#overall / sk HEALTHLEVEL. One
 * conditional write per change, so of two sweeps seeing the same change only one notifies.
 */
import type { HealthLevel } from '../domain/health';
import { Entity } from './entity';

export type HealthLevelRecord = { id: 'overall'; level: HealthLevel; changed_at: string; version: number };

export const healthLevels = new Entity<HealthLevelRecord>('health level', 'HEALTHLEVEL');
