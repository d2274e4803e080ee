/**
 * Firmware baselines: pk `FWBL#<id>`, sk `FWBL`; gsi1 `KIND#FWBL` / `<id>` (all, id order). Few (one per site
 * at most, plus drafts), so compliance reads them all with one query.
 */
import type { FirmwareBaseline } from '../domain/firmware-baseline';
import type { Store } from '../ports/store';
import { Entity } from './entity';
import { allItems } from './paging';

export const firmwareBaselines = new Entity<FirmwareBaseline>('firmware baseline', 'FWBL');
/** What a job naming a baseline adds a reference edge to, so the baseline is not deleted under it. */
export const firmwareBaselineRef = (id: string) => ({ kind: 'FWBL', id, label: 'firmware baseline' });

export const allBaselines = (store: Store): Promise<FirmwareBaseline[]> =>
  allItems((cursor) => firmwareBaselines.list(store, { limit: 100, cursor }));
