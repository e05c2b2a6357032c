# OpenChargeback (Go). `make demo` runs the monthly pipeline on testdata;
# `make test` runs vet and every test (unit, fuzz seeds, end-to-end scripts).
GO      ?= go
BIN     := bin
FUZZTIME ?= 30s

.PHONY: all build test test-postgres vet lint bench demo fuzz clean

all: build

build:
	$(GO) build -o $(BIN)/ ./cmd/...

vet:
	$(GO) vet ./...

# The ledger suite (lib/ledger/ledgertest) runs on SQLite in
# lib/ledger/sqlite and, with FOCUS_TEST_POSTGRES set (a server DSN), on
# PostgreSQL in lib/ledger/postgres, both in the first go test; the e2e
# scripts then run a second time on PostgreSQL. Without the DSN the
# PostgreSQL half is skipped with a message. make test-postgres starts a
# throwaway server.
test: vet
	$(GO) test -count=1 ./...
	@if [ -n "$$FOCUS_TEST_POSTGRES" ]; then \
	  echo "== the e2e scripts on PostgreSQL (the ledger suite ran on it above, in lib/ledger/postgres)"; \
	  FOCUS_TEST_BACKEND=postgres $(GO) test -count=1 ./e2e/...; \
	else \
	  echo "FOCUS_TEST_POSTGRES is not set: the PostgreSQL half of the tests is skipped (make test-postgres runs it)"; \
	fi

test-postgres:
	./scripts/with-postgres.sh $(MAKE) test

lint: vet
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...

bench: build
	./scripts/bench.sh

demo: build
	./scripts/demo.sh

fuzz:
	./scripts/fuzz.sh $(FUZZTIME)

clean:
	rm -rf $(BIN) out
