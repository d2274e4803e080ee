/** The switches that hold the whole system: the kill switch, the job scheduler pause and read-only mode. */
export type Switch = {
  id: 'kill-switch' | 'scheduler' | 'read-only';
  /** kill switch: active; scheduler: paused; read-only: writes refused. */
  on: boolean;
  reason?: string;
  changed_by?: string;
  changed_at?: string;
  history: { on: boolean; by: string; at: string; reason?: string }[];
  version: number;
};

export const offSwitch = (id: Switch['id']): Switch => ({ id, on: false, history: [], version: 0 });
