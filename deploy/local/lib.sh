# shellcheck shell=bash
# Helpers shared by the deploy/local scripts (sourced, not run): paths, pid files,
# port probes. Every function prints to stderr only when it fails or when told to.

# repo_root prints the repository root (two levels above this file).
repo_root() {
	(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
}

# data_root prints $ADSTREAM_DATA_DIR as an absolute path (default <repo>/.data).
data_root() {
	local dir=${ADSTREAM_DATA_DIR:-.data}
	case $dir in
	/*) ;;
	*) dir="$(repo_root)/$dir" ;;
	esac
	printf '%s\n' "$dir"
}

die() {
	printf '%s: %s\n' "${0##*/}" "$*" >&2
	exit 1
}

# pid_alive PIDFILE MARKER prints the pid recorded in PIDFILE when that process is alive
# and its command line contains MARKER; a stale or reused pid is treated as not running.
pid_alive() {
	local pidfile=$1 marker=$2 pid
	[[ -s $pidfile ]] || return 1
	pid=$(<"$pidfile")
	[[ $pid =~ ^[0-9]+$ ]] || return 1
	[[ -r /proc/$pid/cmdline ]] || return 1
	tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$marker" || return 1
	printf '%s\n' "$pid"
}

# stop_pid PIDFILE MARKER NAME sends SIGTERM, waits up to 30 s, then SIGKILL; removes
# the pid file. Succeeds when the process is not running (any more).
stop_pid() {
	local pidfile=$1 marker=$2 name=$3 pid i
	if ! pid=$(pid_alive "$pidfile" "$marker"); then
		rm -f "$pidfile"
		echo "$name: not running"
		return 0
	fi
	kill -TERM "$pid" 2>/dev/null || true
	for ((i = 0; i < 300; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		echo "$name: pid $pid ignored SIGTERM for 30 s, killing" >&2
		kill -KILL "$pid" 2>/dev/null || true
		sleep 0.5
	fi
	rm -f "$pidfile"
	echo "$name: stopped (pid $pid)"
}

# exe prints the first executable NAME on PATH (bash's command -v also returns files
# without the x bit when nothing better exists).
exe() {
	local d
	local IFS=:
	for d in $PATH; do
		if [[ -f ${d:-.}/$1 && -x ${d:-.}/$1 ]]; then
			printf '%s\n' "${d:-.}/$1"
			return 0
		fi
	done
	return 1
}

# port_open PORT succeeds when something accepts TCP connections on 127.0.0.1:PORT.
port_open() {
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# elapsed_since START prints seconds since START (from date +%s%N) with one decimal.
elapsed_since() {
	local now
	now=$(date +%s%N)
	printf '%d.%d\n' $(((now - $1) / 1000000000)) $((((now - $1) / 100000000) % 10))
}

# require_free_ports HINT PORT... dies naming the first port something already listens
# on; HINT says which variables move the server elsewhere.
require_free_ports() {
	local hint=$1 p
	shift
	for p in "$@"; do
		if port_open "$p"; then
			die "port $p is taken by another process (set $hint)"
		fi
	done
}

# abort_start NAME PIDFILE MARKER MESSAGE LOG... prints why a start failed with the
# last 50 lines of each log, stops what was started, and exits 1.
abort_start() {
	local name=$1 pidfile=$2 marker=$3 msg=$4
	shift 4
	echo "$name: $msg; last 50 lines of its logs:" >&2
	tail -n 50 "$@" >&2 2>/dev/null || true
	stop_pid "$pidfile" "$marker" "$name" >&2 || true
	exit 1
}
