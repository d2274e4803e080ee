//go:build ignore

// bench-govmomi: the govmomi side of bench/vcenter-sync.ts. Logs in to a vCenter (vcsim on loopback), then
// times, per run, CreateContainerView over VirtualMachine+HostSystem and two ContainerView.Retrieve calls
// (VMs into []mo.VirtualMachine, hosts into []mo.HostSystem) with the property paths given, and prints one
// JSON line per run. Built by build-bench.sh (GOPATH mode against Debian's govmomi; "ignore" keeps it out
// of vcsim's own `go build .`).
package main

import (
	"context"
	"encoding/json"
	"flag"
	"log"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/vmware/govmomi/session"
	"github.com/vmware/govmomi/view"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
)

func main() {
	rawURL := flag.String("url", "", "https://127.0.0.1:port/sdk")
	user := flag.String("user", "", "user")
	pass := flag.String("pass", "", "password (or env BENCH_VC_PASSWORD)")
	ca := flag.String("ca", "", "PEM file to trust (vcsim's certificate)")
	vmProps := flag.String("vm-props", "name,config.uuid,config.instanceUuid,runtime.powerState,runtime.host,guest.net,guest.toolsRunningStatus,datastore", "comma-separated VM property paths")
	hostProps := flag.String("host-props", "name,runtime.connectionState,runtime.powerState,runtime.inMaintenanceMode,hardware.systemInfo,parent", "comma-separated host property paths")
	runs := flag.Int("runs", 3, "timed runs")
	timeout := flag.Duration("timeout", 10*time.Minute, "overall deadline")
	flag.Parse()
	if *pass == "" {
		*pass = os.Getenv("BENCH_VC_PASSWORD")
	}
	u, err := url.Parse(*rawURL)
	if err != nil || *rawURL == "" {
		log.Fatalf("bad -url %q: %v", *rawURL, err)
	}
	if h := u.Hostname(); !strings.HasPrefix(h, "127.") {
		log.Fatalf("refusing non-loopback host %q", h)
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()

	sc := soap.NewClient(u, false)
	if *ca != "" {
		if err := sc.SetRootCAs(*ca); err != nil {
			log.Fatalf("ca: %v", err)
		}
	}
	vc, err := vim25.NewClient(ctx, sc)
	if err != nil {
		log.Fatalf("client: %v", err)
	}
	sm := session.NewManager(vc)
	if err := sm.Login(ctx, url.UserPassword(*user, *pass)); err != nil {
		log.Fatalf("login: %v", err)
	}
	defer sm.Logout(context.Background())

	vp, hp := strings.Split(*vmProps, ","), strings.Split(*hostProps, ",")
	m := view.NewManager(vc)
	enc := json.NewEncoder(os.Stdout)
	for i := 1; i <= *runs; i++ {
		t0 := time.Now()
		v, err := m.CreateContainerView(ctx, vc.ServiceContent.RootFolder, []string{"VirtualMachine", "HostSystem"}, true)
		if err != nil {
			log.Fatalf("view: %v", err)
		}
		var vms []mo.VirtualMachine
		if err := v.Retrieve(ctx, []string{"VirtualMachine"}, vp, &vms); err != nil {
			log.Fatalf("retrieve VMs: %v", err)
		}
		t1 := time.Now()
		var hosts []mo.HostSystem
		if err := v.Retrieve(ctx, []string{"HostSystem"}, hp, &hosts); err != nil {
			log.Fatalf("retrieve hosts: %v", err)
		}
		t2 := time.Now()
		_ = v.Destroy(ctx)
		ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
		_ = enc.Encode(map[string]any{
			"run": i, "vms": len(vms), "hosts": len(hosts),
			"vm_ms": ms(t1.Sub(t0)), "host_ms": ms(t2.Sub(t1)), "total_ms": ms(t2.Sub(t0)),
			"vm_props": len(vp), "host_props": len(hp),
		})
	}
}
