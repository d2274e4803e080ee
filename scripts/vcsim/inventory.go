package main

// Lookups in vcsim's inventory shared by the operations EIO's vcsim implements itself.

import (
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/types"
)

func hostOf(ref types.ManagedObjectReference) *simulator.HostSystem {
	h, _ := simulator.Map.Get(ref).(*simulator.HostSystem)
	return h
}

func vmOf(ref types.ManagedObjectReference) *simulator.VirtualMachine {
	vm, _ := simulator.Map.Get(ref).(*simulator.VirtualMachine)
	return vm
}

// vmsOn lists the VMs registered on host.
func vmsOn(host *simulator.HostSystem) []*simulator.VirtualMachine {
	var refs []types.ManagedObjectReference
	simulator.Map.WithLock(host, func() { refs = append(refs, host.Vm...) })
	var out []*simulator.VirtualMachine
	for _, ref := range refs {
		if vm := vmOf(ref); vm != nil {
			out = append(out, vm)
		}
	}
	return out
}

// mounts: host has datastore mounted.
func mounts(host *simulator.HostSystem, datastore types.ManagedObjectReference) bool {
	for _, ds := range host.Datastore {
		if ds == datastore {
			return true
		}
	}
	return false
}

func dsName(ref types.ManagedObjectReference) string {
	if ds, ok := simulator.Map.Get(ref).(*simulator.Datastore); ok {
		return ds.Name
	}
	return ref.Value
}
