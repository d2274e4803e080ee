/** The switches that hold the whole system: the kill switch and the job scheduler pause. */
export type Switch = {
  id: 'kill-switch' | 'scheduler';
  /** kill switch: active; scheduler: paused. */
  on: boolean;
  reason?: string;
  changed_by?: string;
  changed_at?: string;
  history: { on: boolean; by: string; at: string; reason?: string }[];
  version: number;
};

export const offSwitch = (id: Switch['id']): Switch => ({ id, on: false, history: [], version: 0 });
