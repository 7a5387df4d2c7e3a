package main

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/adstream/adstream/internal/config"
)

// healthcheckCommand is docker-compose's probe of a role: the image is
// distroless, with no shell, curl or wget to ask the role's HTTP port.
func healthcheckCommand() command {
	var (
		target  string
		timeout time.Duration
	)
	return command{summary: "GET a URL and exit 0 on a 2xx answer (the container healthcheck of every role)",
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&target, "url", "http://127.0.0.1:8080/readyz", "what to ask: /readyz of the api, /metrics of the other roles")
			fs.DurationVar(&timeout, "timeout", 3*time.Second, "give up after this long")
		},
		run: func(ctx context.Context, e *config.Env, io stdio) error {
			u, err := url.Parse(target)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				e.Fail("--url", "%q is not an http(s) URL", target)
			}
			if err := e.Check(); err != nil {
				return err
			}
			ctx, cancel := context.WithTimeout(ctx, timeout)
			defer cancel()
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
			if err != nil {
				return err
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return fmt.Errorf("healthcheck: %w", err)
			}
			resp.Body.Close()
			if resp.StatusCode/100 != 2 {
				return fmt.Errorf("healthcheck: %s answered %s", target, resp.Status)
			}
			fmt.Fprintf(io.out, "%s: %s\n", target, resp.Status)
			return nil
		}}
}
