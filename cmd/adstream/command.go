package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/adstream/adstream/internal/config"
)

// command is one subcommand: its configuration is read from the environment
// by load (which also tells --help what it reads), then run.
type command struct {
	summary string
	flags   func(fs *flag.FlagSet) // optional command-line flags
	notes   string                 // optional text that --help prints last, such as exit codes
	run     func(ctx context.Context, e *config.Env, io stdio) error
}

func commands() map[string]command {
	return map[string]command{
		"dev":         devCommand(),
		"api":         apiCommand(),
		"producer":    producerCommand(),
		"consumer":    consumerCommand(),
		"graphsim":    graphsimCommand(),
		"migrate":     migrateCommand(),
		"sync":        syncCommand(),
		"version":     versionCommand(),
		"healthcheck": healthcheckCommand(),
	}
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "adstream — Meta ads creative data: Graph API → Kafka → ClickHouse → REST API")
	fmt.Fprintln(w, "\nUsage: adstream <command> [flags]   (adstream <command> --help lists its settings)")
	fmt.Fprintln(w, "\nCommands:")
	cmds := commands()
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-11s %s\n", n, cmds[n].summary)
	}
}

func (c command) execute(ctx context.Context, args []string, getenv func(string) string, io stdio) error {
	fs := flag.NewFlagSet("adstream", flag.ContinueOnError)
	fs.SetOutput(io.err)
	if c.flags != nil {
		c.flags(fs)
	}
	help := false
	fs.BoolVar(&help, "help", false, "list the settings of this command")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(io.err, "adstream: unexpected arguments %q\n", fs.Args())
		return errUsage
	}
	if help {
		// Run against an empty environment with a cancelled context: the
		// command reads its settings, and --help prints them instead.
		e := config.NewEnv(func(string) string { return "" })
		e.Help = true
		_ = c.run(ctx, e, io)
		pprofAddr(e)
		printHelp(io.out, c.summary, e.Vars(), fs)
		if c.notes != "" {
			fmt.Fprint(io.out, "\n"+c.notes)
		}
		return nil
	}
	e := config.NewEnv(getenv)
	defer startPprof(pprofAddr(e), io.err)()
	return c.run(ctx, e, io)
}

func printHelp(w io.Writer, summary string, vars []config.Var, fs *flag.FlagSet) {
	fmt.Fprintln(w, summary)
	hasFlags := false
	fs.VisitAll(func(f *flag.Flag) { hasFlags = hasFlags || f.Name != "help" })
	if hasFlags {
		fmt.Fprintln(w, "\nFlags:")
		fs.VisitAll(func(f *flag.Flag) {
			if f.Name != "help" {
				fmt.Fprintf(w, "  --%-13s %s (default %q)\n", f.Name, f.Usage, f.DefValue)
			}
		})
	}
	if len(vars) == 0 {
		return
	}
	fmt.Fprintln(w, "\nEnvironment:")
	seen := map[string]bool{}
	for _, v := range vars {
		if seen[v.Name] {
			continue
		}
		seen[v.Name] = true
		def := v.Default
		if def == "" {
			def = "empty"
		}
		fmt.Fprintf(w, "  %-30s %s (default %s)\n", v.Name, strings.TrimSpace(v.Help), def)
	}
}
