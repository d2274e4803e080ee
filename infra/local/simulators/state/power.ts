import { BASE_DURATIONS, type Timers } from './timers';

export type PowerState = 'On' | 'Off' | 'PoweringOn' | 'PoweringOff';

// The ResetType values the capture's ComputerSystem.Reset allows.
export const RESET_TYPES = [
  'On',
  'ForceOff',
  'ForceRestart',
  'GracefulRestart',
  'GracefulShutdown',
  'PushPowerButton',
  'Nmi',
  'PowerCycle',
] as const;
export type ResetType = (typeof RESET_TYPES)[number];

export function isResetType(value: unknown): value is ResetType {
  return typeof value === 'string' && (RESET_TYPES as readonly string[]).includes(value);
}

/** PSU501 "Server is already powered ON." / PSU502 "... OFF." in the iDRAC message registry. */
export type ResetRefusal = 'PSU501' | 'PSU502';

export interface PowerHooks {
  /** Every boot (power-on completing, warm restart): staged firmware jobs start here. */
  onBoot: () => void;
  onChange: (state: PowerState) => void;
}

/**
 * Host power as the iDRAC reports it. Turning on passes through PoweringOn for a (scaled) moment, as
 * a real server does while it POSTs.
 */
export class PowerModel {
  private current: PowerState;
  lastResetTime = new Date();
  // Bumped on each transition so a stale timer cannot overwrite a newer command.
  private generation = 0;

  constructor(
    private readonly timers: Timers,
    initial: 'On' | 'Off',
    private readonly hooks: PowerHooks,
  ) {
    this.current = initial;
  }

  get state(): PowerState {
    return this.current;
  }

  /** Control API: force a state without transitions. */
  set(state: PowerState): void {
    this.generation++;
    this.current = state;
    this.hooks.onChange(state);
  }

  reset(type: ResetType): ResetRefusal | undefined {
    const isOn = this.current === 'On' || this.current === 'PoweringOn';
    switch (type) {
      case 'On':
        if (isOn) return 'PSU501';
        this.powerOn();
        return undefined;
      case 'ForceOff':
        if (!isOn && this.current !== 'PoweringOff') return 'PSU502';
        this.set('Off');
        return undefined;
      case 'GracefulShutdown':
        if (!isOn) return 'PSU502';
        this.transition('PoweringOff', BASE_DURATIONS.powerOff, 'Off');
        return undefined;
      case 'PushPowerButton':
        if (isOn) this.transition('PoweringOff', BASE_DURATIONS.powerOff, 'Off');
        else this.powerOn();
        return undefined;
      case 'ForceRestart':
      case 'GracefulRestart':
        if (!isOn) return 'PSU502';
        // A warm reset: the iDRAC keeps reporting On while the host reboots.
        this.lastResetTime = new Date();
        this.hooks.onBoot();
        return undefined;
      case 'PowerCycle':
        if (!isOn) return 'PSU502';
        this.set('Off');
        this.powerOn();
        return undefined;
      case 'Nmi':
        return undefined;
    }
  }

  private powerOn(): void {
    this.transition('PoweringOn', BASE_DURATIONS.powerOn, 'On', () => {
      this.lastResetTime = new Date();
      this.hooks.onBoot();
    });
  }

  private transition(during: PowerState, baseMs: number, after: PowerState, then?: () => void): void {
    const generation = ++this.generation;
    this.current = during;
    this.hooks.onChange(during);
    this.timers.after(baseMs, () => {
      if (generation !== this.generation) return;
      this.current = after;
      this.hooks.onChange(after);
      then?.();
    });
  }
}
