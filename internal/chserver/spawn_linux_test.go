package chserver_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/adstream/adstream/internal/chserver"
)

// The parent-death signal fires when the thread that forked the server
// ends, not the process (golang/go#27505), and Go ends a thread when a
// goroutine locked to it returns. A caller doing exactly that must not kill
// its server.
func TestServerOutlivesTheThreadThatStartedIt(t *testing.T) {
	requireBinary(t)
	opts := chserver.Options{Dir: t.TempDir(), TCPPort: freePorts(t)}
	opts.HTTPPort = opts.TCPPort + 1
	var srv *chserver.Server
	var err error
	tid := onThreadThatEnds(t, func() { srv, err = chserver.Start(context.Background(), opts) })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Stop)
	task := fmt.Sprintf("/proc/self/task/%d", tid)
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if _, err := os.Stat(task); os.IsNotExist(err) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("thread %d that ran Start did not end", tid)
		}
	}
	// The kernel signals the child as the thread exits; a killed server has
	// been reaped long before this.
	time.Sleep(500 * time.Millisecond)
	c, err := net.DialTimeout("tcp", srv.Addr, time.Second)
	if err != nil {
		t.Fatalf("server (pid %d) gone after the thread that started it ended: %v", srv.PID(), err)
	}
	c.Close()
}

// onThreadThatEnds runs f on a goroutine that returns still locked to its
// thread, so Go ends that thread, and returns the thread's id. Go never ends
// the main thread (it parks it instead): a goroutine that lands there stays
// parked on it until the test ends, and another one tries.
func onThreadThatEnds(t *testing.T, f func()) (tid int) {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	for {
		ran := make(chan int)
		go func() {
			runtime.LockOSThread()
			if syscall.Gettid() == os.Getpid() {
				ran <- 0
				<-release
				runtime.UnlockOSThread()
				return
			}
			f()
			ran <- syscall.Gettid()
		}()
		if tid := <-ran; tid != 0 {
			return tid
		}
	}
}
