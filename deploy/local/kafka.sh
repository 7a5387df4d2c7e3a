#!/usr/bin/env bash
# Runs a real Apache Kafka 4.x broker (single KRaft node, broker+controller) on loopback,
# from jars resolved from Maven Central by deploy/local/kafka/pom.xml. No Docker, no download
# of a Kafka tarball: Java 17+ and Maven are all it needs. Used by `make test`.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=deploy/local/lib.sh
. "$here/lib.sh"

usage() {
	cat >&2 <<EOF
usage: ${0##*/} start|stop|status|clean|version|fetch|topics [TopicCommand args]

  start    fetch the jars if missing, format storage once, start the broker, wait until
           it answers a metadata request; prints KAFKA_BROKERS=127.0.0.1:\$KAFKA_PORT
  stop     stop the broker (exit 0 when it is not running)
  status   exit 0 and print KAFKA_BROKERS when running, exit 3 when not
  clean    stop and delete the broker's data (the jar cache stays)
  version  print the Kafka version of the jar cache (fetching it if missing)
  fetch    only resolve the jars into the cache
  topics   run org.apache.kafka.tools.TopicCommand against the broker, e.g.
           ${0##*/} topics --create --topic t --partitions 3;  ${0##*/} topics --list

env: KAFKA_PORT (19092), KAFKA_CONTROLLER_PORT (19093), ADSTREAM_DATA_DIR (.data),
     KAFKA_CACHE_DIR (\$ADSTREAM_DATA_DIR/kafka), KAFKA_RUN_DIR (\$KAFKA_CACHE_DIR/run:
     the broker's config, pid, log and storage; give a second broker its own),
     KAFKA_VERSION (newest of $KAFKA_VERSIONS that resolves),
     KAFKA_HEAP_OPTS (-Xms256m -Xmx512m), KAFKA_START_TIMEOUT (90 seconds)
EOF
	exit 2
}

KAFKA_VERSIONS="4.4.0 4.3.1 4.2.0 4.1.1"
port=${KAFKA_PORT:-19092}
controller_port=${KAFKA_CONTROLLER_PORT:-19093}
heap_opts=${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}
start_timeout=${KAFKA_START_TIMEOUT:-90}
cache=${KAFKA_CACHE_DIR:-$(data_root)/kafka}
libs=$cache/libs
run=${KAFKA_RUN_DIR:-$cache/run} # everything `clean` removes: config, pid, log, storage
props=$run/server.properties
pidfile=$run/kafka.pid
logfile=$run/kafka.log
brokers=127.0.0.1:$port

need_java() {
	exe java >/dev/null || die "java not found: install Java 17+ (make deps)"
}

# cached_version prints the Kafka version of a complete jar cache.
cached_version() {
	[[ -f $libs/.complete ]] || return 1
	local jar
	for jar in "$libs"/kafka_2.13-*.jar; do
		[[ -f $jar ]] || return 1
		jar=${jar##*/kafka_2.13-}
		printf '%s\n' "${jar%.jar}"
		return 0
	done
}

# fetch resolves the jars into $libs once, under a lock of the cache's own: brokers of
# other run dirs share it.
fetch() {
	mkdir -p "$cache"
	exec 8>"$cache/.lock"
	flock -w 300 8 || die "timed out waiting for $cache/.lock"
	resolve_jars
	exec 8>&-
}

# resolve_jars fills $libs; KAFKA_VERSION pins a version, otherwise the newest of
# KAFKA_VERSIONS that Maven can resolve wins.
resolve_jars() {
	local have want v tmp
	have=$(cached_version) || have=
	want=${KAFKA_VERSION:-}
	if [[ -n $have && (-z $want || $want == "$have") ]]; then
		return 0
	fi
	exe mvn >/dev/null || die "mvn not found: install Maven to fetch the Kafka jars (make deps)"
	mkdir -p "$cache"
	for v in ${want:-$KAFKA_VERSIONS}; do
		tmp=$cache/libs.tmp
		rm -rf "$tmp"
		echo "kafka: resolving org.apache.kafka:kafka_2.13:$v from Maven" >&2
		if mvn -B -q -f "$here/kafka/pom.xml" dependency:copy-dependencies \
			-Dkafka.version="$v" -DoutputDirectory="$tmp" >"$cache/fetch.log" 2>&1; then
			touch "$tmp/.complete"
			rm -rf "$libs"
			mv "$tmp" "$libs"
			return 0
		fi
		echo "kafka: $v did not resolve (see $cache/fetch.log)" >&2
	done
	rm -rf "$tmp"
	tail -n 20 "$cache/fetch.log" >&2
	die "no Kafka version of: ${want:-$KAFKA_VERSIONS} resolved"
}

write_config() {
	mkdir -p "$run"
	cat >"$props" <<EOF
# Written by deploy/local/kafka.sh on every start; edits are lost.
process.roles=broker,controller
node.id=1
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller_port
advertised.listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller_port
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
controller.quorum.bootstrap.servers=127.0.0.1:$controller_port
log.dirs=$run/storage
num.partitions=3
auto.create.topics.enable=true
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
EOF
}

# format_once formats the KRaft storage the first time only (the controller.quorum
# bootstrap style wants --standalone for a single dynamic voter).
format_once() {
	[[ -f $run/storage/meta.properties ]] && return 0
	local id
	id=$(java -cp "$libs/*" kafka.tools.StorageTool random-uuid)
	java -cp "$libs/*" kafka.tools.StorageTool format --standalone \
		--cluster-id "$id" --config "$props" >"$run/format.log" 2>&1 ||
		{ cat "$run/format.log" >&2; die "storage format failed"; }
}

fail_start() {
	abort_start kafka "$pidfile" "$props" "$1" "$logfile"
}

start() {
	local pid t0 i version
	t0=$(date +%s%N)
	need_java
	if pid=$(pid_alive "$pidfile" "$props"); then
		echo "kafka: already running (pid $pid)"
		echo "KAFKA_BROKERS=$brokers"
		return 0
	fi
	require_free_ports "KAFKA_PORT / KAFKA_CONTROLLER_PORT" "$port" "$controller_port"
	fetch
	version=$(cached_version)
	write_config
	format_once
	if [[ -f $logfile ]]; then
		mv -f "$logfile" "$logfile.1"
	fi
	# 9>&-: the broker must not hold the script lock for its lifetime.
	# setsid: a Ctrl-C in the caller's terminal must not take the broker down mid-write.
	# shellcheck disable=SC2086 # heap_opts is a list of JVM flags
	setsid java $heap_opts -XX:+UseG1GC -Djava.awt.headless=true \
		-Dlog4j2.configurationFile="$here/kafka/log4j2.xml" \
		-cp "$libs/*" kafka.Kafka "$props" >"$logfile" 2>&1 </dev/null 9>&- &
	pid=$!
	echo "$pid" >"$pidfile"
	for ((i = 0; i < start_timeout * 5; i++)); do
		kill -0 "$pid" 2>/dev/null || fail_start "broker exited"
		if grep -q 'Kafka Server started' "$logfile" && port_open "$port"; then
			break
		fi
		sleep 0.2
	done
	((i < start_timeout * 5)) || fail_start "not started within ${start_timeout}s"
	# A real request: list topics through the broker's own admin tool.
	if ! timeout 60 java -cp "$libs/*" org.apache.kafka.tools.TopicCommand \
		--bootstrap-server "$brokers" --list >/dev/null 2>"$run/check.log"; then
		cat "$run/check.log" >>"$logfile"
		fail_start "broker does not answer a metadata request"
	fi
	echo "kafka: Apache Kafka $version started in $(elapsed_since "$t0")s (pid $(<"$pidfile"), log $logfile)"
	echo "KAFKA_BROKERS=$brokers"
}

status() {
	local pid
	if pid=$(pid_alive "$pidfile" "$props"); then
		echo "kafka: running (pid $pid, Apache Kafka $(cached_version || echo '?'))"
		echo "KAFKA_BROKERS=$brokers"
		return 0
	fi
	echo "kafka: not running"
	return 3
}

topics() {
	need_java
	cached_version >/dev/null || die "no jars yet: run ${0##*/} start"
	java -cp "$libs/*" org.apache.kafka.tools.TopicCommand --bootstrap-server "$brokers" "$@"
}

# One script instance at a time per broker: parallel test packages may all call start.
with_lock() {
	mkdir -p "$run"
	exec 9>"$run/.lock"
	flock -w 300 9 || die "timed out waiting for $run/.lock"
	"$@"
}

[[ $# -ge 1 ]] || usage
cmd=$1
shift
case $cmd in
start) with_lock start ;;
stop) with_lock stop_pid "$pidfile" "$props" kafka ;;
status) status ;;
clean)
	with_lock stop_pid "$pidfile" "$props" kafka
	rm -rf "$run"
	echo "kafka: removed $run (jar cache kept in $libs)"
	;;
version)
	fetch
	cached_version
	;;
fetch) fetch ;;
topics) topics "$@" ;;
*) usage ;;
esac
