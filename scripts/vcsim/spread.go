package main

// spreadEvenly puts each cluster's VMs on its hosts in turn (both by name), so that every host carries the
// same number: vcsim places a cluster's VMs on hosts it picks at random, while a benchmark of "N VMs per
// host" needs exactly N on each.

import (
	"sort"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/types"
)

func spreadEvenly() {
	for _, e := range simulator.Map.All("ClusterComputeResource") {
		cluster := e.(*simulator.ClusterComputeResource)
		hosts := append([]types.ManagedObjectReference(nil), cluster.Host...)
		if len(hosts) == 0 {
			continue
		}
		name := func(ref types.ManagedObjectReference) string { return hostOf(ref).Name }
		sort.Slice(hosts, func(i, j int) bool { return name(hosts[i]) < name(hosts[j]) })
		var vms []*simulator.VirtualMachine
		for _, h := range hosts {
			vms = append(vms, vmsOn(hostOf(h))...)
		}
		sort.Slice(vms, func(i, j int) bool { return vms[i].Name < vms[j].Name })
		for i, vm := range vms {
			to := hosts[i%len(hosts)]
			applyMove(vm, move{host: &to})
		}
	}
}
