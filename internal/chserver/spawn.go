package chserver

import (
	"os/exec"
	"runtime"
)

// startTied starts cmd so that it dies with this process (tieToParent) and
// closes exited once cmd has been reaped.
//
// On Linux the kernel sends the parent-death signal when the *thread* that
// forked the child ends, not the process (prctl(2); golang/go#27505), and Go
// ends a thread whenever a goroutine locked to it returns without unlocking —
// any library may do that. So the fork happens on a goroutine that locks its
// thread and keeps it, waiting for the child, until the child has exited: no
// other goroutine runs on that thread, so only the end of the process ends it.
func startTied(cmd *exec.Cmd, exited chan<- struct{}) error {
	tieToParent(cmd.SysProcAttr)
	started := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		if err := cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		_ = cmd.Wait() // the exit status is in cmd.ProcessState
		close(exited)
	}()
	return <-started
}
