/** The switches that hold the whole system: the kill switch, the job scheduler pause and read-only mode. */
import { z } from 'zod';

/** A switch as stored and as the API answers it (the route catalog's response schema for the switch routes). */
export const SwitchSchema = z.object({
  id: z.enum(['kill-switch', 'scheduler', 'read-only']),
  /** kill switch: active; scheduler: paused; read-only: writes refused. */
  on: z.boolean(),
  reason: z.string().optional(),
  changed_by: z.string().optional(),
  changed_at: z.string().optional(),
  history: z.array(z.object({ on: z.boolean(), by: z.string(), at: z.string(), reason: z.string().optional() })),
  version: z.number().int(),
});
export type Switch = z.output<typeof SwitchSchema>;

export const offSwitch = (id: Switch['id']): Switch => ({ id, on: false, history: [], version: 0 });
