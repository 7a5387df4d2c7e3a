package chserver

import "syscall"

// tieToParent has the kernel SIGKILL the server when its owner dies, however
// it dies: kill -9, a panic, the OOM killer. SIGKILL rather than SIGTERM
// because nobody is left to escalate if a graceful shutdown hangs, and
// ClickHouse recovers a killed server's parts at its next start.
//
// The kernel clears the signal when it execs a binary with file capabilities,
// and servers started by older adstream versions never had it: for those the
// owner file (owner.go) lets the next Start recognise and stop the orphan.
func tieToParent(a *syscall.SysProcAttr) { a.Pdeathsig = syscall.SIGKILL }
