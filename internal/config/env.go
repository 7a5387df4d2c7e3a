// Package config loads adstream's settings from ADSTREAM_* environment variables.
package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Var describes one environment variable: its name, default and meaning.
// The list of Vars a role reads is what its --help prints.
type Var struct {
	Name    string
	Default string
	Help    string
}

// Env reads variables through a getenv function, so tests need no global
// environment, and collects every bad value instead of stopping at the first.
type Env struct {
	// Help marks an Env that only lists the variables (for --help): Check
	// then stops the command before it starts anything.
	Help   bool
	getenv func(string) string
	vars   []Var
	errs   []error
}

// NewEnv returns an Env that reads through getenv (os.Getenv in main).
func NewEnv(getenv func(string) string) *Env {
	return &Env{getenv: getenv}
}

// Vars returns the variables read so far, in the order they were read.
func (e *Env) Vars() []Var { return e.vars }

// Err joins every problem found so far, or returns nil.
func (e *Env) Err() error { return errors.Join(e.errs...) }

// ErrListed is what Check returns for a Help Env: the settings were read,
// nothing is to be started.
var ErrListed = errors.New("settings listed")

// Check ends the reading of settings: ErrListed for --help, else every
// problem found at once, or nil.
func (e *Env) Check() error {
	if e.Help {
		return ErrListed
	}
	return e.Err()
}

// Fail records a problem found by a role's own validation.
func (e *Env) Fail(name, format string, args ...any) {
	e.errs = append(e.errs, fmt.Errorf("%s: %s", name, fmt.Sprintf(format, args...)))
}

func (e *Env) lookup(name, def, help string) string {
	e.vars = append(e.vars, Var{Name: name, Default: def, Help: help})
	if v := strings.TrimSpace(e.getenv(name)); v != "" {
		return v
	}
	return def
}

// String reads a plain string.
func (e *Env) String(name, def, help string) string {
	return e.lookup(name, def, help)
}

// Secret reads a value that must never be printed.
func (e *Env) Secret(name, help string) Secret {
	return Secret(e.lookup(name, "", help))
}

// Int reads an integer no smaller than min.
func (e *Env) Int(name string, def, min int, help string) int {
	raw := e.lookup(name, strconv.Itoa(def), help)
	n, err := strconv.Atoi(raw)
	switch {
	case err != nil:
		e.Fail(name, "%q is not a whole number", raw)
		return def
	case n < min:
		e.Fail(name, "%d is below the minimum %d", n, min)
		return def
	}
	return n
}

// Duration reads a Go duration such as 500ms or 6h; it must be positive.
func (e *Env) Duration(name string, def time.Duration, help string) time.Duration {
	return e.duration(name, def, false, help)
}

// DurationOrZero reads a Go duration such as 500ms, or 0; it must not be
// negative.
func (e *Env) DurationOrZero(name string, def time.Duration, help string) time.Duration {
	return e.duration(name, def, true, help)
}

func (e *Env) duration(name string, def time.Duration, zeroOK bool, help string) time.Duration {
	raw := e.lookup(name, def.String(), help)
	d, err := time.ParseDuration(raw)
	switch {
	case err != nil:
		e.Fail(name, "%q is not a duration like 500ms or 6h", raw)
		return def
	case d < 0 || d == 0 && !zeroOK:
		if zeroOK {
			e.Fail(name, "%s is negative", raw)
		} else {
			e.Fail(name, "%s must be positive", raw)
		}
		return def
	}
	return d
}

// HostPort reads a host:port address.
func (e *Env) HostPort(name, def, help string) string {
	raw := e.lookup(name, def, help)
	if _, port, err := net.SplitHostPort(raw); err != nil || port == "" {
		e.Fail(name, "%q is not a host:port address", raw)
		return def
	}
	return raw
}

// HostPorts reads a comma-separated list of host:port addresses; empty is allowed.
func (e *Env) HostPorts(name, help string) []string {
	raw := e.lookup(name, "", help)
	if raw == "" {
		return nil
	}
	var out []string
	for _, a := range strings.Split(raw, ",") {
		a = strings.TrimSpace(a)
		if _, port, err := net.SplitHostPort(a); err != nil || port == "" {
			e.Fail(name, "%q is not a host:port address", a)
			continue
		}
		out = append(out, a)
	}
	return out
}

// URL reads an absolute http(s) URL; empty is allowed.
func (e *Env) URL(name, help string) string { return e.urlOr(name, "", help) }

// urlOr reads an absolute http(s) URL that defaults to def.
func (e *Env) urlOr(name, def, help string) string {
	raw := e.lookup(name, def, help)
	if raw == "" {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		e.Fail(name, "%q is not an absolute http(s) URL", raw)
		return def
	}
	return strings.TrimRight(raw, "/")
}
