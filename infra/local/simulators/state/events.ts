/** What a simulated endpoint reports to its owner (the CLI prints these; tests may await them). */
export type SimEvent =
  | { type: 'power'; state: string }
  | { type: 'job'; jobId: string; state: string; percent: number }
  | { type: 'firmware'; fqdd: string; version: string }
  | { type: 'manager-reboot'; phase: 'down' | 'up' }
  | { type: 'session'; action: 'login' | 'logout' | 'refused'; userName: string };

export type SimEventSink = (event: SimEvent) => void;
