# OpenChargeback (Go). `make demo` runs the monthly pipeline on testdata;
# `make test` runs vet and every test (unit, fuzz seeds, end-to-end scripts);
# `make install` puts tools, man pages, completion, example config and
# systemd units under PREFIX (and DESTDIR); `make dist` makes the release
# tarball with SHA256SUMS.
GO      ?= go
BIN     := bin
FUZZTIME ?= 30s
TOOLS   := focus-validate focus-flag focus-load focus-statement focus-journal focus-mail

# The version every tool prints for --version: a tag, or the commit, with
# -dirty for uncommitted changes. Stamped into the binaries because the Go
# build info names no commit with -buildvcs=false or outside a git tree.
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo unknown)
LDFLAGS := -X github.com/openchargeback/ocb/lib/cliutil.stamped=$(VERSION)

PREFIX     ?= /usr/local
DESTDIR    ?=
BINDIR     := $(PREFIX)/bin
MANDIR     := $(PREFIX)/share/man/man1
BASHCOMPDIR := $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR := $(PREFIX)/share/zsh/site-functions
DATADIR    := $(PREFIX)/share/openchargeback
DOCDIR     := $(PREFIX)/share/doc/openchargeback
# The scripts the units run (nightly import, month end).
LIBEXECDIR := $(PREFIX)/lib/openchargeback
# systemd reads units from /usr/local/lib/systemd/system as well as /usr/lib.
UNITDIR    := $(PREFIX)/lib/systemd/system
SYSUSERSDIR := $(PREFIX)/lib/sysusers.d
GEN        := out/gen
UNITS      := $(notdir $(wildcard dist/systemd/*.service dist/systemd/*.timer))

.PHONY: all build test test-postgres vet lint bench demo fuzz clean gen install uninstall dist

# `make && sudo make install`: the build and the generated pages as the
# user, then only copies as root (whose PATH may have no go).
all: gen

build:
	$(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $(BIN)/ ./cmd/...

# Man pages and completion come from the tools' own cli definitions
# (cliutil's --generate-* entry points), so they say what --help says.
gen: build
	@mkdir -p $(GEN)/man $(GEN)/bash $(GEN)/zsh
	@for t in $(TOOLS); do \
	  $(BIN)/$$t --generate-man > $(GEN)/man/$$t.1 && \
	  $(BIN)/$$t --generate-bash-completion-script > $(GEN)/bash/$$t && \
	  $(BIN)/$$t --generate-zsh-completion-script > $(GEN)/zsh/_$$t || exit 1; \
	done

# Builds only what is missing (see all); the units get PREFIX's paths here,
# so `make` and `make install PREFIX=/usr` need not agree on PREFIX.
install:
	@if [ ! -x $(BIN)/focus-mail ] || [ ! -f $(GEN)/zsh/_focus-mail ]; then $(MAKE) gen; fi
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR) $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) \
	  $(DESTDIR)$(DATADIR) $(DESTDIR)$(DOCDIR) $(DESTDIR)$(LIBEXECDIR) $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSUSERSDIR)
	for t in $(TOOLS); do \
	  install -m 0755 $(BIN)/$$t $(DESTDIR)$(BINDIR)/$$t && \
	  install -m 0644 $(GEN)/man/$$t.1 $(DESTDIR)$(MANDIR)/$$t.1 && \
	  install -m 0644 $(GEN)/bash/$$t $(DESTDIR)$(BASHCOMPDIR)/$$t && \
	  install -m 0644 $(GEN)/zsh/_$$t $(DESTDIR)$(ZSHCOMPDIR)/_$$t || exit 1; \
	done
	for u in $(UNITS); do \
	  sed -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@LIBEXECDIR@|$(LIBEXECDIR)|g' dist/systemd/$$u > $(DESTDIR)$(UNITDIR)/$$u && \
	  chmod 0644 $(DESTDIR)$(UNITDIR)/$$u || exit 1; \
	done
	install -m 0644 dist/sysusers.d/openchargeback.conf $(DESTDIR)$(SYSUSERSDIR)/openchargeback.conf
	install -m 0644 dist/config.example.yaml $(DESTDIR)$(DATADIR)/config.example.yaml
	install -m 0644 dist/nginx/openchargeback.conf $(DESTDIR)$(DATADIR)/nginx-openchargeback.conf
	install -m 0755 examples/cron/nightly-import.sh $(DESTDIR)$(LIBEXECDIR)/nightly-import.sh
	install -m 0644 examples/month-end.mk $(DESTDIR)$(LIBEXECDIR)/month-end.mk
	install -m 0644 LICENSE CHANGELOG.md docs/OPERATIONS.md $(DESTDIR)$(DOCDIR)/

# Removes exactly what install put there; /etc/openchargeback and
# /var/lib/openchargeback (config, ledger) are the admin's and stay.
uninstall:
	for t in $(TOOLS); do \
	  rm -f $(DESTDIR)$(BINDIR)/$$t $(DESTDIR)$(MANDIR)/$$t.1 $(DESTDIR)$(BASHCOMPDIR)/$$t $(DESTDIR)$(ZSHCOMPDIR)/_$$t; \
	done
	for u in $(UNITS); do rm -f $(DESTDIR)$(UNITDIR)/$$u; done
	rm -f $(DESTDIR)$(SYSUSERSDIR)/openchargeback.conf
	rm -f $(DESTDIR)$(DATADIR)/config.example.yaml $(DESTDIR)$(DATADIR)/nginx-openchargeback.conf
	rm -f $(DESTDIR)$(LIBEXECDIR)/nightly-import.sh $(DESTDIR)$(LIBEXECDIR)/month-end.mk
	rm -f $(DESTDIR)$(DOCDIR)/LICENSE $(DESTDIR)$(DOCDIR)/CHANGELOG.md $(DESTDIR)$(DOCDIR)/OPERATIONS.md
	-rmdir $(DESTDIR)$(DATADIR) $(DESTDIR)$(DOCDIR) $(DESTDIR)$(LIBEXECDIR) 2>/dev/null

# The release: the install tree for PREFIX=/usr/local as a linux/amd64
# tarball (extract it into /usr/local, docs/OPERATIONS.md section 2), and
# SHA256SUMS. Owners, order and times in the tarball are fixed, so two
# runs on one commit give the same bytes.
RELEASE ?= out/release
DISTNAME := openchargeback-$(VERSION)-linux-amd64
STAGE    = $(abspath $(RELEASE))/stage
dist: gen
	@test "$$($(GO) env GOOS)/$$($(GO) env GOARCH)" = linux/amd64 || { echo "make dist: builds on linux/amd64 only (the SQLite driver needs cgo)" >&2; exit 2; }
	rm -rf $(STAGE) && mkdir -p $(STAGE)
	$(MAKE) install DESTDIR=$(STAGE) PREFIX=/usr/local VERSION=$(VERSION)
	tar --sort=name --owner=0 --group=0 --numeric-owner \
	  --mtime="@$$(git log -1 --format=%ct 2>/dev/null || echo 0)" \
	  -C $(STAGE)/usr/local --transform 's|^\.|$(DISTNAME)|' \
	  -cf $(RELEASE)/$(DISTNAME).tar .
	gzip -n -f $(RELEASE)/$(DISTNAME).tar
	rm -rf $(STAGE)
	cd $(RELEASE) && sha256sum $(DISTNAME).tar.gz > SHA256SUMS
	@echo "$(RELEASE)/$(DISTNAME).tar.gz"

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
