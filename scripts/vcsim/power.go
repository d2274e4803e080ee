package main

// VM power operations that take -task-delay. vCenter's power tasks are not cancelable (CancelTask answers
// NotSupported); the state checks are vcsim's: a VM already in the requested state fails with
// InvalidPowerState, a template cannot be powered on.

import (
	"time"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

func (v *vmOps) PowerOnVMTask(ctx *simulator.Context, req *types.PowerOnVM_Task) soap.HasFault {
	vm := vmOf(v.vm)
	if vm.Config.Template {
		return &methods.PowerOnVM_TaskBody{Fault_: simulator.Fault("cannot powerOn a template", new(types.InvalidState))}
	}
	ref := startPower(vm, types.VirtualMachinePowerStatePoweredOn, "VirtualMachine.powerOn")
	return &methods.PowerOnVM_TaskBody{Res: &types.PowerOnVM_TaskResponse{Returnval: ref}}
}

func (v *vmOps) PowerOffVMTask(ctx *simulator.Context, req *types.PowerOffVM_Task) soap.HasFault {
	ref := startPower(vmOf(v.vm), types.VirtualMachinePowerStatePoweredOff, "VirtualMachine.powerOff")
	return &methods.PowerOffVM_TaskBody{Res: &types.PowerOffVM_TaskResponse{Returnval: ref}}
}

func (v *vmOps) SuspendVMTask(ctx *simulator.Context, req *types.SuspendVM_Task) soap.HasFault {
	ref := startPower(vmOf(v.vm), types.VirtualMachinePowerStateSuspended, "VirtualMachine.suspend")
	return &methods.SuspendVM_TaskBody{Res: &types.SuspendVM_TaskResponse{Returnval: ref}}
}

func startPower(vm *simulator.VirtualMachine, state types.VirtualMachinePowerState, descriptionID string) types.ManagedObjectReference {
	return startTask(vm, descriptionID, false, func(t *Task) (types.AnyType, *types.LocalizedMethodFault) {
		if f := invalidPowerState(vm, state); f != nil {
			return nil, f
		}
		_ = t.sleep(taskDelay) // not cancelable: sleep only ends early for a canceled task
		if f := invalidPowerState(vm, state); f != nil {
			return nil, f
		}
		var boot interface{}
		if state == types.VirtualMachinePowerStatePoweredOn {
			boot = time.Now()
		}
		simulator.Map.WithLock(vm, func() {
			simulator.Map.Update(vm, []types.PropertyChange{
				{Name: "runtime.powerState", Val: state},
				{Name: "summary.runtime.powerState", Val: state},
				{Name: "summary.runtime.bootTime", Val: boot},
			})
		})
		return nil, nil
	})
}

func invalidPowerState(vm *simulator.VirtualMachine, state types.VirtualMachinePowerState) *types.LocalizedMethodFault {
	if vm.Runtime.PowerState != state {
		return nil
	}
	return failure("The attempted operation cannot be performed in the current state ("+string(state)+").",
		&types.InvalidPowerState{RequestedState: state, ExistingState: vm.Runtime.PowerState})
}
