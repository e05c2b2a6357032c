# OpenChargeback (Go). `make demo` runs the monthly pipeline on testdata;
# `make test` runs vet and every test (unit, fuzz seeds, end-to-end scripts).
GO      ?= go
BIN     := bin
FUZZTIME ?= 30s

.PHONY: all build test vet lint bench demo fuzz clean

all: build

build:
	$(GO) build -o $(BIN)/ ./cmd/...

vet:
	$(GO) vet ./...

test: vet
	$(GO) test -count=1 ./...

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
