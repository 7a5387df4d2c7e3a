package store

import (
	"errors"
	"io"
	"net"
	"os"
	"syscall"

	ch "github.com/ClickHouse/clickhouse-go/v2"
)

// IsUnavailable reports whether err says ClickHouse could not be reached,
// rather than that it refused or failed the statement: the server is down,
// restarting, or not answering. Callers answer "try again later" to these.
//
// What a stopped server looks like to clickhouse-go (seen by stopping a real
// one): a pooled connection fails its next query with "connection reset by
// peer" (or EOF, or a broken pipe while sending a block); every later
// statement fails to dial with "connection refused"; a server that accepts
// but never answers fails the handshake with an i/o timeout; a pool whose
// connections are all stuck fails with ErrAcquireConnTimeout.
func IsUnavailable(err error) bool {
	if err == nil {
		return false
	}
	var netErr *net.OpError
	var dnsErr *net.DNSError
	switch {
	case errors.As(err, &netErr), errors.As(err, &dnsErr):
		return true // dial, read or write on the native connection
	case errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return true
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return true // the server closed the connection mid-exchange
	case errors.Is(err, os.ErrDeadlineExceeded):
		return true // a socket deadline: the server stopped answering
	case errors.Is(err, ch.ErrAcquireConnTimeout), errors.Is(err, ch.ErrConnectionClosed):
		return true
	}
	return false
}
