package main

import (
	"context"
	"fmt"
	"runtime/debug"

	"github.com/adstream/adstream/internal/config"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func versionCommand() command {
	return command{summary: "print the version",
		run: func(_ context.Context, e *config.Env, io stdio) error {
			if err := e.Check(); err != nil {
				return err
			}
			rev := ""
			if info, ok := debug.ReadBuildInfo(); ok {
				for _, s := range info.Settings {
					if s.Key == "vcs.revision" {
						rev = " (" + s.Value + ")"
					}
				}
			}
			fmt.Fprintf(io.out, "adstream %s%s\n", version, rev)
			return nil
		}}
}
