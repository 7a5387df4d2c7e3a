#!/usr/bin/env bash
# Installs what the local stack needs and is missing, on Debian/Ubuntu: ClickHouse server
# and client from the distribution (18.16 on Debian 12), Chromium, which the creative
# browser's test drives headless, promtool (Debian's prometheus package), which make test
# runs the alert-rule tests with, and Debian's zookeeper, which the two-replica ClickHouse
# cluster of make test coordinates through; with the argument `compose`, also docker-compose for make
# compose-check. Checks Java 17+ and Maven, which only the real-Kafka tests need. Idempotent;
# prints nothing when everything is present.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=deploy/local/lib.sh
. "$here/lib.sh"

compose=false
case ${1:-} in
"") ;;
compose) compose=true ;;
*)
	echo "usage: ${0##*/} [compose]   (installs clickhouse-server/-client, chromium and promtool when missing; compose: docker-compose too)" >&2
	exit 2
	;;
esac

missing=()
if ! [[ -x /usr/sbin/clickhouse-server ]] && ! exe clickhouse-server >/dev/null && ! exe clickhouse >/dev/null; then
	missing+=(clickhouse-server)
fi
if ! exe clickhouse-client >/dev/null && ! exe clickhouse >/dev/null; then
	missing+=(clickhouse-client)
fi
if ! exe chromium >/dev/null && ! exe chromium-browser >/dev/null; then
	missing+=(chromium)
fi
# Tools only: installed without recommends, which would add prometheus-node-exporter and
# docker.io, which nothing here needs.
tools=()
exe promtool >/dev/null || tools+=(prometheus)
# ZooKeeper's jar for cluster.sh (the two-replica ClickHouse test); the package starts no service.
[[ -f /usr/share/java/zookeeper.jar ]] || tools+=(zookeeper)
if $compose && ! exe docker-compose >/dev/null; then
	tools+=(docker-compose)
fi

if ((${#missing[@]} + ${#tools[@]})); then
	command -v apt-get >/dev/null ||
		die "missing ${missing[*]} ${tools[*]} and no apt-get: install ClickHouse (https://clickhouse.com/docs/install), Chromium, promtool, ZooKeeper and docker-compose yourself"
	sudo=()
	if ((EUID != 0)); then
		command -v sudo >/dev/null || die "missing ${missing[*]} ${tools[*]}: run this script as root (no sudo found)"
		sudo=(sudo)
	fi
	echo "deps: installing ${missing[*]} ${tools[*]} with apt-get"
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
	pkgs=()
	for p in "${missing[@]}"; do
		case $p in
		clickhouse-*) ;;
		*) pkgs+=("$p") ;;
		esac
	done
	# Both ClickHouse packages whenever one is missing, so server and client versions match.
	if [[ " ${missing[*]} " == *" clickhouse-"* ]]; then
		pkgs+=(clickhouse-server clickhouse-client)
	fi
	if ((${#pkgs[@]})); then
		"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
			"${pkgs[@]}"
	fi
	if ((${#tools[@]})); then
		"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
			-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
			"${tools[@]}"
	fi
	if [[ " ${tools[*]} " == *" prometheus "* && -d /run/systemd/system ]]; then
		echo "deps: the prometheus package also enabled a prometheus service on :9090; make test needs only" \
			"promtool (sudo systemctl disable --now prometheus turns it off)" >&2
	fi
fi

# Java and Maven: only deploy/local/kafka.sh needs them; without them the tests that want
# a real Kafka broker are skipped, so this warns instead of failing.
java_major=0
if exe java >/dev/null; then
	java_major=$(java -XshowSettings:properties -version 2>&1 |
		sed -n 's/^ *java\.specification\.version = //p' | cut -d. -f1)
fi
if ((${java_major:-0} < 17)); then
	echo "deps: Java 17+ not found (real-Kafka tests will be skipped): apt-get install -y openjdk-17-jre-headless" >&2
fi
if ! exe mvn >/dev/null; then
	echo "deps: Maven not found (kafka.sh fetches the Kafka jars with it): apt-get install -y maven" >&2
fi
