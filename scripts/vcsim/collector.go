package main

import (
	"strconv"
	"sync"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// PropertyCollector wraps vcsim's collector with what vCenter does and Debian's vcsim (govmomi 0.24) does
// not, so EIO's paging and delta code meets the real protocol: RetrievePropertiesEx honours maxObjects and
// pages with single-use tokens (ContinueRetrievePropertiesEx, CancelRetrievePropertiesEx); WaitForUpdatesEx
// issues real versions, truncates at maxObjectUpdates (a truncated version works once) and answers
// InvalidCollectorVersion for a version it never issued. The Go type name must stay PropertyCollector:
// vcsim derives the managed object type of objects it registers from it.
type PropertyCollector struct {
	simulator.PropertyCollector

	state    sync.Mutex
	seq      int                         // last token or version issued by this collector
	pages    map[string]page             // token -> objects not yet returned
	versions map[string]*types.UpdateSet // issued version -> remainder owed for it (nil when final)
}

type page struct {
	objects []types.ObjectContent
	max     int
}

// vCenter caps a WaitForUpdatesEx answer at 100 object updates when the client sets no limit.
const defaultMaxObjectUpdates = 100

// installCollector replaces the root PropertyCollector; vcsim clones its type for each session.
func installCollector(ref types.ManagedObjectReference) {
	pc := new(PropertyCollector)
	pc.Self = ref
	simulator.Map.Put(pc)
}

func (pc *PropertyCollector) next() string {
	if pc.pages == nil {
		pc.pages, pc.versions = map[string]page{}, map[string]*types.UpdateSet{}
	}
	pc.seq++
	return strconv.Itoa(pc.seq)
}

func (pc *PropertyCollector) CreatePropertyCollector(ctx *simulator.Context, r *types.CreatePropertyCollector) soap.HasFault {
	return &methods.CreatePropertyCollectorBody{Res: &types.CreatePropertyCollectorResponse{
		Returnval: ctx.Session.Put(new(PropertyCollector)).Reference(),
	}}
}

func (pc *PropertyCollector) RetrievePropertiesEx(ctx *simulator.Context, r *types.RetrievePropertiesEx) soap.HasFault {
	res := pc.PropertyCollector.RetrievePropertiesEx(ctx, r)
	body, ok := res.(*methods.RetrievePropertiesExBody)
	if !ok || body.Res == nil || body.Res.Returnval == nil {
		return res
	}
	pc.state.Lock()
	defer pc.state.Unlock()
	body.Res.Returnval = pc.page(body.Res.Returnval.Objects, int(r.Options.MaxObjects))
	countObjects(len(body.Res.Returnval.Objects), 0)
	return body
}

func (pc *PropertyCollector) page(objects []types.ObjectContent, max int) *types.RetrieveResult {
	if max <= 0 || len(objects) <= max {
		return &types.RetrieveResult{Objects: objects}
	}
	token := pc.next()
	pc.pages[token] = page{objects: objects[max:], max: max}
	return &types.RetrieveResult{Objects: objects[:max], Token: token}
}

func (pc *PropertyCollector) ContinueRetrievePropertiesEx(ctx *simulator.Context, r *types.ContinueRetrievePropertiesEx) soap.HasFault {
	body := &methods.ContinueRetrievePropertiesExBody{}
	pc.state.Lock()
	defer pc.state.Unlock()
	rest, ok := pc.pages[r.Token]
	if !ok {
		body.Fault_ = simulator.Fault("unknown or already used token", &types.InvalidArgument{InvalidProperty: "token"})
		return body
	}
	delete(pc.pages, r.Token)
	body.Res = &types.ContinueRetrievePropertiesExResponse{Returnval: *pc.page(rest.objects, rest.max)}
	countObjects(len(body.Res.Returnval.Objects), 0)
	return body
}

func (pc *PropertyCollector) CancelRetrievePropertiesEx(ctx *simulator.Context, r *types.CancelRetrievePropertiesEx) soap.HasFault {
	pc.state.Lock()
	delete(pc.pages, r.Token)
	pc.state.Unlock()
	return &methods.CancelRetrievePropertiesExBody{Res: new(types.CancelRetrievePropertiesExResponse)}
}

func (pc *PropertyCollector) WaitForUpdatesEx(ctx *simulator.Context, r *types.WaitForUpdatesEx) soap.HasFault {
	max := defaultMaxObjectUpdates
	if r.Options != nil && r.Options.MaxObjectUpdates > 0 {
		max = int(r.Options.MaxObjectUpdates)
	}
	pc.state.Lock()
	owed, known := pc.versions[r.Version]
	switch {
	case r.Version != "" && !known:
		pc.state.Unlock()
		body := &methods.WaitForUpdatesExBody{}
		body.Fault_ = simulator.Fault("The collector version '"+r.Version+"' is not valid", new(types.InvalidCollectorVersion))
		return body
	case owed != nil: // the rest of a truncated answer; that version is spent
		delete(pc.versions, r.Version)
		pc.issue(owed, max)
		pc.state.Unlock()
		countObjects(0, objectUpdates(owed))
		return &methods.WaitForUpdatesExBody{Res: &types.WaitForUpdatesExResponse{Returnval: owed}}
	}
	pc.state.Unlock()

	// vcsim's own collector knows only "" (initial) and "any other value" (wait for changes).
	inner := *r
	if inner.Version != "" {
		inner.Version = "-"
	}
	res := pc.PropertyCollector.WaitForUpdatesEx(ctx, &inner)
	body, ok := res.(*methods.WaitForUpdatesExBody)
	if !ok || body.Res == nil || body.Res.Returnval == nil {
		return res // fault, or maxWaitSeconds passed without changes: the caller keeps its version
	}
	pc.state.Lock()
	pc.issue(body.Res.Returnval, max)
	pc.state.Unlock()
	countObjects(0, objectUpdates(body.Res.Returnval))
	return body
}

func objectUpdates(set *types.UpdateSet) int {
	n := 0
	for _, f := range set.FilterSet {
		n += len(f.ObjectSet)
	}
	return n
}

// issue gives set a new version, cutting it to max object updates and keeping the rest for that version.
func (pc *PropertyCollector) issue(set *types.UpdateSet, max int) {
	version := pc.next()
	set.Version, set.Truncated = version, nil
	var rest []types.PropertyFilterUpdate
	n := 0
	for i, f := range set.FilterSet {
		if n+len(f.ObjectSet) <= max {
			n += len(f.ObjectSet)
			continue
		}
		keep := max - n
		rest = append([]types.PropertyFilterUpdate{{Filter: f.Filter, ObjectSet: f.ObjectSet[keep:]}}, set.FilterSet[i+1:]...)
		set.FilterSet[i].ObjectSet = f.ObjectSet[:keep]
		set.FilterSet = set.FilterSet[:i+1]
		break
	}
	if rest == nil {
		pc.versions[version] = nil
		return
	}
	set.Truncated = types.NewBool(true)
	pc.versions[version] = &types.UpdateSet{FilterSet: rest}
}
