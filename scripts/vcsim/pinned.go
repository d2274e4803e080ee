package main

// Pinned VMs (-pinned-vm): VMs on the first host of the first cluster that vCenter cannot move, one per
// reason asked for, so tests and the demo lab meet the VMs that block a host's maintenance. The other
// VMs' CD-ROM drives are disconnected, as a VM's client-device CD-ROM is: vcsim connects every VM's to a
// host device, which would pin them all.

import (
	"context"
	"fmt"
	"io/ioutil"
	"sort"
	"strings"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/types"
)

// pinReasons are the values -pinned-vm takes, each what keeps vCenter from moving the VM.
var pinReasons = map[string]func(vm *simulator.VirtualMachine, local types.ManagedObjectReference) types.BaseVirtualDevice{
	"cdrom": hostCdrom,
	"usb": func(*simulator.VirtualMachine, types.ManagedObjectReference) types.BaseVirtualDevice {
		return hostUsb()
	},
	"serial": func(*simulator.VirtualMachine, types.ManagedObjectReference) types.BaseVirtualDevice {
		return hostSerial()
	},
	"passthrough": func(*simulator.VirtualMachine, types.ManagedObjectReference) types.BaseVirtualDevice {
		return pciPassthrough()
	},
	"local-disk": localDisk,
}

// disconnectCdroms leaves every VM's CD-ROM drive disconnected.
func disconnectCdroms() {
	for _, e := range simulator.Map.All("VirtualMachine") {
		vm := e.(*simulator.VirtualMachine)
		for _, d := range vm.Config.Hardware.Device {
			if cd, ok := d.(*types.VirtualCdrom); ok && cd.Connectable != nil {
				cd.Connectable.Connected, cd.Connectable.StartConnected = false, false
			}
		}
	}
}

// pinVMs pins one VM per reason (comma-separated) and returns the pinned VMs' ids with their reason.
func pinVMs(service *simulator.Service, reasons string, tmp string) (map[string]string, error) {
	pinned := map[string]string{}
	if reasons == "" {
		return pinned, nil
	}
	host, vms, err := firstClusterHost()
	if err != nil {
		return nil, err
	}
	names := strings.Split(reasons, ",")
	if len(names) > len(vms) {
		return nil, fmt.Errorf("-pinned-vm asks for %d VMs, the first cluster has %d", len(names), len(vms))
	}
	var local types.ManagedObjectReference
	for i, reason := range names {
		pin, ok := pinReasons[reason]
		if !ok {
			return nil, fmt.Errorf("-pinned-vm: unknown reason %q (cdrom, usb, serial, passthrough, local-disk)", reason)
		}
		if reason == "local-disk" && local.Value == "" {
			if local, err = localDatastore(service, host, tmp); err != nil {
				return nil, err
			}
		}
		vm := vms[i]
		applyMove(vm, move{host: &host.Self})
		device := pin(vm, local)
		devices := append([]types.BaseVirtualDevice{}, vm.Config.Hardware.Device...)
		if device.GetVirtualDevice().Key < 0 { // a new device; an existing one was changed in place
			device.GetVirtualDevice().Key = 9000 + int32(i)
			devices = append(devices, device)
		}
		changes := []types.PropertyChange{{Name: "config.hardware.device", Val: devices}}
		if reason == "local-disk" {
			changes = append(changes, types.PropertyChange{Name: "datastore", Val: []types.ManagedObjectReference{local}})
		}
		simulator.Map.Update(vm, changes)
		pinned[vm.Self.Value] = reason
	}
	return pinned, nil
}

// firstClusterHost is the first host of the first cluster (by name) and that cluster's VMs by name.
func firstClusterHost() (*simulator.HostSystem, []*simulator.VirtualMachine, error) {
	var clusters []*simulator.ClusterComputeResource
	for _, e := range simulator.Map.All("ClusterComputeResource") {
		clusters = append(clusters, e.(*simulator.ClusterComputeResource))
	}
	sort.Slice(clusters, func(i, j int) bool { return clusters[i].Name < clusters[j].Name })
	if len(clusters) == 0 || len(clusters[0].Host) == 0 {
		return nil, nil, fmt.Errorf("-pinned-vm needs a cluster with hosts")
	}
	cluster := clusters[0]
	inCluster := map[types.ManagedObjectReference]bool{}
	for _, h := range cluster.Host {
		inCluster[h] = true
	}
	var vms []*simulator.VirtualMachine
	for _, e := range simulator.Map.All("VirtualMachine") {
		if vm := e.(*simulator.VirtualMachine); vm.Runtime.Host != nil && inCluster[*vm.Runtime.Host] {
			vms = append(vms, vm)
		}
	}
	sort.Slice(vms, func(i, j int) bool { return vms[i].Name < vms[j].Name })
	return hostOf(cluster.Host[0]), vms, nil
}

