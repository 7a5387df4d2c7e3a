// Command adstream is the one binary of the pipeline: a subcommand per role.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := runMain(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	var code exitCode
	switch {
	case err == nil:
	case errors.As(err, &code):
		os.Exit(int(code))
	case errors.Is(err, errUsage):
		os.Exit(1)
	default:
		fmt.Fprintln(os.Stderr, "adstream:", err)
		os.Exit(1)
	}
}

// errUsage says the usage text was already printed.
var errUsage = errors.New("usage")

// exitCode ends the process with that status; the command already said why
// on stderr. Other errors exit with 1.
type exitCode int

func (c exitCode) Error() string { return fmt.Sprintf("exit status %d", int(c)) }

// stdio is where a command writes its output and its logs.
type stdio struct{ out, err io.Writer }

func runMain(ctx context.Context, args []string, getenv func(string) string, out, errOut io.Writer) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(out)
		return nil
	}
	cmd, ok := commands()[args[0]]
	if !ok {
		fmt.Fprintf(errOut, "adstream: unknown command %q\n\n", args[0])
		usage(errOut)
		return errUsage
	}
	return cmd.execute(ctx, args[1:], getenv, stdio{out, errOut})
}
