import { describe, expect, it } from 'vitest';
import {
  type EvacuationOptions,
  type EvacuationScope,
  type PlanCluster,
  type PlanHost,
  type PlanVm,
  planEvacuation,
} from '../../shared/domain/evacuation-plan';

/** A connected host with 64 GB and 20 GHz, 8 GB and 2 GHz in use, mounting the shared datastore. */
const host = (id: string, over: Partial<PlanHost> = {}): PlanHost => ({
  id,
  name: `esx-${id}`,
  connected: true,
  in_maintenance: false,
  cpu_capacity_mhz: 20_000,
  memory_capacity_mb: 65_536,
  cpu_usage_mhz: 2_000,
  memory_usage_mb: 8_192,
  datastores: ['ds-shared'],
  ...over,
});

const vm = (id: string, on: string, over: Partial<PlanVm> = {}): PlanVm => ({
  id,
  name: `app-${id}`,
  host: on,
  power_state: 'poweredOn',
  cpu_demand_mhz: 500,
  memory_demand_mb: 4_096,
  datastores: ['ds-shared'],
  host_devices: [],
  ...over,
});

const cluster = (over: Partial<PlanCluster> = {}): PlanCluster => ({
  id: 'c1',
  name: 'prod',
  drs: { enabled: true, behavior: 'fullyAutomated' },
  vm_host_rules: [],
  anti_affinity_rules: [],
  ...over,
});

const OPTIONS: EvacuationOptions = { evacuation: 'migrate', powered_off_vms: 'leave', max_hosts_in_maintenance: 1, exit_maintenance: true };

const scope = (hosts: PlanHost[], vms: PlanVm[], targets: string[], over: Partial<EvacuationScope> = {}): EvacuationScope => ({
  cluster: cluster(),
  hosts,
  vms,
  targets,
  ...over,
});

const plan = (s: EvacuationScope, options: Partial<EvacuationOptions> = {}) => planEvacuation([s], { ...OPTIONS, ...options });
const movesOf = (p: ReturnType<typeof plan>, hostId = p.hosts[0]!.host_id) =>
  Object.fromEntries(p.hosts.find((h) => h.host_id === hostId)!.moves.map((m) => [m.vm_id, m.destination]));
const blockedOf = (p: ReturnType<typeof plan>) => p.hosts.flatMap((h) => h.blocked);
const actionsOf = (p: ReturnType<typeof plan>, vmId: string) =>
  blockedOf(p)
    .find((b) => b.vm_id === vmId)!
    .suggested_actions.map((a) => a.action);

