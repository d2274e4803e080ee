/** Health levels in increasing severity, and the runbook's warning/critical threshold rule. */
export const LEVELS = ['ok', 'degraded', 'critical'] as const;
export type HealthLevel = (typeof LEVELS)[number];

export type ComponentHealth = {
  status: HealthLevel;
  message: string;
  metrics?: Record<string, number | string | boolean | null>;
};

export type Threshold = { warning: number; critical: number };

/** Runbook rule: above warning → degraded, above critical → critical. */
export const levelFor = (value: number, t: Threshold): HealthLevel =>
  value > t.critical ? 'critical' : value > t.warning ? 'degraded' : 'ok';

export const worst = (levels: HealthLevel[]): HealthLevel =>
  levels.reduce<HealthLevel>((a, b) => (LEVELS.indexOf(b) > LEVELS.indexOf(a) ? b : a), 'ok');
