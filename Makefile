# adstream — the two commands are `make run` and `make test`; `make help` lists the rest.
SHELL := /bin/bash
GO    ?= go
BIN   := bin/adstream
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)

.DEFAULT_GOAL := help

.PHONY: help
help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  %-14s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

.PHONY: deps
deps: ## install what is missing: ClickHouse server, Chromium, promtool and ZooKeeper (Debian), the Graph SDK for conformance tests
	@bash deploy/local/deps.sh
	@if command -v python3 >/dev/null && ! python3 -c 'import facebook_business' 2>/dev/null; then \
		echo "deps: installing facebook-business (Meta's Python SDK) for graphsim's conformance test"; \
		python3 -m pip install -q --disable-pip-version-check facebook-business==26.0.3; fi

.PHONY: build
build: ## build bin/adstream
	$(GO) build -ldflags "-X main.version=$(VERSION)" -o $(BIN) ./cmd/adstream

.PHONY: run
run: deps build ## run the whole pipeline on the embedded local stack (Ctrl-C stops it)
	./$(BIN) dev

.PHONY: test
test: deps ## unit + integration tests against a real ClickHouse server and a real Kafka broker
	@bash deploy/local/test.sh

.PHONY: test-race
test-race: deps ## make test with the race detector
	@bash deploy/local/test.sh -race

.PHONY: test-short
test-short: ## unit tests only, no servers
	$(GO) test -short -count=1 ./...

# The suite stops its servers itself; the stops after it catch a run killed before its cleanups.
.PHONY: chaos
chaos: deps build ## kill -9 each role, stop ClickHouse and Kafka, Graph faults mid-sync; prints recovery times (own servers, < 8 min)
	@status=0; ADSTREAM_CHAOS=1 ADSTREAM_E2E=must ADSTREAM_TEST_BIN=$(CURDIR)/$(BIN) \
		$(GO) test -count=1 -v -timeout 12m -run '^TestChaos$$' ./cmd/adstream || status=$$?; \
	if [ -d .data/chaos ]; then \
		ADSTREAM_DATA_DIR=.data/chaos bash deploy/local/clickhouse.sh stop >/dev/null; \
		KAFKA_RUN_DIR=$(CURDIR)/.data/chaos/kafka bash deploy/local/kafka.sh stop >/dev/null; \
	fi; exit $$status

.PHONY: bench
bench: deps ## every benchmark, then issue 12's table for a world of ADSTREAM_BENCH_WORLD_ADS ads (default 100000; servers started if not running; ~25 min)
	@bash deploy/local/test.sh --bench

# staticcheck is run at a pinned version through the Go module proxy, so a fresh machine
# needs nothing installed; `go list -m -versions honnef.co/go/tools` lists the others.
STATICCHECK_VERSION ?= v0.8.2

.PHONY: lint
lint: ## gofmt, go vet and staticcheck
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GO) vet ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION) ./...

.PHONY: compose-check
compose-check: ## validate docker-compose.yml (with and without its registry profile), the Prometheus config and its alert-rule tests (no Docker engine needed)
	@bash deploy/local/deps.sh compose
	docker-compose -f docker-compose.yml config -q
	docker-compose -f docker-compose.yml --profile registry config -q
	promtool check config deploy/prometheus/prometheus.yml
	promtool test rules deploy/prometheus/rules_test.yml

.PHONY: services-stop
services-stop: ## stop the test ClickHouse and Kafka servers if left running
	-@bash deploy/local/kafka.sh stop
	-@bash deploy/local/clickhouse.sh stop

.PHONY: clean
clean: services-stop ## remove build outputs and local data
	rm -rf bin .data
