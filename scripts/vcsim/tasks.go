package main

// Tasks that run as vCenter's do: the method answers with the task at once, the work goes on in the
// background for -task-delay (plus whatever it waits for), and CancelTask ends a cancelable task with
// RequestCanceled. vcsim 0.24 runs each task to its end before answering and has no CancelTask.

import (
	"strings"
	"sync"
	"time"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// taskDelay is how long each operation takes (-task-delay): a migration, entering or leaving maintenance
// mode, a power operation.
var taskDelay time.Duration

// How often a task that waits on the inventory (a host emptying) looks again.
const pollInterval = 20 * time.Millisecond

// Task is a vCenter task run in the background. The Go type name must stay Task: vcsim derives the
// managed object type (and the task-N ids) from it.
type Task struct {
	simulator.Task

	cancel   chan struct{} // closed by CancelTask
	parked   chan struct{} // closed when the task starts to wait: the method that started it may answer
	ended    chan struct{} // closed when the task has its result
	once     sync.Once
	parkOnce sync.Once
}

// taskWork is what a task does; it returns the task's result or its fault.
type taskWork func(t *Task) (types.AnyType, *types.LocalizedMethodFault)

// failure is a task's fault with the message vCenter would give.
func failure(msg string, fault types.BaseMethodFault) *types.LocalizedMethodFault {
	return &types.LocalizedMethodFault{Fault: fault, LocalizedMessage: msg}
}

var canceled = failure("The task was canceled by a user.", new(types.RequestCanceled))

// startTask creates a task on entity, runs work in the background and returns once the task has ended or
// waits (on -task-delay or on the inventory). With no delay and nothing to wait for, the task has ended
// before the method answers, as vcsim's own tasks have.
func startTask(entity mo.Entity, descriptionID string, cancelable bool, work taskWork) types.ManagedObjectReference {
	ref := entity.Reference()
	t := &Task{cancel: make(chan struct{}), parked: make(chan struct{}), ended: make(chan struct{})}
	t.Info.DescriptionId = descriptionID
	t.Info.Name = descriptionID[strings.LastIndex(descriptionID, ".")+1:]
	t.Info.Entity = &ref
	t.Info.EntityName = entity.Entity().Name
	t.Info.Reason = &types.TaskReasonUser{UserName: "vcsim"}
	t.Info.QueueTime = time.Now()
	t.Info.State = types.TaskInfoStateQueued
	t.Info.Cancelable = cancelable
	simulator.Map.Put(t)
	t.update(
		types.PropertyChange{Name: "info.key", Val: t.Self.Value},
		types.PropertyChange{Name: "info.task", Val: t.Self},
	)
	go t.run(work)
	select {
	case <-t.ended:
	case <-t.parked:
	}
	return t.Self
}

func (t *Task) run(work taskWork) {
	t.update(
		types.PropertyChange{Name: "info.startTime", Val: time.Now()},
		types.PropertyChange{Name: "info.state", Val: types.TaskInfoStateRunning},
	)
	res, fault := work(t)
	state := types.TaskInfoStateSuccess
	var info interface{} // vcsim's own tasks set info.error this way: nil, or a LocalizedMethodFault
	if fault != nil {
		state = types.TaskInfoStateError
		info = *fault
	}
	t.update(
		types.PropertyChange{Name: "info.completeTime", Val: time.Now()},
		types.PropertyChange{Name: "info.state", Val: state},
		types.PropertyChange{Name: "info.result", Val: res},
		types.PropertyChange{Name: "info.error", Val: info},
	)
	close(t.ended)
}

// update changes the task's info under its lock (the one CancelTask runs under) and tells the collectors.
func (t *Task) update(changes ...types.PropertyChange) {
	simulator.Map.WithLock(t, func() { simulator.Map.Update(t, changes) })
}

func (t *Task) park() { t.parkOnce.Do(func() { close(t.parked) }) }

// sleep waits d (-task-delay), or less when the task is canceled.
func (t *Task) sleep(d time.Duration) *types.LocalizedMethodFault {
	if d <= 0 {
		return nil
	}
	t.park()
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-t.cancel:
		return canceled
	}
}

// waitUntil polls done until it holds; timedOut (nil: never) ends the wait with Timedout.
func (t *Task) waitUntil(done func() bool, timedOut <-chan time.Time) *types.LocalizedMethodFault {
	ticker := time.NewTicker(pollInterval)
	defer ticker.Stop()
	for !done() {
		t.park()
		select {
		case <-ticker.C:
		case <-t.cancel:
			return canceled
		case <-timedOut:
			// What vCenter gives when EnterMaintenanceMode_Task's timeout passes (EnterMaintenanceModeRequestType.timeout).
			return failure("Operation timed out.", new(types.Timedout))
		}
	}
	return nil
}

func (t *Task) markCanceled() {
	simulator.Map.Update(t, []types.PropertyChange{{Name: "info.cancelled", Val: true}})
	t.once.Do(func() { close(t.cancel) })
}

// stop cancels the task from within vcsim (an evacuation that ended without the migrations it started).
func (t *Task) stop() {
	if t.Info.Cancelable && !t.hasEnded() {
		simulator.Map.WithLock(t, t.markCanceled)
	}
}

func (t *Task) hasEnded() bool {
	select {
	case <-t.ended:
		return true
	default:
		return false
	}
}

// CancelTask as vCenter documents it: InvalidState once the task has ended, NotSupported when it is not
// cancelable; otherwise the task ends with RequestCanceled (asynchronously), repeated requests count once.
func (t *Task) CancelTask(ctx *simulator.Context, req *types.CancelTask) soap.HasFault {
	body := &methods.CancelTaskBody{}
	switch {
	case t.Info.State == types.TaskInfoStateSuccess || t.Info.State == types.TaskInfoStateError:
		body.Fault_ = simulator.Fault("The operation is not allowed in the current state.", new(types.InvalidState))
	case !t.Info.Cancelable:
		body.Fault_ = simulator.Fault("The operation is not supported on the object.", new(types.NotSupported))
	default:
		// CancelTask runs under the task's lock already: update without taking it again.
		t.markCanceled()
		body.Res = new(types.CancelTaskResponse)
	}
	return body
}
