import type { EndpointIdentity } from '../identity/identity';
import { type Account, AccountStore, type Credentials } from './accounts';
import type { SimEventSink } from './events';
import { FirmwareInventory } from './firmware';
import { JobQueue } from './jobs';
import { PowerModel } from './power';
import { SessionStore } from './sessions';
import { BASE_DURATIONS, type Durations, Timers } from './timers';
import { UpdateEngine } from './updates';

export type Health = 'OK' | 'Warning' | 'Critical';

export interface HostOptions {
  identity: EndpointIdentity;
  credentials: Credentials;
  extraAccounts?: Array<Omit<Account, 'id'>>;
  speed: number;
  sessionLimit: number;
  sessionTimeoutMs: number;
  initialPower: 'On' | 'Off';
  /** Real-scale durations to change (the rest are BASE_DURATIONS). */
  durations?: Partial<Durations>;
  emit: SimEventSink;
}

/**
 * The state one simulated iDRAC and its server share across protocols: what Redfish changes,
 * WS-Man shows (power state, firmware versions, passwords).
 */
export class SimulatedHost {
  readonly identity: EndpointIdentity;
  readonly timers: Timers;
  readonly accounts: AccountStore;
  readonly sessions: SessionStore;
  readonly inventory: FirmwareInventory;
  readonly jobs: JobQueue;
  readonly power: PowerModel;
  readonly updates: UpdateEngine;
  readonly emit: SimEventSink;
  /** Real-scale durations of this host; change them at run time with `Object.assign`. */
  readonly durations: Durations;
  health: Health = 'OK';
  /** Set: the Lifecycle Controller reports this LCStatus (e.g. 'InUse') and refuses new update jobs. */
  lifecycleBusy: string | undefined;
  managerLastResetTime = new Date();
  /** The iDRAC's own URL as it reports it (DelliDRACCard.URLString); set by the endpoint once it listens. */
  publicUrl = '';
  /** Installed by the endpoint: take its listeners down for an iDRAC reset, then bring them back. */
  onManagerReboot: () => void = () => undefined;
  private readonly bootListeners: Array<() => number> = [];

  constructor(options: HostOptions) {
    this.identity = options.identity;
    this.emit = options.emit;
    this.timers = new Timers(options.speed);
    this.durations = { ...BASE_DURATIONS, ...options.durations };
    this.accounts = new AccountStore(options.credentials, options.extraAccounts);
    this.sessions = new SessionStore(options.sessionLimit, options.sessionTimeoutMs);
    this.inventory = new FirmwareInventory(options.identity.firmware);
    this.jobs = new JobQueue(`${options.identity.serviceTag}:${options.identity.index}`);
    this.power = new PowerModel(this.timers, this.durations, options.initialPower, {
      onPost: () => Math.max(0, ...this.bootListeners.map((listener) => listener())),
      onChange: (state) => this.emit({ type: 'power', state }),
    });
    this.updates = new UpdateEngine({
      inventory: this.inventory,
      jobs: this.jobs,
      timers: this.timers,
      durations: this.durations,
      power: this.power,
      managerReboot: () => this.rebootManager(),
      emit: this.emit,
    });
    this.bootListeners.push(() => this.updates.hostBooted());
  }

  get idracFirmware(): string {
    return this.inventory.component('iDRAC.Embedded.1-1')?.version ?? this.identity.profile.idracFirmware;
  }

  get biosVersion(): string {
    return this.inventory.component('BIOS.Setup.1-1')?.version ?? this.identity.profile.biosVersion;
  }

  /** The iDRAC resets (its own firmware update, Manager.Reset): sessions are lost, it is unreachable a while. */
  rebootManager(): void {
    this.sessions.clear();
    this.managerLastResetTime = new Date();
    this.onManagerReboot();
  }

  dispose(): void {
    this.timers.clearAll();
  }
}
