#!/usr/bin/env bash
# Runs a local ClickHouse cluster on loopback: one ZooKeeper server (Debian's zookeeper
# package, run from its jar as the calling user) and two ClickHouse servers started by
# clickhouse.sh, configured as the cluster $CLICKHOUSE_CLUSTER_NAME: one shard of two
# replicas, with distributed DDL (ON CLUSTER) through ZooKeeper. For the cluster migration
# test (clickhouse/migrate) and by hand: ADSTREAM_CLICKHOUSE_CLUSTER=adstream adstream migrate.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=deploy/local/lib.sh
. "$here/lib.sh"

usage() {
	cat >&2 <<EOF
usage: ${0##*/} start|stop|status|clean

  start    start ZooKeeper, then both ClickHouse servers; wait until each answers; prints
           CLICKHOUSE_CLUSTER=<name> and CLICKHOUSE_CLUSTER_ADDRS=<replica 1>,<replica 2>
  stop     stop both servers, then ZooKeeper (exit 0 when nothing runs)
  status   exit 0 when all three run, 3 when not
  clean    stop and delete the cluster's directory

env: CLICKHOUSE_CLUSTER_NAME (adstream), ZOOKEEPER_PORT (12181),
     CLUSTER_TCP_PORTS (19101,19102: native ports of replica 1 and 2),
     CLUSTER_HTTP_PORTS (18201,18202), CLUSTER_INTERSERVER_PORTS (19111,19112: replication),
     ADSTREAM_DATA_DIR (.data; the cluster lives in \$ADSTREAM_DATA_DIR/clickhouse-cluster),
     ZOOKEEPER_JAR (/usr/share/java/zookeeper.jar), CLICKHOUSE_START_TIMEOUT (60 seconds)
EOF
	exit 2
}

name=${CLICKHOUSE_CLUSTER_NAME:-adstream}
zk_port=${ZOOKEEPER_PORT:-12181}
IFS=, read -r -a tcp_ports <<<"${CLUSTER_TCP_PORTS:-19101,19102}"
IFS=, read -r -a http_ports <<<"${CLUSTER_HTTP_PORTS:-18201,18202}"
IFS=, read -r -a inter_ports <<<"${CLUSTER_INTERSERVER_PORTS:-19111,19112}"
dir=$(data_root)/clickhouse-cluster
zk_dir=$dir/zookeeper
zk_cfg=$zk_dir/zoo.cfg
zk_pidfile=$zk_dir/zookeeper.pid
replicas=(1 2)

[[ $name =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || die "CLICKHOUSE_CLUSTER_NAME=$name: letters, digits and underscores"
for list in tcp_ports http_ports inter_ports; do
	declare -n ports=$list
	((${#ports[@]} == 2)) || die "$list: want two comma-separated ports, got '${ports[*]}'"
done

# replica N runs clickhouse.sh on its own directory, ports and config.d.
replica() {
	local n=$1
	shift
	ADSTREAM_DATA_DIR=$dir/replica$n CLICKHOUSE_PORT=${tcp_ports[n - 1]} \
		CLICKHOUSE_HTTP_PORT=${http_ports[n - 1]} CLICKHOUSE_CONFIG_D=$dir/replica$n/config.d \
		bash "$here/clickhouse.sh" "$@"
}

# render_replica_config N writes the config.d file that makes server N a replica of the
# cluster. Replication path macros: {shard} here, {replica} unique per server.
render_replica_config() {
	local n=$1 r
	mkdir -p "$dir/replica$n/config.d"
	{
		cat <<EOF
<?xml version="1.0"?>
<!-- Written by deploy/local/cluster.sh: replica $n of cluster $name. -->
<yandex>
    <interserver_http_host>127.0.0.1</interserver_http_host>
    <interserver_http_port>${inter_ports[n - 1]}</interserver_http_port>
    <remote_servers>
        <$name>
            <shard>
                <!-- Replicated tables copy rows themselves: an insert goes to one replica. -->
                <internal_replication>true</internal_replication>
EOF
		for r in "${replicas[@]}"; do
			echo "                <replica><host>127.0.0.1</host><port>${tcp_ports[r - 1]}</port></replica>"
		done
		cat <<EOF
            </shard>
        </$name>
    </remote_servers>
    <zookeeper>
        <node><host>127.0.0.1</host><port>$zk_port</port></node>
        <session_timeout_ms>30000</session_timeout_ms>
    </zookeeper>
    <macros>
        <shard>01</shard>
        <replica>replica$n</replica>
    </macros>
    <distributed_ddl>
        <path>/clickhouse/task_queue/ddl</path>
    </distributed_ddl>
</yandex>
EOF
	} >"$dir/replica$n/config.d/cluster.xml"
}

zk_jar() {
	local jar=${ZOOKEEPER_JAR:-/usr/share/java/zookeeper.jar}
	[[ -f $jar ]] || return 1
	printf '%s\n' "$jar"
}

# zk_ok succeeds when ZooKeeper serves requests: ruok answers as soon as the process
# runs, srvr names the mode only once the database is loaded (a server restarted with
# replicated tables exits when its first ZooKeeper handshake fails).
zk_ok() {
	local reply
	reply=$(timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$zk_port && printf srvr >&3 && cat <&3" 2>/dev/null) &&
		[[ $reply == *"Mode: "* ]]
}

zk_start() {
	local jar cp pid t0 i
	t0=$(date +%s%N)
	jar=$(zk_jar) || die "ZooKeeper not found (${ZOOKEEPER_JAR:-/usr/share/java/zookeeper.jar}): run 'make deps' (deploy/local/deps.sh)"
	exe java >/dev/null || die "java not found: ZooKeeper needs Java 11+ (apt-get install -y openjdk-17-jre-headless)"
	if pid=$(pid_alive "$zk_pidfile" "$zk_cfg"); then
		echo "zookeeper: already running (pid $pid)"
		return 0
	fi
	require_free_ports ZOOKEEPER_PORT "$zk_port"
	mkdir -p "$zk_dir/data" "$zk_dir/log"
	# Standalone, loopback only; no AdminServer (it would take port 8080); srvr answers
	# the readiness probe.
	cat >"$zk_cfg" <<EOF
tickTime=2000
dataDir=$zk_dir/data
clientPort=$zk_port
clientPortAddress=127.0.0.1
maxClientCnxns=0
admin.enableServer=false
4lw.commands.whitelist=srvr
autopurge.purgeInterval=1
EOF
	cp=$jar
	# The Debian jar names its dependencies in its manifest but no logging backend.
	[[ -f /usr/share/java/slf4j-simple.jar ]] && cp+=:/usr/share/java/slf4j-simple.jar
	setsid java -Xms32m -Xmx256m -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
		-cp "$cp" org.apache.zookeeper.server.ZooKeeperServerMain "$zk_cfg" \
		>"$zk_dir/log/zookeeper.log" 2>&1 </dev/null 9>&- &
	echo $! >"$zk_pidfile"
	for ((i = 0; i < 60 * 5; i++)); do
		kill -0 "$(<"$zk_pidfile")" 2>/dev/null ||
			abort_start zookeeper "$zk_pidfile" "$zk_cfg" "exited" "$zk_dir/log/zookeeper.log"
		if zk_ok; then
			echo "zookeeper: started in $(elapsed_since "$t0")s (pid $(<"$zk_pidfile"), 127.0.0.1:$zk_port)"
			return 0
		fi
		sleep 0.2
	done
	abort_start zookeeper "$zk_pidfile" "$zk_cfg" "not serving (srvr) within 60s" "$zk_dir/log/zookeeper.log"
}

start() {
	local n out addrs=()
	zk_start
	for n in "${replicas[@]}"; do
		render_replica_config "$n"
		if ! out=$(replica "$n" start); then
			stop >&2
			die "replica $n did not start"
		fi
		sed -n 's/^clickhouse: /clickhouse replica '"$n"': /p' <<<"$out"
		addrs+=("127.0.0.1:${tcp_ports[n - 1]}")
	done
	wait_cluster
	echo "CLICKHOUSE_CLUSTER=$name"
	echo "CLICKHOUSE_CLUSTER_ADDRS=$(
		IFS=,
		echo "${addrs[*]}"
	)"
}

# wait_cluster waits until each server has a ZooKeeper session (it connects lazily),
# so the first ON CLUSTER statement does not race the connection.
wait_cluster() {
	local n i
	for n in "${replicas[@]}"; do
		for ((i = 0; i < 150; i++)); do
			if replica "$n" client -q "SELECT count() FROM system.zookeeper WHERE path = '/'" >/dev/null 2>&1; then
				continue 2
			fi
			sleep 0.2
		done
		stop >&2
		die "replica $n cannot reach ZooKeeper at 127.0.0.1:$zk_port"
	done
}

stop() {
	local n
	# Servers first: stopped before ZooKeeper, they leave their sessions cleanly.
	for n in "${replicas[@]}"; do
		[[ -d $dir/replica$n ]] || continue
		replica "$n" stop | sed 's/^clickhouse: /clickhouse replica '"$n"': /'
	done
	stop_pid "$zk_pidfile" "$zk_cfg" zookeeper
}

status() {
	local n rc=0
	for n in "${replicas[@]}"; do
		replica "$n" status | sed -n 's/^clickhouse: /clickhouse replica '"$n"': /p' || rc=3
	done
	if pid=$(pid_alive "$zk_pidfile" "$zk_cfg") && zk_ok; then
		echo "zookeeper: running (pid $pid, 127.0.0.1:$zk_port)"
	else
		echo "zookeeper: not running"
		rc=3
	fi
	if ((rc == 0)); then
		echo "CLICKHOUSE_CLUSTER=$name"
		echo "CLICKHOUSE_CLUSTER_ADDRS=127.0.0.1:${tcp_ports[0]},127.0.0.1:${tcp_ports[1]}"
	fi
	return $rc
}

with_lock() {
	mkdir -p "$dir"
	exec 9>"$dir/.lock"
	flock -w 300 9 || die "timed out waiting for $dir/.lock"
	"$@"
}

[[ $# -ge 1 ]] || usage
case $1 in
start) with_lock start ;;
stop) with_lock stop ;;
status) status ;;
clean)
	with_lock stop
	rm -rf "$dir"
	echo "cluster: removed $dir"
	;;
*) usage ;;
esac
