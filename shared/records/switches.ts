import { offSwitch, type Switch } from '../domain/system-state';
import type { Store } from '../ports/store';
import { Entity } from './entity';

/** System switches (kill switch, scheduler pause, read-only mode): one record each, pk SWITCH#<id>. Absent means off. */
export const switches = new Entity<Switch>('switch', 'SWITCH');

export async function readSwitch(store: Store, id: Switch['id']): Promise<Switch> {
  return (await switches.find(store, id)) ?? offSwitch(id);
}