describe('evacuation plan: placement', () => {
  it('moves each running VM to the host with the most free memory, largest VMs first, and keeps count as it goes', () => {
    const p = plan(
      scope(
        [host('a'), host('b', { memory_usage_mb: 16_384 }), host('c', { memory_usage_mb: 12_288 })],
        [
          vm('v1', 'a', { memory_demand_mb: 2_048 }),
          vm('v2', 'a', { memory_demand_mb: 8_192 }),
          vm('v3', 'a', { memory_demand_mb: 4_096 }),
        ],
        ['a'],
      ),
    );
    // c has 52 GB free, b 48 GB: v2 (8 GB) to c leaves c 44 GB; v3 (4 GB) to b leaves b 44 GB; v1: a tie, by name.
    expect(p.hosts[0]!.moves.map((m) => [m.vm_id, m.destination_name])).toEqual([
      ['v2', 'esx-c'],
      ['v3', 'esx-b'],
      ['v1', 'esx-b'],
    ]);
    expect(p).toMatchObject({ refused: false, findings: [], evacuation: 'migrate' });
    expect(p.hosts[0]).toMatchObject({ host_id: 'a', host_name: 'esx-a', cluster_id: 'c1', step: 1, blocked: [], left: [] });
  });

  it('rolls through the hosts one step at a time, keeping VMs off hosts still to be evacuated', () => {
    const hosts = [host('a'), host('b', { memory_usage_mb: 0 }), host('c', { memory_usage_mb: 20_000 })];
    const p = plan(scope(hosts, [vm('v1', 'a'), vm('v2', 'b')], ['a', 'b']));
    // b has more free memory than c, but b is next: v1 goes to c. When b's turn comes, a is back and emptiest.
    expect(movesOf(p, 'a')).toEqual({ v1: 'c' });
    expect(movesOf(p, 'b')).toEqual({ v2: 'a' });
    expect(p.hosts.map((h) => [h.host_id, h.step])).toEqual([
      ['a', 1],
      ['b', 2],
    ]);
  });

  it('hosts that stay in maintenance (exit_maintenance: false) take no VMs in later steps', () => {
    const hosts = [host('a'), host('b'), host('c', { memory_usage_mb: 30_000 })];
    const p = plan(scope(hosts, [vm('v1', 'a'), vm('v2', 'b')], ['a', 'b']), { exit_maintenance: false });
    expect(movesOf(p, 'b')).toEqual({ v2: 'c' });
  });

  it('evacuates max_hosts_in_maintenance hosts in one step, none of them taking the others VMs', () => {
    const hosts = [host('a'), host('b'), host('c'), host('d', { memory_usage_mb: 40_000 })];
    const p = plan(scope(hosts, [vm('v1', 'a'), vm('v2', 'b')], ['a', 'b', 'c']), { max_hosts_in_maintenance: 2 });
    expect(p.hosts.map((h) => h.step)).toEqual([1, 1, 2]);
    expect(movesOf(p, 'a')).toEqual({ v1: 'd' });
    expect(movesOf(p, 'b')).toEqual({ v2: 'd' });
  });

  it('leaves powered-off and suspended VMs by default; moves them, needing no capacity, with powered_off_vms: move', () => {
    const hosts = [host('a'), host('b', { memory_usage_mb: 65_536, cpu_usage_mhz: 20_000 })];
    const vms = [
      vm('off', 'a', { power_state: 'poweredOff', host_devices: [{ kind: 'cdrom', label: 'CD/DVD drive 1' }] }),
      vm('zzz', 'a', { power_state: 'suspended' }),
    ];
    const left = plan(scope(hosts, vms, ['a']));
    expect(left.hosts[0]!.left.map((l) => [l.vm_id, l.power_state])).toEqual([
      ['off', 'poweredOff'],
      ['zzz', 'suspended'],
    ]);
    expect(left.hosts[0]!.moves).toEqual([]);
    const moved = plan(scope(hosts, vms, ['a']), { powered_off_vms: 'move' });
    expect(movesOf(moved)).toEqual({ off: 'b', zzz: 'b' });
    expect(moved.refused).toBe(false);
  });

  it('does not depend on the order of its input', () => {
    const hosts = [host('a'), host('b'), host('c'), host('d', { memory_usage_mb: 4_096 })];
    const vms = ['v1', 'v2', 'v3', 'v4', 'v5'].map((id, i) => vm(id, i % 2 ? 'a' : 'b', { memory_demand_mb: 2_048 * (1 + (i % 3)) }));
    const one = plan(scope(hosts, vms, ['a', 'b']));
    const other = plan(scope([...hosts].reverse(), [...vms].reverse(), ['a', 'b']));
    expect(other).toEqual(one);
  });
});

