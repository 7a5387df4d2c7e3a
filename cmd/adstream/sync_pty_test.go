package main

import (
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"
)

// The built adstream in a real pseudo-terminal, as a person would run it.
func TestSyncInATerminal(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "adstream")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	rangeArgs := []string{"--brand", "demo", "--start", "2026-11-01", "--end", "2026-11-30", "--wait"}

	// What reaches the terminal is one bar redrawn in place with rising
	// percentages and an ETA, then the totals.
	t.Run("progress bar", func(t *testing.T) {
		srv := (&fakeAPI{job: testJob, streams: [][]step{completingStream(testJob)}}).start(t)
		code, screen := startInPTY(t, bin, srv.URL, rangeArgs...).wait(t)
		if code != 0 {
			t.Fatalf("exit code %d; the terminal showed:\n%q", code, screen)
		}
		var pcts []int
		for _, b := range regexp.MustCompile(`\r\[[#.]{20}\] +(\d+)%`).FindAllStringSubmatch(screen, -1) {
			n, _ := strconv.Atoi(b[1])
			pcts = append(pcts, n)
		}
		if !slices.IsSorted(pcts) || !slices.Contains(pcts, 10) || !slices.Contains(pcts, 40) || !slices.Contains(pcts, 80) || pcts[len(pcts)-1] != 100 {
			t.Errorf("bar percentages %v, want rising through 10, 40, 80 to 100; the terminal showed:\n%q", pcts, screen)
		}
		if first, last := strings.Index(screen, "\r["), strings.LastIndex(screen, "\r["); strings.Contains(screen[first:last], "\n") {
			t.Errorf("the bar was not redrawn in place (a newline between redraws):\n%q", screen)
		}
		if !regexp.MustCompile(`\r\[##\.+\]  10%  1,000/10,000 ads  ETA 0:1[0-2]`).MatchString(screen) {
			t.Errorf("no bar with the ETA at 10%%:\n%q", screen)
		}
		if !strings.Contains(screen, "completed: 10,000 ads in 1:05") {
			t.Errorf("no closing line with the totals:\n%q", screen)
		}
	})

	// Ctrl-C typed at the terminal stops the waiting; the job goes on.
	t.Run("Ctrl-C", func(t *testing.T) {
		srv := (&fakeAPI{job: testJob, streams: [][]step{{progressEvent(testJob, statusProcessing, 10), {wait: time.Minute, heartbeat: true}}}}).start(t)
		p := startInPTY(t, bin, srv.URL, rangeArgs...)
		waitFor(t, 20*time.Second, "the bar at 10%", func() bool { return strings.Contains(p.out.String(), " 10%") })
		if _, err := p.tty.Write([]byte{3}); err != nil { // ^C: the terminal sends SIGINT
			t.Fatal(err)
		}
		code, screen := p.wait(t)
		if code != int(exitInterrupted) {
			t.Errorf("exit code %d, want %d", code, exitInterrupted)
		}
		if !strings.Contains(screen, "stopped waiting; job "+testJob+" goes on in the API") {
			t.Errorf("the terminal does not say the job goes on:\n%q", screen)
		}
	})
}

// ptyRun is the built command running in a pseudo-terminal.
type ptyRun struct {
	cmd  *exec.Cmd
	tty  *os.File // the terminal's side: what it shows is read here, keys are written here
	out  *syncBuffer
	read chan struct{} // closed when the terminal has nothing more to show
}

func startInPTY(t *testing.T, bin, apiURL string, args ...string) *ptyRun {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	cmd := exec.CommandContext(ctx, bin, append([]string{"sync"}, args...)...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "TERM=xterm", "ADSTREAM_API_URL=" + apiURL}
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 24, Cols: 100})
	if err != nil {
		t.Fatalf("start in a pseudo-terminal: %v", err)
	}
	t.Cleanup(func() { tty.Close() })
	p := &ptyRun{cmd: cmd, tty: tty, out: &syncBuffer{}, read: make(chan struct{})}
	go func() {
		defer close(p.read)
		_, _ = io.Copy(p.out, tty) // ends with EIO once the command exited
	}()
	return p
}

// wait returns the exit code and everything the terminal received.
func (p *ptyRun) wait(t *testing.T) (int, string) {
	t.Helper()
	err := p.cmd.Wait()
	<-p.read
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0, p.out.String()
	case errors.As(err, &ee) && ee.Exited():
		return ee.ExitCode(), p.out.String()
	}
	t.Fatalf("the command did not exit by itself: %v\n%q", err, p.out.String())
	return -1, ""
}
