#!/usr/bin/env bash
# Runs a private ClickHouse server on loopback from the installed binary (Debian's
# clickhouse-server 18.16 here), with its config rendered from clickhouse/config.xml.tmpl,
# the same template `adstream dev` embeds. Used by `make test` and by hand.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=deploy/local/lib.sh
. "$here/lib.sh"

usage() {
	cat >&2 <<EOF
usage: ${0##*/} start|stop|status|clean|version|client [clickhouse-client args]

  start    render the config, start the server, wait until it answers SELECT version();
           prints CLICKHOUSE_ADDR=127.0.0.1:\$CLICKHOUSE_PORT
  stop     stop the server (exit 0 when it is not running)
  status   exit 0 and print CLICKHOUSE_ADDR when running, exit 3 when not
  clean    stop and delete the server's directory
  version  print the server version (of the running server, else of the installed one)
  client   run clickhouse-client against the server, e.g. ${0##*/} client -q 'SELECT 1'

env: CLICKHOUSE_PORT (19000, native), CLICKHOUSE_HTTP_PORT (18123),
     ADSTREAM_DATA_DIR (.data; the server lives in \$ADSTREAM_DATA_DIR/clickhouse-test),
     CLICKHOUSE_START_TIMEOUT (60 seconds),
     CLICKHOUSE_CONFIG_D (a directory of *.xml files merged over the config; none by default)
EOF
	exit 2
}

port=${CLICKHOUSE_PORT:-19000}
http_port=${CLICKHOUSE_HTTP_PORT:-18123}
start_timeout=${CLICKHOUSE_START_TIMEOUT:-60}
dir=$(data_root)/clickhouse-test
log_dir=$dir/log
config=$dir/config.xml
pidfile=$dir/clickhouse.pid
addr=127.0.0.1:$port

server=()
client=()

# find_binaries fills server/client with the installed commands: the split binaries of
# the Debian package, or the single `clickhouse` binary of the upstream packages.
find_binaries() {
	local p
	if [[ -x /usr/sbin/clickhouse-server ]]; then
		server=(/usr/sbin/clickhouse-server)
	elif p=$(exe clickhouse-server); then
		server=("$p")
	elif p=$(exe clickhouse); then
		server=("$p" server)
	fi
	if p=$(exe clickhouse-client); then
		client=("$p")
	elif p=$(exe clickhouse); then
		client=("$p" client)
	fi
}

need_server() {
	find_binaries
	((${#server[@]})) || die "clickhouse-server not found: run 'make deps' (deploy/local/deps.sh)"
	((${#client[@]})) || die "clickhouse-client not found: run 'make deps' (deploy/local/deps.sh)"
}

# sed_escape quotes a value for the replacement side of s|...|...|.
sed_escape() {
	printf '%s' "$1" | sed -e 's/[\\&|]/\\&/g'
}

render_config() {
	mkdir -p "$dir/data" "$dir/tmp" "$dir/user_files" "$dir/format_schemas" "$log_dir"
	sed -e "s|{{DATA_DIR}}|$(sed_escape "$dir")|g" \
		-e "s|{{LOG_DIR}}|$(sed_escape "$log_dir")|g" \
		-e "s|{{TCP_PORT}}|$port|g" \
		-e "s|{{HTTP_PORT}}|$http_port|g" \
		"$here/clickhouse/config.xml.tmpl" >"$config"
	if grep -q '{{' "$config"; then
		die "unsubstituted placeholder in $config: $(grep -o '{{[A-Z_]*}}' "$config" | head -n 1)"
	fi
	cp "$here/clickhouse/users.xml" "$dir/users.xml"
	# Extra files merged over config.xml by the server (cluster.sh: the cluster's servers,
	# ZooKeeper and this replica's macros).
	rm -f "$dir"/config.d/*.xml
	if [[ -n ${CLICKHOUSE_CONFIG_D:-} ]]; then
		mkdir -p "$dir/config.d"
		cp "$CLICKHOUSE_CONFIG_D"/*.xml "$dir/config.d/"
	fi
}

query() {
	"${client[@]}" --host 127.0.0.1 --port "$port" "$@"
}

fail_start() {
	abort_start clickhouse "$pidfile" "$config" "$1" "$log_dir/stdout.log" "$log_dir/clickhouse-server.err.log"
}

start() {
	local pid t0 i version
	t0=$(date +%s%N)
	need_server
	if pid=$(pid_alive "$pidfile" "$config"); then
		echo "clickhouse: already running (pid $pid)"
		echo "CLICKHOUSE_ADDR=$addr"
		return 0
	fi
	require_free_ports "CLICKHOUSE_PORT / CLICKHOUSE_HTTP_PORT" "$port" "$http_port"
	render_config
	# Runs in the foreground of its own session (18.16 ignores --pid-file without
	# --daemon), so $! is the server; 9>&- keeps the script lock out of it.
	setsid "${server[@]}" --config-file="$config" \
		>"$log_dir/stdout.log" 2>&1 </dev/null 9>&- &
	pid=$!
	echo "$pid" >"$pidfile"
	for ((i = 0; i < start_timeout * 5; i++)); do
		kill -0 "$pid" 2>/dev/null || fail_start "server exited"
		if version=$(query -q 'SELECT version()' 2>/dev/null); then
			echo "clickhouse: ClickHouse $version started in $(elapsed_since "$t0")s (pid $(<"$pidfile"), logs $log_dir)"
			echo "CLICKHOUSE_ADDR=$addr"
			return 0
		fi
		sleep 0.2
	done
	fail_start "no answer to SELECT version() within ${start_timeout}s"
}

status() {
	local pid version
	find_binaries
	if pid=$(pid_alive "$pidfile" "$config"); then
		version=$(query -q 'SELECT version()' 2>/dev/null) || version="not answering yet"
		echo "clickhouse: running (pid $pid, ClickHouse $version)"
		echo "CLICKHOUSE_ADDR=$addr"
		return 0
	fi
	echo "clickhouse: not running"
	return 3
}

version() {
	need_server
	if pid_alive "$pidfile" "$config" >/dev/null && query -q 'SELECT version()' 2>/dev/null; then
		return 0
	fi
	# 18.16's server has no --version; its client (same package) does.
	"${client[@]}" --version | grep -oE '[0-9]+(\.[0-9]+)+' | head -n 1
}

with_lock() {
	mkdir -p "$dir"
	exec 9>"$dir/.lock"
	flock -w 300 9 || die "timed out waiting for $dir/.lock"
	"$@"
}

[[ $# -ge 1 ]] || usage
cmd=$1
shift
case $cmd in
start) with_lock start ;;
stop) with_lock stop_pid "$pidfile" "$config" clickhouse ;;
status) status ;;
clean)
	with_lock stop_pid "$pidfile" "$config" clickhouse
	rm -rf "$dir"
	echo "clickhouse: removed $dir"
	;;
version) version ;;
client)
	need_server
	query "$@"
	;;
*) usage ;;
esac