describe('evacuation plan: VMs that cannot move, one reason each', () => {
  const three = () => [host('a'), host('b'), host('c')];

  it('no_destination_host: a standalone host has nowhere to move its VMs', () => {
    const p = plan(scope([host('a')], [vm('v1', 'a')], ['a'], { cluster: undefined }));
    expect(blockedOf(p)).toEqual([
      expect.objectContaining({ vm_id: 'v1', host: 'a', power_state: 'poweredOn', reason: 'no_destination_host' }),
    ]);
    expect(blockedOf(p)[0]!.detail).toMatch(/not in a cluster/);
    expect(actionsOf(p, 'v1')).toEqual(['make_host_available', 'shutdown_vms', 'suspend_vms']);
    expect(p.hosts[0]!.cluster_id).toBeUndefined();
  });

  it('no_destination_host: the other hosts are disconnected or in maintenance', () => {
    const p = plan(scope([host('a'), host('b', { connected: false }), host('c', { in_maintenance: true })], [vm('v1', 'a')], ['a']));
    expect(blockedOf(p)[0]).toMatchObject({ reason: 'no_destination_host', detail: expect.stringContaining('cluster prod') });
  });

  it('host_device: a connected host CD-ROM is named, with "disconnect" first; passthrough cannot be suspended', () => {
    const p = plan(
      scope(
        three(),
        [
          vm('cd', 'a', { host_devices: [{ kind: 'cdrom', label: 'CD/DVD drive 1' }] }),
          vm('gpu', 'a', { host_devices: [{ kind: 'pci_passthrough', label: 'PCI device 0' }] }),
          vm('usb', 'a', { host_devices: [{ kind: 'usb', label: 'USB 1' }] }),
          vm('tty', 'a', { host_devices: [{ kind: 'serial_port', label: 'Serial port 1' }] }),
        ],
        ['a'],
      ),
    );
    const cd = blockedOf(p).find((b) => b.vm_id === 'cd')!;
    expect(cd).toMatchObject({ reason: 'host_device', detail: expect.stringContaining('CD/DVD drive 1') });
    expect(cd.suggested_actions[0]).toEqual({
      action: 'disconnect_device',
      detail: 'Disconnect CD/DVD drive 1 of app-cd (a device of its host)',
    });
    expect(actionsOf(p, 'cd')).toEqual(['disconnect_device', 'shutdown_vms', 'suspend_vms']);
    expect(blockedOf(p).find((b) => b.vm_id === 'gpu')!.suggested_actions).toEqual([
      { action: 'shutdown_vms', detail: 'Shut app-gpu down: a passthrough device (PCI device 0) cannot be disconnected while it runs' },
    ]);
    expect(actionsOf(p, 'usb')).toEqual(['disconnect_device', 'shutdown_vms', 'suspend_vms']);
    expect(blockedOf(p).map((b) => b.reason)).toEqual(['host_device', 'host_device', 'host_device', 'host_device']);
    expect(p.hosts[0]!.moves).toEqual([]);
  });

  it('fault_tolerance: EIO does not migrate FT VMs; under DRS they move, never onto their partner host', () => {
    const vms = [
      vm('p', 'a', { fault_tolerance: { role: 'primary', group: 'ft-1' } }),
      vm('s', 'b', { fault_tolerance: { role: 'secondary', group: 'ft-1' } }),
    ];
    const migrate = plan(scope(three(), vms, ['a']));
    expect(blockedOf(migrate)[0]).toMatchObject({ vm_id: 'p', reason: 'fault_tolerance' });
    expect(actionsOf(migrate, 'p')).toEqual(['turn_off_fault_tolerance', 'shutdown_vms']);
    const drs = plan(scope([host('a'), host('b', { memory_usage_mb: 0 }), host('c')], vms, ['a']), { evacuation: 'drs' });
    expect(movesOf(drs)).toEqual({ p: 'c' });
    const twoHosts = plan(scope([host('a'), host('b')], vms, ['a']), { evacuation: 'drs' });
    expect(blockedOf(twoHosts)[0]).toMatchObject({ vm_id: 'p', reason: 'fault_tolerance', detail: expect.stringContaining('other VM') });
  });

  it('drs_disabled: with evacuation by DRS, a VM DRS will not move automatically', () => {
    const vms = [
      vm('off', 'a', { drs_override: 'disabled' }),
      vm('manual', 'a', { drs_override: 'manual' }),
      vm('auto', 'a', { drs_override: 'fullyAutomated' }),
      vm('plain', 'a'),
    ];
    const p = plan(scope(three(), vms, ['a']), { evacuation: 'drs' });
    expect(blockedOf(p).map((b) => [b.vm_id, b.reason])).toEqual([
      ['manual', 'drs_disabled'],
      ['off', 'drs_disabled'],
    ]);
    expect(blockedOf(p)[0]!.detail).toMatch(/manual \(its VM override\)/);
    expect(blockedOf(p)[1]!.detail).toMatch(/disabled for this VM/);
    expect(actionsOf(p, 'off')).toEqual(['set_drs_automation', 'evacuate_with_migrate', 'shutdown_vms', 'suspend_vms']);
    expect(Object.keys(movesOf(p)).sort()).toEqual(['auto', 'plain']);
    // Migrated by EIO, the overrides do not matter.
    expect(blockedOf(plan(scope(three(), vms, ['a'])))).toEqual([]);
    // A cluster in manual mode: only the VM overridden to fully automated moves.
    const manual = plan(scope(three(), vms, ['a'], { cluster: cluster({ drs: { enabled: true, behavior: 'manual' } }) }), {
      evacuation: 'drs',
    });
    expect(Object.keys(movesOf(manual))).toEqual(['auto']);
    expect(blockedOf(manual).find((b) => b.vm_id === 'plain')!.detail).toMatch(/cluster prod's default/);
    const off = plan(scope(three(), vms, ['a'], { cluster: cluster({ drs: { enabled: false, behavior: 'fullyAutomated' } }) }), {
      evacuation: 'drs',
    });
    expect(blockedOf(off).map((b) => b.detail)).toEqual(Array(4).fill('DRS is turned off on cluster prod'));
  });

  it('datastore_unreachable: files on a datastore no other host mounts, or only hosts that are not available', () => {
    const hosts = [
      host('a', { datastores: ['ds-shared', 'local-a', 'ds-pair'] }),
      host('b', { datastores: ['ds-shared', 'ds-pair'], in_maintenance: true }),
      host('c'),
    ];
    const p = plan(
      scope(hosts, [vm('local', 'a', { datastores: ['ds-shared', 'local-a'] }), vm('pair', 'a', { datastores: ['ds-pair'] })], ['a']),
    );
    const [local, pair] = [blockedOf(p).find((b) => b.vm_id === 'local')!, blockedOf(p).find((b) => b.vm_id === 'pair')!];
    expect(local).toMatchObject({
      reason: 'datastore_unreachable',
      detail: 'Its files are on local-a, which no other host mounts (local storage)',
    });
    expect(local.suggested_actions[0]!.action).toBe('storage_vmotion');
    expect(pair).toMatchObject({ reason: 'datastore_unreachable', detail: expect.stringContaining('only esx-b also mount') });
  });

  it('vm_host_rule: a "must run on" rule narrows the choice, and blocks when none of its hosts is left', () => {
    const rule = (hosts: string[], relation: 'run_on' | 'not_run_on' = 'run_on') => ({
      name: 'db-on-licensed',
      vms: ['v1'],
      host_group: 'licensed',
      hosts,
      relation,
    });
    const hosts = [host('a'), host('b', { memory_usage_mb: 0 }), host('c')];
    expect(movesOf(plan(scope(hosts, [vm('v1', 'a')], ['a'], { cluster: cluster({ vm_host_rules: [rule(['a', 'c'])] }) })))).toEqual({
      v1: 'c',
    });
    expect(
      movesOf(plan(scope(hosts, [vm('v1', 'a')], ['a'], { cluster: cluster({ vm_host_rules: [rule(['b'], 'not_run_on')] }) }))),
    ).toEqual({
      v1: 'c',
    });
    const blocked = plan(scope(hosts, [vm('v1', 'a')], ['a'], { cluster: cluster({ vm_host_rules: [rule(['a'])] }) }));
    expect(blockedOf(blocked)[0]).toMatchObject({
      reason: 'vm_host_rule',
      detail: "Rule 'db-on-licensed' says it must run on hosts in licensed: no host that is left qualifies",
    });
    expect(blockedOf(blocked)[0]!.suggested_actions[0]).toMatchObject({
      action: 'relax_rule',
      detail: expect.stringContaining("'db-on-licensed'"),
    });
  });

  it('anti_affinity_rule: kept apart from the rule’s running VMs, counting VMs moved earlier in the plan', () => {
    const rules = { anti_affinity_rules: [{ name: 'web-apart', vms: ['w1', 'w2', 'w3'] }] };
    const hosts = [host('a'), host('b', { memory_usage_mb: 0 }), host('c')];
    const apart = plan(scope(hosts, [vm('w1', 'a'), vm('w2', 'b')], ['a'], { cluster: cluster(rules) }));
    expect(movesOf(apart)).toEqual({ w1: 'c' });
    // w1 and w3 both leave a: the first takes c, the second has no host without a web VM.
    const full = plan(
      scope(hosts, [vm('w1', 'a', { memory_demand_mb: 8_192 }), vm('w3', 'a'), vm('w2', 'b')], ['a'], { cluster: cluster(rules) }),
    );
    expect(movesOf(full)).toEqual({ w1: 'c' });
    expect(blockedOf(full)[0]).toMatchObject({ vm_id: 'w3', reason: 'anti_affinity_rule', detail: expect.stringContaining("'web-apart'") });
    // A powered-off rule member does not count.
    expect(
      movesOf(plan(scope(hosts, [vm('w1', 'a'), vm('w2', 'b', { power_state: 'poweredOff' })], ['a'], { cluster: cluster(rules) }))),
    ).toEqual({
      w1: 'b',
    });
  });

  it('insufficient_capacity: the VM is blocked with figures, and the plan is refused with the totals', () => {
    const hosts = [host('a'), host('b', { memory_usage_mb: 60_000 }), host('c', { memory_usage_mb: 58_000 })];
    const p = plan(scope(hosts, [vm('big', 'a', { memory_demand_mb: 16_384 }), vm('small', 'a', { memory_demand_mb: 4_096 })], ['a']));
    expect(movesOf(p)).toEqual({ small: 'c' });
    expect(blockedOf(p)[0]).toMatchObject({
      vm_id: 'big',
      reason: 'insufficient_capacity',
      detail: 'It needs 16384 MB of memory and 500 MHz of CPU; the most any host it could go to has left is 7536 MB and 18000 MHz (esx-c)',
    });
    expect(actionsOf(p, 'big')).toEqual(['free_capacity', 'shutdown_vms', 'suspend_vms']);
    expect(p.refused).toBe(true);
    expect(p.findings).toEqual([
      {
        code: 'insufficient_capacity',
        cluster_id: 'c1',
        hosts: ['a'],
        detail:
          'With esx-a in maintenance, 1 VM needing 16384 MB of memory and 500 MHz of CPU do not fit: ' +
          'the 2 other hosts have 8976 MB and 35500 MHz left',
        figures: [
          { resource: 'memory', unit: 'MB', needed: 16_384, available: 8_976 },
          { resource: 'cpu', unit: 'MHz', needed: 500, available: 35_500 },
        ],
      },
    ]);
  });

  it('CPU counts as well as memory', () => {
    const hosts = [host('a'), host('b', { cpu_usage_mhz: 19_800 })];
    const p = plan(scope(hosts, [vm('v1', 'a', { cpu_demand_mhz: 400 })], ['a']));
    expect(blockedOf(p)[0]!.reason).toBe('insufficient_capacity');
  });

  it('checks in a fixed order and names only the first reason that applies', () => {
    const p = plan(
      scope(three(), [vm('v1', 'a', { host_devices: [{ kind: 'cdrom', label: 'CD/DVD drive 1' }], datastores: ['local-a'] })], ['a']),
    );
    expect(blockedOf(p).map((b) => b.reason)).toEqual(['host_device']);
  });
});

describe('evacuation plan: cluster capacity', () => {
  it('refuses a plan that would break HA admission control (tolerate one host failure), with the figures', () => {
    // Four 64 GB hosts at 40 GB each; with a in maintenance its 40 GB spread over three hosts: 160 GB in use,
    // and HA keeps one of the three (64 GB) in reserve, leaving 128 GB.
    const hosts = ['a', 'b', 'c', 'd'].map((id) => host(id, { memory_usage_mb: 40_960 }));
    const vms = [vm('v1', 'a', { memory_demand_mb: 20_480 }), vm('v2', 'a', { memory_demand_mb: 20_480 })];
    const ha = cluster({ ha_admission_control: { policy: 'host_failures', failover_level: 1 } });
    const p = plan(scope(hosts, vms, ['a'], { cluster: ha }));
    expect(blockedOf(p)).toEqual([]);
    expect(p.refused).toBe(true);
    expect(p.findings).toEqual([
      expect.objectContaining({
        code: 'ha_failover_capacity',
        hosts: ['a'],
        figures: [
          { resource: 'memory', unit: 'MB', needed: 163_840, available: 131_072 },
          { resource: 'cpu', unit: 'MHz', needed: 7_000, available: 40_000 },
        ],
      }),
    ]);
    expect(p.findings[0]!.detail).toBe(
      'With esx-a in maintenance, HA admission control (tolerating 1 host failure) would be violated on cluster prod: ' +
        'memory in use 163840 MB, usable 131072 MB',
    );
    // Without admission control the same cluster carries it.
    expect(plan(scope(hosts, vms, ['a'])).refused).toBe(false);
  });

  it('a percentage policy reserves that share of the hosts left; dedicated failover hosts take no VMs', () => {
    // b and c: 128 GB, half of it usable; in use after the move: 2 × used + 4 GB.
    const pct = cluster({ ha_admission_control: { policy: 'resource_percentage', cpu_percent: 25, memory_percent: 50 } });
    const fits = ['a', 'b', 'c'].map((id) => host(id, { memory_usage_mb: 30_000 }));
    expect(plan(scope(fits, [vm('v1', 'a')], ['a'], { cluster: pct })).refused).toBe(false);
    const over = ['a', 'b', 'c'].map((id) => host(id, { memory_usage_mb: 31_000 }));
    const p = plan(scope(over, [vm('v1', 'a')], ['a'], { cluster: pct }));
    expect(p.refused).toBe(true);
    expect(p.findings[0]!.figures).toEqual([
      { resource: 'memory', unit: 'MB', needed: 66_096, available: 65_536 },
      { resource: 'cpu', unit: 'MHz', needed: 4_500, available: 30_000 },
    ]);
    expect(p.findings[0]!.detail).toMatch(/reserving 25% CPU and 50% memory for failover/);
    const dedicated = cluster({ ha_admission_control: { policy: 'failover_hosts', hosts: ['b'] } });
    expect(
      movesOf(plan(scope([host('a'), host('b', { memory_usage_mb: 0 }), host('c')], [vm('v1', 'a')], ['a'], { cluster: dedicated }))),
    ).toEqual({
      v1: 'c',
    });
  });

  it('a target host that is not connected refuses the plan', () => {
    const p = plan(scope([host('a', { connected: false }), host('b')], [vm('v1', 'a')], ['a']));
    expect(p.refused).toBe(true);
    expect(p.findings[0]).toMatchObject({
      code: 'host_not_connected',
      detail: 'esx-a is not connected to vCenter: no VM can be moved off it',
    });
    expect(p.hosts[0]!.moves).toEqual([]);
  });

  it('refuses targets it was not given', () => {
    expect(() => plan(scope([host('a')], [], ['a', 'x']))).toThrow(/x/);
  });
});

describe('evacuation plan: hash', () => {
  const hosts = () => [host('a'), host('b'), host('c', { memory_usage_mb: 16_384 })];
  const vms = () => [vm('v1', 'a'), vm('v2', 'a', { host_devices: [{ kind: 'cdrom', label: 'CD/DVD drive 1' }] })];

  it('is a SHA-256 that stays the same for the same plan in other words or with other figures', () => {
    const base = plan(scope(hosts(), vms(), ['a']));
    expect(base.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(plan(scope(hosts(), vms(), ['a'])).hash).toBe(base.hash);
    const renamed = plan(
      scope(
        hosts().map((h) => ({ ...h, name: `${h.name}.corp`, cpu_usage_mhz: 3_000 })),
        vms().map((v) => ({ ...v, name: `${v.name}-renamed`, host_devices: v.host_devices.map((d) => ({ ...d, label: 'CD 2' })) })),
        ['a'],
      ),
    );
    expect(renamed.hosts[0]!.blocked[0]!.detail).not.toBe(base.hosts[0]!.blocked[0]!.detail);
    expect(renamed.hash).toBe(base.hash);
  });

  it('changes with where a VM goes, whether and why a VM is blocked, and which hosts', () => {
    const base = plan(scope(hosts(), vms(), ['a'])).hash;
    const otherDestination = plan(scope([host('a'), host('b', { memory_usage_mb: 20_000 }), host('c')], vms(), ['a']));
    expect(movesOf(otherDestination)).toEqual({ v1: 'c' });
    expect(otherDestination.hash).not.toBe(base);
    const otherReason = vms().map((v) =>
      v.id === 'v2' ? { ...v, host_devices: [], fault_tolerance: { role: 'primary' as const, group: 'g' } } : v,
    );
    expect(plan(scope(hosts(), otherReason, ['a'])).hash).not.toBe(base);
    const unblocked = vms().map((v) => ({ ...v, host_devices: [] }));
    expect(plan(scope(hosts(), unblocked, ['a'])).hash).not.toBe(base);
    expect(plan(scope(hosts(), vms(), ['b'])).hash).not.toBe(base);
    expect(plan(scope(hosts(), vms(), ['a']), { evacuation: 'drs' }).hash).not.toBe(base);
  });

  it('under DRS leaves the destination out: DRS picks it', () => {
    const one = plan(scope(hosts(), vms(), ['a']), { evacuation: 'drs' });
    const other = plan(scope([host('a'), host('b', { memory_usage_mb: 20_000 }), host('c')], vms(), ['a']), { evacuation: 'drs' });
    expect(movesOf(other)).not.toEqual(movesOf(one));
    expect(other.hash).toBe(one.hash);
  });
});
