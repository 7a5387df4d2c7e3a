package testenv

import (
	"context"
	"sync"
	"time"

	"github.com/testcontainers/testcontainers-go"
)

var (
	dockerOnce sync.Once
	dockerOK   bool
)

// dockerAvailable says whether a Docker engine answers; a Docker client
// without an engine (as on CI machines here) counts as no Docker.
func dockerAvailable() bool {
	dockerOnce.Do(func() {
		p, err := testcontainers.NewDockerProvider()
		if err != nil {
			return
		}
		defer p.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		dockerOK = p.Health(ctx) == nil
	})
	return dockerOK
}
