package main

// Host maintenance mode as vCenter runs it. EnterMaintenanceMode_Task stays running while VMs that must
// leave are on the host (powered-on ones; powered-off and suspended ones too with evacuatePoweredOffVms),
// until they are gone, its timeout passes (Timedout) or it is canceled (RequestCanceled, the host stays out
// of maintenance mode). In a cluster whose DRS is fully automated it migrates what can move to the other
// connected hosts of the cluster that are not in (or entering) maintenance mode; a VM that cannot move,
// or whose DRS override is not fully automated, stays and keeps the task waiting. vcsim 0.24 only sets
// the flag.

import (
	"sync"
	"time"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// entering counts the EnterMaintenanceMode tasks running per host: no VM may move onto such a host.
var entering = struct {
	sync.Mutex
	hosts map[types.ManagedObjectReference]int
}{hosts: map[types.ManagedObjectReference]int{}}

func inMaintenance(h *simulator.HostSystem) bool {
	entering.Lock()
	defer entering.Unlock()
	return h.Runtime.InMaintenanceMode || entering.hosts[h.Self] > 0
}

func setEntering(h *simulator.HostSystem, delta int) {
	entering.Lock()
	entering.hosts[h.Self] += delta
	entering.Unlock()
}

func setMaintenance(h *simulator.HostSystem, on bool) {
	simulator.Map.WithLock(h, func() {
		simulator.Map.Update(h, []types.PropertyChange{
			{Name: "runtime.inMaintenanceMode", Val: on},
			{Name: "summary.runtime.inMaintenanceMode", Val: on},
		})
	})
}

func (h *hostOps) EnterMaintenanceModeTask(ctx *simulator.Context, req *types.EnterMaintenanceMode_Task) soap.HasFault {
	host := hostOf(h.host)
	poweredOffToo := req.EvacuatePoweredOffVms != nil && *req.EvacuatePoweredOffVms
	ref := startTask(host, "HostSystem.enterMaintenanceMode", true, func(t *Task) (types.AnyType, *types.LocalizedMethodFault) {
		return nil, enterMaintenance(t, host, req.Timeout, poweredOffToo)
	})
	return &methods.EnterMaintenanceMode_TaskBody{Res: &types.EnterMaintenanceMode_TaskResponse{Returnval: ref}}
}

func (h *hostOps) ExitMaintenanceModeTask(ctx *simulator.Context, req *types.ExitMaintenanceMode_Task) soap.HasFault {
	host := hostOf(h.host)
	ref := startTask(host, "HostSystem.exitMaintenanceMode", true, func(t *Task) (types.AnyType, *types.LocalizedMethodFault) {
		if f := t.sleep(taskDelay); f != nil {
			return nil, f
		}
		setMaintenance(host, false)
		return nil, nil
	})
	return &methods.ExitMaintenanceMode_TaskBody{Res: &types.ExitMaintenanceMode_TaskResponse{Returnval: ref}}
}

func enterMaintenance(t *Task, host *simulator.HostSystem, timeout int32, poweredOffToo bool) *types.LocalizedMethodFault {
	var timedOut <-chan time.Time
	if timeout > 0 { // 0 or less: no timeout
		timer := time.NewTimer(time.Duration(timeout) * time.Second)
		defer timer.Stop()
		timedOut = timer.C
	}
	setEntering(host, 1)
	defer setEntering(host, -1)
	drs := evacuationBy(host)
	empty := func() bool {
		staying := mustLeave(host, poweredOffToo)
		if drs != nil {
			drs.migrate(staying)
		}
		return len(staying) == 0
	}
	if f := t.waitUntil(empty, timedOut); f != nil {
		if drs != nil {
			drs.stop()
		}
		return f
	}
	if f := t.sleep(taskDelay); f != nil {
		return f
	}
	setMaintenance(host, true)
	return nil
}

// mustLeave lists the VMs on host that keep it from entering maintenance mode.
func mustLeave(host *simulator.HostSystem, poweredOffToo bool) []*simulator.VirtualMachine {
	var out []*simulator.VirtualMachine
	for _, vm := range vmsOn(host) {
		if poweredOffToo || vm.Runtime.PowerState == types.VirtualMachinePowerStatePoweredOn {
			out = append(out, vm)
		}
	}
	return out
}

// evacuation is DRS at work for one host entering maintenance mode: one migration at a time per VM.
type evacuation struct {
	host    *simulator.HostSystem
	cluster *simulator.ClusterComputeResource
	moving  map[types.ManagedObjectReference]*Task
}

// evacuationBy is DRS's evacuation of host, or nil when its cluster's DRS is not fully automated.
func evacuationBy(host *simulator.HostSystem) *evacuation {
	cluster, ok := simulator.Map.Get(*host.Parent).(*simulator.ClusterComputeResource)
	if !ok {
		return nil
	}
	cfg, ok := cluster.ConfigurationEx.(*types.ClusterConfigInfoEx)
	if !ok || cfg.DrsConfig.Enabled == nil || !*cfg.DrsConfig.Enabled ||
		cfg.DrsConfig.DefaultVmBehavior != types.DrsBehaviorFullyAutomated {
		return nil
	}
	return &evacuation{host: host, cluster: cluster, moving: map[types.ManagedObjectReference]*Task{}}
}

func (e *evacuation) migrate(staying []*simulator.VirtualMachine) {
	for _, vm := range staying {
		if t := e.moving[vm.Self]; (t != nil && !t.hasEnded()) || !e.automated(vm) {
			continue
		}
		if dest := e.destination(vm); dest != nil {
			// vCenter names DRS's migrations for maintenance mode so.
			ref := startMove(vm, move{host: &dest.Self}, "Drm.ExecuteVMotionLRO")
			e.moving[vm.Self] = simulator.Map.Get(ref).(*Task)
		}
	}
}

// automated: the VM's DRS override (if any) leaves it to DRS.
func (e *evacuation) automated(vm *simulator.VirtualMachine) bool {
	for _, o := range e.cluster.ConfigurationEx.(*types.ClusterConfigInfoEx).DrsVmConfig {
		if o.Key == vm.Self {
			return (o.Enabled == nil || *o.Enabled) && (o.Behavior == "" || o.Behavior == types.DrsBehaviorFullyAutomated)
		}
	}
	return true
}

// destination is the least loaded host of the cluster that vm can move to, or nil.
func (e *evacuation) destination(vm *simulator.VirtualMachine) *simulator.HostSystem {
	var best *simulator.HostSystem
	for _, ref := range e.cluster.Host {
		h := hostOf(ref)
		if h == nil || h.Self == e.host.Self || cannotMove(vm, move{host: &h.Self}) != nil {
			continue
		}
		if best == nil || len(h.Vm) < len(best.Vm) {
			best = h
		}
	}
	return best
}

// stop cancels the migrations still running when the host will not enter maintenance mode after all.
func (e *evacuation) stop() {
	for _, t := range e.moving {
		t.stop()
	}
}