func connected() *types.VirtualDeviceConnectInfo {
	return &types.VirtualDeviceConnectInfo{Connected: true, StartConnected: true}
}

func device(label string, backing types.BaseVirtualDeviceBackingInfo) types.VirtualDevice {
	return types.VirtualDevice{
		Key: -1, DeviceInfo: &types.Description{Label: label, Summary: label}, Backing: backing, Connectable: connected(),
	}
}

func hostDevice(name string) types.VirtualDeviceDeviceBackingInfo {
	return types.VirtualDeviceDeviceBackingInfo{DeviceName: name}
}

// hostCdrom connects the VM's CD-ROM drive to the host's physical drive.
func hostCdrom(vm *simulator.VirtualMachine, _ types.ManagedObjectReference) types.BaseVirtualDevice {
	backing := &types.VirtualCdromAtapiBackingInfo{VirtualDeviceDeviceBackingInfo: hostDevice("/vmfs/devices/cdrom/mpx.vmhba0:C0:T0:L0")}
	for _, d := range vm.Config.Hardware.Device {
		if cd, ok := d.(*types.VirtualCdrom); ok {
			cd.Backing, cd.Connectable = backing, connected()
			return cd
		}
	}
	return &types.VirtualCdrom{VirtualDevice: device("CD/DVD drive 1", backing)}
}

func hostUsb() types.BaseVirtualDevice {
	backing := &types.VirtualUSBUSBBackingInfo{VirtualDeviceDeviceBackingInfo: hostDevice("path:1/0/3 version:2")}
	return &types.VirtualUSB{VirtualDevice: device("USB 1", backing), Connected: true}
}

func hostSerial() types.BaseVirtualDevice {
	backing := &types.VirtualSerialPortDeviceBackingInfo{VirtualDeviceDeviceBackingInfo: hostDevice("/dev/char/serial/uart0")}
	return &types.VirtualSerialPort{VirtualDevice: device("Serial port 1", backing), YieldOnPoll: true}
}

func pciPassthrough() types.BaseVirtualDevice {
	backing := &types.VirtualPCIPassthroughDeviceBackingInfo{
		VirtualDeviceDeviceBackingInfo: hostDevice("NVIDIA Tesla T4"),
		Id:                             "0000:3b:00.0", DeviceId: "1eb8", SystemId: "5f1b2c3d-0000-0000-0000-000000000000", VendorId: 0x10de,
	}
	d := device("PCI device 0", backing)
	d.Connectable = nil
	return &types.VirtualPCIPassthrough{VirtualDevice: d}
}

// localDisk moves the VM's disk, on paper, to the host's own datastore.
func localDisk(vm *simulator.VirtualMachine, local types.ManagedObjectReference) types.BaseVirtualDevice {
	for _, d := range vm.Config.Hardware.Device {
		disk, ok := d.(*types.VirtualDisk)
		if !ok {
			continue
		}
		if b, ok := disk.Backing.(types.BaseVirtualDeviceFileBackingInfo); ok {
			file := b.GetVirtualDeviceFileBackingInfo()
			file.FileName = fmt.Sprintf("[%s] %s/%s.vmdk", dsName(local), vm.Name, vm.Name)
			file.Datastore = &local
		}
		for _, ds := range vm.Datastore {
			moveRef(ds, local, vm.Self)
		}
		return disk
	}
	return &types.VirtualDisk{VirtualDevice: device("Hard disk 1", &types.VirtualDiskFlatVer2BackingInfo{
		VirtualDeviceFileBackingInfo: types.VirtualDeviceFileBackingInfo{
			FileName: fmt.Sprintf("[%s] %s/%s.vmdk", dsName(local), vm.Name, vm.Name), Datastore: &local,
		},
	})}
}

// localDatastore creates a datastore that only host mounts, as ESXi's local VMFS is.
func localDatastore(service *simulator.Service, host *simulator.HostSystem, tmp string) (types.ManagedObjectReference, error) {
	ctx := context.Background()
	dir, err := ioutil.TempDir(tmp, "eio-local-ds-")
	if err != nil {
		return types.ManagedObjectReference{}, err
	}
	c, err := vim25.NewClient(ctx, service)
	if err != nil {
		return types.ManagedObjectReference{}, err
	}
	dss, err := object.NewHostSystem(c, host.Self).ConfigManager().DatastoreSystem(ctx)
	if err != nil {
		return types.ManagedObjectReference{}, err
	}
	ds, err := dss.CreateLocalDatastore(ctx, host.Name+"-local", dir)
	if err != nil {
		return types.ManagedObjectReference{}, err
	}
	return ds.Reference(), nil
}
