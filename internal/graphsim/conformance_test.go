package graphsim

import (
	"context"
	"os/exec"
	"testing"
	"time"
)

// TestPythonSDKConformance runs Meta's official Python SDK against graphsim
// (conformance/sdk_conformance.py). It skips when python3 or the
// facebook_business module is missing: pip install facebook-business==26.0.3.
func TestPythonSDKConformance(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not found; the SDK conformance test needs python3 with facebook-business")
	}
	if out, err := exec.Command(py, "-c", "import facebook_business").CombinedOutput(); err != nil {
		t.Skipf("facebook_business not importable (pip install facebook-business==26.0.3): %s", out)
	}
	h := newHarness(t, Options{Seed: 5, Ads: 60, Accounts: 2})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, py, "conformance/sdk_conformance.py", "--base-url", h.srv.URL, "--token", h.token)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("sdk_conformance.py: %v\n%s", err, out)
	}
	t.Logf("%s", out)
}
