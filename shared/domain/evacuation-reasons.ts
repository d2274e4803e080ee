/**
 * Why a VM cannot leave a host going into maintenance, in the operator's words, and what would unblock it.
 * `reason` codes are stable (jobs, the API and approvals key on them); `detail` and the actions' wording may
 * change. `shutdown_vms` and `suspend_vms` are resume actions EIO performs itself; the others are done by hand in
 * vCenter, after which the operator asks EIO to retry.
 */

export type BlockReason =
  | 'no_destination_host'
  | 'host_device'
  | 'fault_tolerance'
  | 'drs_disabled'
  | 'datastore_unreachable'
  | 'vm_host_rule'
  | 'anti_affinity_rule'
  | 'insufficient_capacity'
  /** vCenter refused or failed the migration EIO started; the detail is vCenter's fault. */
  | 'migration_refused';

export type SuggestedActionCode =
  | 'shutdown_vms'
  | 'suspend_vms'
  | 'disconnect_device'
  | 'turn_off_fault_tolerance'
  | 'set_drs_automation'
  | 'evacuate_with_migrate'
  | 'storage_vmotion'
  | 'relax_rule'
  | 'free_capacity'
  | 'make_host_available';

export type SuggestedAction = { action: SuggestedActionCode; detail: string };

/** What the reason's wording needs to know of the VM. */
export type BlockedVmFacts = { name: string; suspendable: boolean };

/** The VM stopped for the maintenance window: always possible; suspending is not for passthrough or FT VMs. */
export function stopActions(vm: BlockedVmFacts): SuggestedAction[] {
  const out: SuggestedAction[] = [{ action: 'shutdown_vms', detail: `Shut ${vm.name} down for the maintenance window` }];
  if (vm.suspendable) out.push({ action: 'suspend_vms', detail: `Suspend ${vm.name} for the maintenance window` });
  return out;
}

export const deviceAction = (vmName: string, label: string, kind: string): SuggestedAction =>
  kind === 'pci_passthrough' || kind === 'sriov_nic'
    ? { action: 'shutdown_vms', detail: `Shut ${vmName} down: a passthrough device (${label}) cannot be disconnected while it runs` }
    : { action: 'disconnect_device', detail: `Disconnect ${label} of ${vmName} (a device of its host)` };

export const faultToleranceAction = (vmName: string): SuggestedAction => ({
  action: 'turn_off_fault_tolerance',
  detail: `Turn off or suspend Fault Tolerance for ${vmName}, or evacuate with DRS (evacuation: drs), which moves FT pairs itself`,
});

export const drsActions = (vmName: string, clusterName: string | undefined): SuggestedAction[] => [
  {
    action: 'set_drs_automation',
    detail: clusterName
      ? `Set DRS on cluster ${clusterName} and for ${vmName} to fully automated`
      : `Put the host in a DRS cluster, or evacuate with EIO's migrations`,
  },
  { action: 'evacuate_with_migrate', detail: `Evacuate with EIO's migrations (evacuation: migrate) instead of DRS` },
];

export const storageAction = (vmName: string, datastores: string[]): SuggestedAction => ({
  action: 'storage_vmotion',
  detail: `Move the disks of ${vmName} from ${datastores.join(', ')} to storage the other hosts mount (Storage vMotion)`,
});

export const relaxRuleAction = (ruleNames: string[]): SuggestedAction => {
  const rules = `${ruleNames.length === 1 ? 'rule' : 'rules'} ${ruleNames.map((n) => `'${n}'`).join(', ')}`;
  return { action: 'relax_rule', detail: `Relax ${rules} (disable it or make it "should")` };
};

export const freeCapacityAction = (): SuggestedAction => ({
  action: 'free_capacity',
  detail: 'Free CPU or memory on the other hosts, or put fewer hosts into maintenance at a time',
});

export const makeHostAvailableAction = (clusterName: string | undefined): SuggestedAction => ({
  action: 'make_host_available',
  detail: clusterName
    ? `Bring another host of cluster ${clusterName} back (connected, out of maintenance mode)`
    : 'A standalone host has nowhere to move its VMs: stop them for the maintenance window',
});
