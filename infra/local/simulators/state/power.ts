import type { Durations, Timers } from './timers';

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
  /**
   * POST begins (every power on, every reboot): staged firmware jobs start here. Answers how much longer
   * (base ms) POST lasts for them, as the Lifecycle Controller applies updates before the OS boots.
   */
  onPost: () => number;
  onChange: (state: PowerState) => void;
}

/**
 * Host power as the iDRAC reports it. Turning on passes through PoweringOn while the server POSTs; a
 * reboot (restart, power cycle) goes Off and then On again, each phase for its (scaled) duration. A reboot
 * can be made to hang in POST (`hangNextBoot`): it stays PoweringOn, nothing staged is applied, until the
 * next power command.
 */
export class PowerModel {
  private current: PowerState;
  lastResetTime = new Date();
  // Bumped on each transition so a stale timer cannot overwrite a newer command.
  private generation = 0;

  /** The next power on stops in POST (a hung reboot). */
  hangNextBoot = false;

  constructor(
    private readonly timers: Timers,
    private readonly durations: Durations,
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
        this.transition('PoweringOff', this.durations.powerOff, 'Off');
        return undefined;
      case 'PushPowerButton':
        if (isOn) this.transition('PoweringOff', this.durations.powerOff, 'Off');
        else this.powerOn();
        return undefined;
      case 'GracefulRestart':
        if (!isOn) return 'PSU502';
        this.transition('PoweringOff', this.durations.powerOff, 'Off', () => this.offThenOn());
        return undefined;
      case 'ForceRestart':
      case 'PowerCycle':
        if (!isOn) return 'PSU502';
        this.set('Off');
        this.offThenOn();
        return undefined;
      case 'Nmi':
        return undefined;
    }
  }

  /** The rest of a reboot once the server is off: a moment off, then power on. */
  private offThenOn(): void {
    const generation = this.generation;
    this.timers.after(this.durations.rebootOff, () => {
      if (generation === this.generation) this.powerOn();
    });
  }

  private powerOn(): void {
    const generation = ++this.generation;
    this.current = 'PoweringOn';
    this.lastResetTime = new Date();
    this.hooks.onChange('PoweringOn');
    if (this.hangNextBoot) {
      this.hangNextBoot = false;
      return;
    }
    const applying = this.hooks.onPost();
    this.timers.after(this.durations.powerOn + applying, () => {
      if (generation !== this.generation) return;
      this.current = 'On';
      this.hooks.onChange('On');
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
