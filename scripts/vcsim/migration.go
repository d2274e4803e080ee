package main

// VM migration (RelocateVM_Task, MigrateVM_Task) as vCenter validates it: a VM that cannot move fails its
// task with the fault vCenter gives, checked before the move starts and again when it ends; the move
// itself takes -task-delay and a canceled one leaves the VM where it was. vcsim 0.24 moves anything, and
// leaves the hosts' vm lists wrong.

import (
	"fmt"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

type move struct {
	host, pool, datastore *types.ManagedObjectReference
}

func (v *vmOps) RelocateVMTask(ctx *simulator.Context, req *types.RelocateVM_Task) soap.HasFault {
	to := move{host: req.Spec.Host, pool: req.Spec.Pool, datastore: req.Spec.Datastore}
	return &methods.RelocateVM_TaskBody{Res: &types.RelocateVM_TaskResponse{Returnval: startMove(vmOf(v.vm), to, "VirtualMachine.relocate")}}
}

func (v *vmOps) MigrateVMTask(ctx *simulator.Context, req *types.MigrateVM_Task) soap.HasFault {
	to := move{host: req.Host, pool: req.Pool}
	return &methods.MigrateVM_TaskBody{Res: &types.MigrateVM_TaskResponse{Returnval: startMove(vmOf(v.vm), to, "VirtualMachine.migrate")}}
}

// startMove starts the task that moves vm (also DRS's migrations when a host enters maintenance mode).
func startMove(vm *simulator.VirtualMachine, to move, descriptionID string) types.ManagedObjectReference {
	return startTask(vm, descriptionID, true, func(t *Task) (types.AnyType, *types.LocalizedMethodFault) {
		if f := cannotMove(vm, to); f != nil {
			return nil, f
		}
		if f := t.sleep(taskDelay); f != nil {
			return nil, f
		}
		if f := cannotMove(vm, to); f != nil {
			return nil, f
		}
		applyMove(vm, to)
		return nil, nil
	})
}

// cannotMove is the fault vCenter fails the migration with, or nil when vm can move.
func cannotMove(vm *simulator.VirtualMachine, to move) *types.LocalizedMethodFault {
	var dest *simulator.HostSystem
	if to.host != nil && *to.host != *vm.Runtime.Host {
		dest = hostOf(*to.host)
		if dest == nil {
			return failure("The object has already been deleted or has not been completely created", &types.ManagedObjectNotFound{Obj: *to.host})
		}
		if inMaintenance(dest) || dest.Runtime.ConnectionState != types.HostSystemConnectionStateConnected {
			// InvalidHostState (an InvalidState, which RelocateVM_Task and MigrateVM_Task throw) names the host.
			return failure("The operation is not allowed in the current state of the host.", &types.InvalidHostState{Host: &dest.Self})
		}
	}
	target := dest
	if target == nil {
		target = hostOf(*vm.Runtime.Host)
	}
	if to.datastore != nil {
		if !mounts(target, *to.datastore) {
			return failure(fmt.Sprintf("Datastore '%s' is not accessible on host %s.", dsName(*to.datastore), target.Name),
				&types.DatastoreNotWritableOnHost{InvalidDatastore: types.InvalidDatastore{Datastore: to.datastore}, Host: target.Self})
		}
	} else if dest != nil {
		if f := inaccessibleDisk(vm, dest); f != nil {
			return f
		}
	}
	if dest != nil && vm.Runtime.PowerState == types.VirtualMachinePowerStatePoweredOn {
		return attachedDevice(vm)
	}
	return nil
}

// inaccessibleDisk: a disk on a datastore the destination does not mount. vCenter: CannotAccessVmDisk
// ("One of the virtual machine's virtual disks is not accessible"), a migration error for any power state.
func inaccessibleDisk(vm *simulator.VirtualMachine, dest *simulator.HostSystem) *types.LocalizedMethodFault {
	for _, d := range vm.Config.Hardware.Device {
		disk, ok := d.(*types.VirtualDisk)
		if !ok {
			continue
		}
		backing, ok := disk.Backing.(types.BaseVirtualDeviceFileBackingInfo)
		if !ok {
			continue
		}
		file := backing.GetVirtualDeviceFileBackingInfo()
		if file.Datastore == nil || mounts(dest, *file.Datastore) {
			continue
		}
		label := deviceLabel(d)
		return failure(
			fmt.Sprintf("Virtual disk '%s' is not accessible on the host: Unable to access file %s", label, file.FileName),
			&types.CannotAccessVmDisk{
				CannotAccessVmDevice: types.CannotAccessVmDevice{Device: label, Backing: file.FileName, Connected: true},
				Fault:                types.LocalizedMethodFault{Fault: &types.FileNotFound{FileFault: types.FileFault{File: file.FileName}}},
			})
	}
	return nil
}

// attachedDevice: what keeps a powered-on VM from vMotion. A connected device backed by the host
// (physical CD-ROM, USB, serial or parallel port, floppy) gives CannotAccessVmDevice, as vCenter documents
// for host-local backings; a PCI passthrough device gives DisallowedMigrationDeviceAttached (a
// MigrationFault) with DeviceNotSupported.
func attachedDevice(vm *simulator.VirtualMachine) *types.LocalizedMethodFault {
	for _, d := range vm.Config.Hardware.Device {
		dev := d.GetVirtualDevice()
		label := deviceLabel(d)
		if _, ok := d.(*types.VirtualPCIPassthrough); ok {
			return failure(fmt.Sprintf("Virtual machine has device '%s' attached, which prevents migration.", label),
				&types.DisallowedMigrationDeviceAttached{Fault: types.LocalizedMethodFault{Fault: &types.DeviceNotSupported{Device: label}}})
		}
		if dev.Connectable == nil || !dev.Connectable.Connected {
			continue
		}
		if name, ok := hostBacking(dev.Backing); ok {
			return failure(fmt.Sprintf("Currently connected device '%s' uses backing '%s', which is not accessible.", label, name),
				&types.CannotAccessVmDevice{Device: label, Backing: name, Connected: true})
		}
	}
	return nil
}

func hostBacking(b types.BaseVirtualDeviceBackingInfo) (string, bool) {
	switch b := b.(type) {
	case *types.VirtualCdromAtapiBackingInfo:
		return b.DeviceName, true
	case *types.VirtualCdromPassthroughBackingInfo:
		return b.DeviceName, true
	case *types.VirtualUSBUSBBackingInfo:
		return b.DeviceName, true
	case *types.VirtualSerialPortDeviceBackingInfo:
		return b.DeviceName, true
	case *types.VirtualParallelPortDeviceBackingInfo:
		return b.DeviceName, true
	case *types.VirtualFloppyDeviceBackingInfo:
		return b.DeviceName, true
	}
	return "", false
}

func deviceLabel(d types.BaseVirtualDevice) string {
	if info := d.GetVirtualDevice().DeviceInfo; info != nil {
		return info.GetDescription().Label
	}
	return fmt.Sprintf("device %d", d.GetVirtualDevice().Key)
}

// applyMove puts vm on its new host, pool and datastore, keeping the hosts', pools' and datastores' vm
// lists right.
func applyMove(vm *simulator.VirtualMachine, to move) {
	var changes []types.PropertyChange
	if to.host != nil && *to.host != *vm.Runtime.Host {
		from := *vm.Runtime.Host
		moveRef(from, *to.host, vm.Self)
		changes = append(changes,
			types.PropertyChange{Name: "runtime.host", Val: *to.host},
			types.PropertyChange{Name: "summary.runtime.host", Val: *to.host})
	}
	if to.pool != nil && vm.ResourcePool != nil && *to.pool != *vm.ResourcePool {
		moveRef(*vm.ResourcePool, *to.pool, vm.Self)
		changes = append(changes, types.PropertyChange{Name: "resourcePool", Val: *to.pool})
	}
	if to.datastore != nil {
		for _, ds := range vm.Datastore {
			if ds != *to.datastore {
				moveRef(ds, *to.datastore, vm.Self)
			}
		}
		changes = append(changes, types.PropertyChange{Name: "datastore", Val: []types.ManagedObjectReference{*to.datastore}})
	}
	if len(changes) > 0 {
		simulator.Map.WithLock(vm, func() { simulator.Map.Update(vm, changes) })
	}
}

// moveRef takes item out of the vm list of from (a host, pool or datastore) and adds it to that of to.
func moveRef(from, to, item types.ManagedObjectReference) {
	edit := func(owner types.ManagedObjectReference, add bool) {
		obj := simulator.Map.Get(owner)
		if obj == nil {
			return
		}
		simulator.Map.WithLock(obj, func() {
			var list []types.ManagedObjectReference
			for _, r := range vmList(obj) {
				if r != item {
					list = append(list, r)
				}
			}
			if add {
				list = append(list, item)
			}
			simulator.Map.Update(obj, []types.PropertyChange{{Name: "vm", Val: list}})
		})
	}
	edit(from, false)
	edit(to, true)
}

func vmList(obj interface{}) []types.ManagedObjectReference {
	switch o := obj.(type) {
	case *simulator.HostSystem:
		return o.Vm
	case *simulator.ResourcePool:
		return o.Vm
	case *simulator.Datastore:
		return o.Vm
	}
	return nil
}
