#!/usr/bin/env bash
# make test: run the Prometheus alert-rule tests with promtool, start a real
# ClickHouse server and a real Apache Kafka broker on loopback, run every Go
# test against them with ADSTREAM_E2E=must (an integration test that cannot
# reach a server fails instead of skipping), then stop both. Exits non-zero if
# promtool is missing or either server could not start.
#
# make bench (test.sh --bench): the same servers, but one already running is
# used and left running; every package's benchmarks, then BenchmarkWorld at
# ADSTREAM_BENCH_WORLD_ADS ads (default 100000), whose table takes the ingest
# figures from the first run's output (both outputs are kept in .data/bench).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

mode=test
if [[ ${1:-} == --bench ]]; then
	mode=bench
	shift
fi

if [[ $mode == test ]]; then
	echo "== alert rules (promtool)"
	command -v promtool >/dev/null ||
		{ echo "promtool not found: make deps installs it (Debian package prometheus)" >&2; exit 1; }
	promtool check rules deploy/prometheus/rules.yml
	for t in deploy/prometheus/*_test.yml; do
		promtool test rules "$t"
	done
fi

keep_ch='' keep_kafka=''
if [[ $mode == bench ]]; then
	if bash deploy/local/clickhouse.sh status >/dev/null 2>&1; then keep_ch=1; fi
	if bash deploy/local/kafka.sh status >/dev/null 2>&1; then keep_kafka=1; fi
fi
stop() {
	[[ -n $keep_kafka ]] || bash deploy/local/kafka.sh stop >/dev/null 2>&1 || true
	[[ -n $keep_ch ]] || bash deploy/local/clickhouse.sh stop >/dev/null 2>&1 || true
}
trap stop EXIT

echo "== starting ClickHouse"
ch_out=$(bash deploy/local/clickhouse.sh start) || { echo "ClickHouse did not start" >&2; exit 1; }
echo "$ch_out"
echo "== starting Kafka"
kafka_out=$(bash deploy/local/kafka.sh start) || { echo "Kafka did not start" >&2; exit 1; }
echo "$kafka_out"

ch_addr=$(sed -n 's/^CLICKHOUSE_ADDR=//p' <<<"$ch_out" | tail -n1)
brokers=$(sed -n 's/^KAFKA_BROKERS=//p' <<<"$kafka_out" | tail -n1)
[[ -n $ch_addr && -n $brokers ]] || { echo "could not read CLICKHOUSE_ADDR / KAFKA_BROKERS from the start scripts" >&2; exit 1; }
echo "== ClickHouse $(bash deploy/local/clickhouse.sh version) at $ch_addr; Kafka $(bash deploy/local/kafka.sh version) at $brokers"

export ADSTREAM_E2E=must
export ADSTREAM_TEST_CLICKHOUSE_ADDR=$ch_addr
export ADSTREAM_TEST_KAFKA_BROKERS=$brokers
if [[ $mode == bench ]]; then
	out=$PWD/.data/bench # absolute: go test runs each package in its own directory
	mkdir -p "$out"
	status=0
	echo "== benchmarks of every package (output in $out/packages.txt)"
	# -p 1: one package's benchmarks at a time; two at once (go test's default on
	# 2 cores) timed the API's reads while the consumers' ingest ran beside them.
	env -u ADSTREAM_BENCH_WORLD_ADS go test -p 1 -run '^$' -bench . -benchmem -timeout 40m "$@" ./... |
		tee "$out/packages.txt" || status=$?
	echo "== BenchmarkWorld at ${ADSTREAM_BENCH_WORLD_ADS:-100000} ads (output in $out/world.txt)"
	# 100k ads take some 4 minutes; the timeout leaves a world of 1M ads
	# (ADSTREAM_BENCH_SYNC_LIMIT bounds its first sync) room to finish.
	ADSTREAM_BENCH_WORLD_ADS=${ADSTREAM_BENCH_WORLD_ADS:-100000} ADSTREAM_BENCH_INGEST_OUTPUT=$out/packages.txt \
		go test -run '^$' -bench '^BenchmarkWorld$' -benchtime 1x -timeout 180m "$@" ./cmd/adstream |
		tee "$out/world.txt" || status=$?
	exit "$status"
fi
go test -count=1 -timeout 25m "$@" ./...
