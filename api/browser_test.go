package api_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/adstream/adstream/api"
	"github.com/adstream/adstream/internal/testenv"
)

// browser is a headless Chromium tab that records every console error,
// uncaught exception and browser-log error (CSP violations, failed loads).
type browser struct {
	ctx    context.Context
	mu     sync.Mutex
	errors []string
}

// newBrowser starts Debian's chromium (`make deps` installs it) with a
// fresh profile. Without it the test fails under ADSTREAM_E2E=must and is
// skipped otherwise.
func newBrowser(t *testing.T) *browser {
	t.Helper()
	testenv.Integration(t)
	var path string
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			path = p
			break
		}
	}
	if path == "" {
		msg := "no chromium on PATH (make deps installs Debian's chromium)"
		if testenv.CurrentMode() == testenv.Must {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-component-update", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 900))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(actx)
	b := &browser{ctx: ctx}
	messages := chromedp.Console(ctx) // starts the browser; subscribes before any page loads
	done := make(chan struct{})
	go func() {
		defer close(done)
		for m, err := range messages {
			if err != nil {
				return // the tab ended
			}
			if m.Type == chromedp.ConsoleError || m.IsException() {
				b.mu.Lock()
				b.errors = append(b.errors, m.String()+" "+m.Source+" "+m.URL)
				b.mu.Unlock()
			}
		}
	}()
	t.Cleanup(func() { cancelTab(); cancelAlloc(); <-done })
	return b
}

// consoleErrors returns the errors seen so far, less those allowed.
func (b *browser) consoleErrors(allowed ...string) []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []string
	for _, e := range b.errors {
		ok := false
		for _, a := range allowed {
			ok = ok || strings.Contains(e, a)
		}
		if !ok {
			out = append(out, e)
		}
	}
	return out
}

// do runs steps in the tab, each batch within 30 s.
func (b *browser) do(t *testing.T, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%s: %v (console errors: %v)", what, err, b.consoleErrors())
	}
}

// until waits up to 30 s for a JavaScript condition to hold in the page.
func (b *browser) until(t *testing.T, what, cond string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](cond, chromedp.WithPollingInterval(50*time.Millisecond))); err != nil {
		var state string
		state, _ = chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.body.dataset.state + " | " + document.getElementById("alert").textContent`))
		t.Fatalf("%s: %s never held: %v (page: %s; console errors: %v)", what, cond, err, state, b.consoleErrors())
	}
}

// eval reads a value from the page.
func eval[T any](t *testing.T, b *browser, expr string) T {
	t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

const ready = `document.body.dataset.state === "ready"`

// serve runs the API on a real port, as a browser needs, until the test ends.
func serve(t *testing.T, deps api.Deps) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	app := api.New(deps)
	done := make(chan error, 1)
	go func() { done <- app.Listener(l) }()
	t.Cleanup(func() {
		if err := app.ShutdownWithTimeout(5 * time.Second); err != nil {
			t.Errorf("api shutdown: %v", err)
		}
		if err := <-done; err != nil && !errors.Is(err, net.ErrClosed) {
			t.Errorf("api serve: %v", err)
		}
	})
	return "http://" + l.Addr().String()
}

// screenshot saves the page as a PNG in the test's temp dir, or where
// ADSTREAM_PAGE_SCREENSHOT says (the README's picture is made that way).
func (b *browser) screenshot(t *testing.T, name string) {
	t.Helper()
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	path := os.Getenv("ADSTREAM_PAGE_SCREENSHOT")
	if path == "" {
		path = t.TempDir() + "/" + name + ".png"
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s (%d bytes)", path, len(png))
}

// mediaServer serves a small PNG for every thumbnail, from an origin of
// its own, as graphsim's media or a CDN would.
func mediaServer(t *testing.T) string {
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89" +
		"\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99=\x1d\x00\x00\x00\x00IEND\xaeB`\x82")
	srv := newHTTPServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		w.Write(png)
	}))
	return srv
}

func newHTTPServer(t *testing.T, h http.Handler) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return fmt.Sprintf("http://%s", l.Addr())
}
