package main

// Routing of the host and VM methods EIO's vcsim implements itself (maintenance.go, migration.go,
// power.go). vcsim's own code asserts that the registry holds its *simulator.HostSystem and
// *simulator.VirtualMachine (events, snapshots, guest operations, ...), so wrappers cannot take their place
// as the PropertyCollector's does. Instead the SOAP handler retypes `_this` of these methods to a stand-in
// object ("EioHostSystem"/"EioVirtualMachine" with the same id), and vcsim's dispatcher, with its session
// check and locking, calls the stand-in's method. Every other method, and every read, reaches vcsim's objects.

import (
	"bytes"
	"io/ioutil"
	"net/http"
	"regexp"
	"strconv"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// routed maps each method taken over to the managed object type it is called on.
var routed = map[string]string{
	"EnterMaintenanceMode_Task": "HostSystem",
	"ExitMaintenanceMode_Task":  "HostSystem",
	"RelocateVM_Task":           "VirtualMachine",
	"MigrateVM_Task":            "VirtualMachine",
	"PowerOnVM_Task":            "VirtualMachine",
	"PowerOffVM_Task":           "VirtualMachine",
	"SuspendVM_Task":            "VirtualMachine",
}

const standInPrefix = "Eio"

var (
	firstMethod = regexp.MustCompile(`<(?:[\w.-]+:)?Body\b[^>]*>\s*<(?:[\w.-]+:)?([A-Za-z_]+)[\s/>]`)
	thisElement = regexp.MustCompile(`(<(?:[\w.-]+:)?_this\b[^>]*?\btype=")(\w+)("[^>]*>)([^<]*)<`)
)

// hostOps stands in for a HostSystem in the methods routed to it.
type hostOps struct {
	mo.ExtensibleManagedObject
	host types.ManagedObjectReference
}

// vmOps stands in for a VirtualMachine in the methods routed to it.
type vmOps struct {
	mo.ExtensibleManagedObject
	vm types.ManagedObjectReference
}

// routeMethods wraps vcsim's HTTP handler so the routed methods reach the stand-ins.
func routeMethods(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && !rewriteBody(w, r, retarget) {
			return
		}
		next.ServeHTTP(w, r)
	})
}

// rewriteBody reads a request's body, hands it to f and puts back what f returns. False when the body could
// not be read: the answer (400) is written then.
func rewriteBody(w http.ResponseWriter, r *http.Request, f func([]byte) []byte) bool {
	body, err := ioutil.ReadAll(r.Body)
	_ = r.Body.Close()
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return false
	}
	body = f(body)
	r.Body = ioutil.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	r.Header.Set("Content-Length", strconv.Itoa(len(body)))
	return true
}

// retarget retypes `_this` of a routed method to its stand-in, registering the stand-in on first use.
// An unknown object is left alone, so vcsim answers ManagedObjectNotFound for the real reference.
func retarget(body []byte) []byte {
	m := firstMethod.FindSubmatch(body)
	if m == nil {
		return body
	}
	kind, ok := routed[string(m[1])]
	if !ok {
		return body
	}
	this := thisElement.FindSubmatchIndex(body)
	if this == nil || string(body[this[4]:this[5]]) != kind {
		return body
	}
	ref := types.ManagedObjectReference{Type: kind, Value: string(body[this[8]:this[9]])}
	if !standIn(ref) {
		return body
	}
	out := append([]byte{}, body[:this[4]]...)
	out = append(out, standInPrefix+kind...)
	return append(out, body[this[5]:]...)
}

func standIn(ref types.ManagedObjectReference) bool {
	if simulator.Map.Get(ref) == nil { // never was, or destroyed since
		return false
	}
	self := types.ManagedObjectReference{Type: standInPrefix + ref.Type, Value: ref.Value}
	if simulator.Map.Get(self) != nil {
		return true
	}
	var obj mo.Reference
	if ref.Type == "HostSystem" {
		h := &hostOps{host: ref}
		h.Self = self
		obj = h
	} else {
		v := &vmOps{vm: ref}
		v.Self = self
		obj = v
	}
	simulator.Map.Put(obj)
	return true
}
