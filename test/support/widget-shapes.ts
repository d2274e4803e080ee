/** A record kind whose shape changed once, for the tests of schema versions and the record migration. */
import { Entity } from '../../shared/records/entity';

export type WidgetV1 = { id: string; version: number; name: string };
export type WidgetV2 = { id: string; version: number; display_name: string; tags: string[] };

/** The kind as the release before the change wrote it. */
export const widgetsV1 = new Entity<WidgetV1>('widget', 'WIDGET');
/** The kind after the change: `name` became `display_name`, and `tags` appeared. */
export const widgetsV2 = new Entity<WidgetV2>('widget', 'WIDGET', () => ({}), {
  version: 2,
  upgrades: { 1: ({ name, ...rest }) => ({ ...rest, display_name: name, tags: [] }) },
});
