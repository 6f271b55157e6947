# paygate — developer tasks. Every target works on a fresh machine with Go 1.26.
GO            ?= go
GOLANGCI_LINT ?= $(GO) run github.com/golangci/golangci-lint/v2/cmd/golangci-lint@v2.15.0
FUZZTIME      ?= 10s
BENCHTIME     ?= 1s

.PHONY: all test lint bench fuzz cover tidy quickstart

all: test lint

## test: every test, race detector on
test:
	$(GO) test -race -count=1 ./...

## lint: go vet and golangci-lint (pinned, built by go run)
lint:
	$(GO) vet ./...
	$(GOLANGCI_LINT) run ./...

## bench: every benchmark, with allocations; ratios against same-run baselines are printed
bench:
	$(GO) test -run='^$$' -bench=. -benchmem -benchtime=$(BENCHTIME) ./...

## fuzz: every Fuzz target for FUZZTIME each (go test -fuzz takes one target at a time)
fuzz:
	@set -e; for pkg in $$($(GO) list ./...); do \
	  for t in $$($(GO) test -list '^Fuzz' $$pkg 2>/dev/null | grep '^Fuzz' || true); do \
	    echo "== $$pkg $$t"; \
	    $(GO) test -run='^$$' -fuzz="^$$t\$$" -fuzztime=$(FUZZTIME) $$pkg; \
	  done; \
	done

## cover: coverage profile and summary
cover:
	$(GO) test -count=1 -coverprofile=coverage.out ./...
	$(GO) tool cover -func=coverage.out | tail -1

## quickstart: the whole flow against the in-process sandbox
quickstart:
	$(GO) run ./examples/quickstart

tidy:
	$(GO) mod tidy
