# berth — `make help` lists the targets.
GO       ?= go
BIN      ?= ./berth
PKGS     := ./...
BENCHDIR ?= .bench
# golangci-lint v2 (.ci/run installs v2.15.0 there); `make lint
# GOLANGCI_LINT=…` to use another.
GOLANGCI_LINT ?= $(shell $(GO) env GOPATH)/bin/golangci-lint
# Each fuzz target runs this long in `make fuzz` (`make test` gives each
# TEST_FUZZTIME); `make fuzz FUZZTIME=5m` for a long run.
FUZZTIME      ?= 2s
TEST_FUZZTIME ?= 2s
# soak: how many run/stop/rm cycles `make soak` runs.
SOAK_CYCLES ?= 1000
# install: DESTDIR stages into a directory (packaging, tests); PREFIX is
# where berth will live on the machine.
PREFIX         ?= /usr/local
BINDIR         ?= $(PREFIX)/bin
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
DESTDIR        ?=

.PHONY: help build install demo demo-clean test test-compat test-cri lint fuzz bench bench-compat soak screenshots clean

help: ## list the targets and what each does
	@awk -F':.*## ' '/^[a-z-]+:.*## /{printf "  %-12s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

build: ## build ./berth, the one binary
	$(GO) build -o $(BIN) .

install: build ## install berth in $(BINDIR) and berth-boot.service (restart policies at boot) in $(SYSTEMDUNITDIR)
	install -D -m 0755 $(BIN) $(DESTDIR)$(BINDIR)/berth
	install -d $(DESTDIR)$(SYSTEMDUNITDIR)
	sed 's|^ExecStart=/usr/local/bin/berth |ExecStart=$(BINDIR)/berth |' contrib/systemd/berth-boot.service \
		> $(DESTDIR)$(SYSTEMDUNITDIR)/berth-boot.service
	chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/berth-boot.service
	@echo "enable it with: systemctl daemon-reload && systemctl enable berth-boot.service"

demo: build ## build, prepare the offline busybox image and demo containers, open the TUI
	BERTH=$(BIN) scripts/demo.sh
	$(BIN)

demo-clean: build ## remove the demo containers and image
	BERTH=$(BIN) scripts/demo.sh clean

lint: ## go vet, gofmt and golangci-lint (linters in .golangci.yml)
	$(GO) vet $(PKGS)
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GOLANGCI_LINT) run $(PKGS)

test: lint ## every test, with the race detector; real containers when root
	@# Every top-level test's PASS/SKIP/FAIL line is printed, so the log shows
	@# which real-kernel tests ran; the whole output follows a failure.
	@$(GO) test -race -count=1 -timeout 45m -v $(PKGS) > .test.log 2>&1; status=$$?; \
	grep -E '^(ok|FAIL|panic:|--- FAIL|--- SKIP|--- PASS: Test[^/ ]+ )' .test.log; \
	if [ $$status -ne 0 ]; then echo '=== full output:'; cat .test.log; fi; exit $$status
	@$(MAKE) --no-print-directory fuzz FUZZTIME=$(TEST_FUZZTIME)

test-compat: build ## side by side with Docker 20.10: "N same of M" and the differences (root; dockerd from BERTH_COMPAT_DOCKER or PATH, see README; not in make test)
	BERTH_COMPAT=1 BERTH_COMPAT_BERTH=$(abspath $(BIN)) $(GO) test -count=1 -timeout 90m -v -run '^TestSideBySide$$' ./compat/

test-cri: ## the CRI conformance suite (critest 1.37 from the module proxy) against berth cri, offline; critest's summary (root; not in make test; CRITEST_FOCUS/CRITEST_SKIP: ginkgo regexps)
	BERTH_CRITEST=all BERTH_CRITEST_FOCUS='$(CRITEST_FOCUS)' BERTH_CRITEST_SKIP='$(CRITEST_SKIP)' $(GO) test -count=1 -timeout 90m -v -run '^TestCRICritest$$' .

fuzz: ## run every fuzz target (func FuzzX in *_test.go) for FUZZTIME each; crashers land in testdata/fuzz
	@GO=$(GO) FUZZTIME=$(FUZZTIME) scripts/fuzz.sh

soak: ## SOAK_CYCLES run/stop/rm cycles with random kill -9s, then the leaks found (as root; not in make test)
	BERTH_SOAK=1 SOAK_CYCLES=$(SOAK_CYCLES) $(GO) test -run '^TestSoak$$' -count=1 -timeout 4h -v .

bench: ## benchmarks with figures to compare (run as root; see README)
	@# whole-program figures (the built binary), each beside its anchors of the same run: run --rm (none and
	@# bridged) and exec beside crun, runc, podman, docker (a private dockerd when no daemon answers and dockerd
	@# is installed); version beside a hello-world Go program; shim memory
	@# with 10 and 100 running beside conmon; ps, logs. Anchors not at hand print why and are skipped.
	@# Opt-in: BERTH_BENCH_500=1 (500 shims, 500 watched in the TUI), BERTH_BENCH_1000=1 (1000 containers
	@# started, listed, watched in the TUI, stopped beside podman and docker; BERTH_BENCH_SCALE_N=100 for another count).
	$(GO) test -run '^$$' -bench . -benchtime 1x -count 1 -timeout 60m . 2>&1 | tee $(BENCHDIR).log
	@# package figures: log writer, cgroup stats, image build/pull, port proxy, TUI frames
	$(GO) test -run '^$$' -bench . -benchtime 300ms -count 1 -timeout 60m ./engine/... ./images/... ./cgroups/... ./ptyexec/... ./ui/... 2>&1 | tee -a $(BENCHDIR).log
	@# the Docker API beside Docker's own daemon, when one is at hand (see README)
	@if [ -n "$$BERTH_COMPAT_DOCKER" ] || command -v dockerd >/dev/null; then $(MAKE) bench-compat; else echo "bench: docker ps through berth's API beside dockerd needs dockerd on PATH or BERTH_COMPAT_DOCKER (see README); skipped" | tee -a $(BENCHDIR).log; fi

bench-compat: build ## docker ps with 50 containers through berth's API and through a private dockerd, side by side (root; dockerd as test-compat)
	BERTH_COMPAT=1 BERTH_COMPAT_BERTH=$(abspath $(BIN)) $(GO) test -count=1 -timeout 30m -run '^$$' -bench '^BenchmarkAPIPs50$$' -benchtime 1x ./compat/ 2>&1 | tee -a $(BENCHDIR).log

screenshots: build ## regenerate screenshots/*.png from a scripted tmux session
	BERTH=$(BIN) scripts/screenshots.sh

clean: ## remove build output
	rm -f $(BIN)
