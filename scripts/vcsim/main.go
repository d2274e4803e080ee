// vcsim for EIO's tests: govmomi's vSphere API simulator (VPX model) on a loopback port, with TLS on a
// certificate it generates (written to -cert-out so clients can pin or trust it) and real credentials, so
// a wrong password fails as it would on vCenter. Built by build.sh from Debian's govmomi in GOPATH mode.
// What host maintenance meets behaves as on vCenter (tasks.go, maintenance.go, migration.go, power.go):
// tasks run in the background for -task-delay and can be canceled, a host enters maintenance mode only once
// its VMs are gone (DRS evacuates it when -drs=fullyAutomated), a VM that cannot move fails its migration
// with vCenter's fault; -pinned-vm makes such VMs.
package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"flag"
	"fmt"
	"io/ioutil"
	"log"
	"math/big"
	"net"
	"net/url"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/types"
)

func main() {
	dc := flag.Int("dc", 1, "datacenters")
	clusters := flag.Int("cluster", 1, "clusters per datacenter")
	hosts := flag.Int("host", 3, "hosts per cluster")
	vms := flag.Int("vm", 2, "VMs per cluster host (a cluster holds vm*host VMs, placed on its hosts by vcsim)")
	standalone := flag.Int("standalone", 0, "standalone hosts per datacenter (vcsim fills each one's pool alike: vm*host VMs)")
	listen := flag.String("listen", "127.0.0.1:0", "address:port to listen on (port 0 picks a free one)")
	user := flag.String("user", "user", "the only user name Login accepts")
	pass := flag.String("pass", "pass", "the only password Login accepts")
	certOut := flag.String("cert-out", "", "write the server certificate (PEM) to this file")
	idle := flag.Duration("session-idle", 0, "expire sessions idle this long (0: never)")
	flag.DurationVar(&taskDelay, "task-delay", 0,
		"how long a migration, entering or leaving maintenance mode and a power operation take (0: no wait)")
	drs := flag.String("drs", "", "clusters' DRS: off, manual, partiallyAutomated or fullyAutomated (DRS evacuates hosts "+
		"entering maintenance mode); empty: vcsim's (enabled, no default behaviour, so no evacuation)")
	pinned := flag.String("pinned-vm", "", "comma-separated reasons, one VM each on the first host of the first cluster that "+
		"vCenter cannot move: cdrom (connected host CD-ROM), usb, serial (host devices), passthrough (PCI), local-disk "+
		"(disk on a datastore only that host mounts); the VM ids are printed as `# vcsim pinned {id: reason}`")
	flag.DurationVar(&simulator.WaitUpdateInterval, "update-interval", simulator.WaitUpdateInterval,
		"how often a waiting WaitForUpdatesEx looks for changes (govmomi: 250ms; vCenter answers as changes happen)")
	spread := flag.Bool("spread", false, "put each cluster's VMs on its hosts in turn, the same number on each (vcsim picks hosts at random)")
	flag.Parse()

	model := simulator.VPX()
	model.Datacenter, model.Cluster, model.ClusterHost, model.Host = *dc, *clusters, *hosts, *standalone
	// vcsim creates Machine VMs per resource pool, i.e. per cluster (and per standalone host).
	model.Machine = *vms
	if *hosts > 1 {
		model.Machine *= *hosts
	}
	simulator.SessionIdleTimeout = *idle
	if err := model.Create(); err != nil {
		log.Fatalf("vcsim: create model: %v", err)
	}
	defer model.Remove()
	installCollector(model.ServiceContent.PropertyCollector)
	if err := configureDrs(*drs); err != nil {
		log.Fatalf("vcsim: %v", err)
	}
	disconnectCdroms()
	if *spread {
		spreadEvenly()
	}
	scratch, err := ioutil.TempDir("", "eio-vcsim-")
	if err != nil {
		log.Fatalf("vcsim: %v", err)
	}
	defer os.RemoveAll(scratch)
	pinnedVMs, err := pinVMs(model.Service, *pinned, scratch)
	if err != nil {
		log.Fatalf("vcsim: %v", err)
	}

	cert, certPEM := selfSigned()
	if *certOut != "" {
		if err := os.WriteFile(*certOut, certPEM, 0o644); err != nil {
			log.Fatalf("vcsim: write certificate: %v", err)
		}
	}
	// A user in Listen makes SessionManager.Login accept only these credentials.
	model.Service.Listen = &url.URL{Host: *listen, User: url.UserPassword(*user, *pass)}
	model.Service.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	server := model.Service.NewServer()
	defer server.Close()
	// Before any client knows the URL: the routed methods reach EIO's implementations (routing.go), and
	// every call is counted (stats.go).
	server.Config.Handler = countCalls(routeMethods(server.Config.Handler))

	count := model.Count()
	counts, _ := json.Marshal(map[string]int{
		"datacenters": count.Datacenter, "clusters": count.Cluster, "hosts": count.Host, "vms": count.Machine,
	})
	fmt.Printf("export GOVC_URL=%s\n", server.URL.String())
	if *certOut != "" {
		fmt.Printf("export GOVC_TLS_CA_CERTS=%s\n", *certOut)
	}
	if len(pinnedVMs) > 0 {
		pins, _ := json.Marshal(pinnedVMs)
		fmt.Printf("# vcsim pinned %s\n", pins)
	}
	fmt.Printf("# vcsim ready %s\n", counts)

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	<-sig
}

// selfSigned makes a P-256 certificate for the loopback names, as a vCenter's self-signed VMCA cert would be.
func selfSigned() (tls.Certificate, []byte) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		log.Fatalf("vcsim: key: %v", err)
	}
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl := x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: "vcsim.localhost", Organization: []string{"EIO test vcsim"}},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(365 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:         true, BasicConstraintsValid: true,
		DNSNames:    []string{"localhost"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	der, err := x509.CreateCertificate(rand.Reader, &tmpl, &tmpl, &key.PublicKey, key)
	if err != nil {
		log.Fatalf("vcsim: certificate: %v", err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

// configureDrs sets every cluster's DRS as -drs says.
func configureDrs(mode string) error {
	if mode == "" {
		return nil
	}
	behaviours := map[string]bool{"manual": true, "partiallyAutomated": true, "fullyAutomated": true}
	if mode != "off" && !behaviours[mode] {
		return fmt.Errorf("-drs: unknown mode %q (off, manual, partiallyAutomated, fullyAutomated)", mode)
	}
	for _, e := range simulator.Map.All("ClusterComputeResource") {
		cfg := e.(*simulator.ClusterComputeResource).ConfigurationEx.(*types.ClusterConfigInfoEx)
		cfg.DrsConfig.Enabled = types.NewBool(mode != "off")
		if mode != "off" {
			cfg.DrsConfig.DefaultVmBehavior = types.DrsBehavior(mode)
		}
	}
	return nil
}
