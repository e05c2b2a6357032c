# Month-end chargeback run for one PERIOD, driven by make.
#
#   make -f examples/month-end.mk PERIOD=2025-01            # validate, flag, load, close, drafts; then stops
#   make -f examples/month-end.mk PERIOD=2025-01 FINALIZE=yes   # finalize, statements, journal, mail
#   make -f examples/month-end.mk PERIOD=2025-01 load       # validate, flag and import only
#   make -f examples/month-end.mk PERIOD=2025-01 review     # fails, printing the list, while items are pending
#   make -f examples/month-end.mk PERIOD=2025-01 drafts     # draft statements + draft journal to look at
#   make -f examples/month-end.mk PERIOD=2025-01 -n         # what would run
#
# Steps, each producing a file so that a failed step is resumed, not redone:
#
#   EXPORTS/SRC.csv ─validate─► OUT/valid/SRC.csv ─flag─► OUT/flagged/SRC.csv
#     ─import─► OUT/.state/imported-SRC ─review─► OUT/.state/closed
#     ─► OUT/.state/finalized ─► OUT/statements.ndjson (+ OUT/pdf/PERIOD/*.pdf)
#     ─► OUT/journal.csv   and   OUT/.state/mailed (OUT/sent.log)
#
# Inputs: one FOCUS export per source in EXPORTS (file name = source name,
# e.g. exports/2025-01/HPC.csv is imported as source HPC). Replace a source's
# export in an open period by dropping the new file in and running again with
# IMPORT_ARGS=--replace. The ledger is FOCUS_DB (or ./ledger.db); mail goes
# through FOCUS_SMTP_URL unless MAIL_ARGS says otherwise. Everything else is a
# variable below, overridable on the command line or from the environment.
#
# Nothing permanent happens without FINALIZE=yes on the command line: the
# default run stops after closing the period and writing draft statements
# and a draft journal, and prints what to check and the command that
# finalizes. Finalizing, the final journal and mail each refuse to run
# without it (a FINALIZE in the environment does not count: one left in the
# shell must not finalize and mail next month by surprise).

ifndef PERIOD
$(error PERIOD=YYYY-MM is required, e.g. make -f examples/month-end.mk PERIOD=2025-01)
endif

EXPORTS       ?= exports/$(PERIOD)
OUT           ?= out/$(PERIOD)
STATE         := $(OUT)/.state
# Sources: every *.csv in EXPORTS unless given (SOURCES="AWS HPC").
SOURCES       ?= $(sort $(basename $(notdir $(wildcard $(EXPORTS)/*.csv))))
VALIDATE_ARGS ?=
# ALLOW_REJECTS=1 loads the valid rows of an export that has invalid ones
# (which stay in OUT/rejects/SRC.csv). By default an invalid row stops the run.
ALLOW_REJECTS ?=
FLAG_ARGS     ?= --require-tags pi_email,fund_org
IMPORT_ARGS   ?=
ACCOUNTS      ?= accounts.csv
JOURNAL_ARGS  ?= --format generic
FROM          ?= $(FOCUS_FROM)
MAIL_ARGS     ?=
# Only from the command line (see above).
FINALIZE      := $(if $(filter command line,$(origin FINALIZE)),$(FINALIZE),no)

FOCUS_VALIDATE  ?= focus-validate
FOCUS_FLAG      ?= focus-flag
FOCUS_LOAD      ?= focus-load
FOCUS_STATEMENT ?= focus-statement
FOCUS_JOURNAL   ?= focus-journal
FOCUS_MAIL      ?= focus-mail

# A failed recipe must not leave a half-written target that a re-run would
# take as done: every recipe writes to $@.tmp and renames.
.DELETE_ON_ERROR:
# Keep the validated and flagged files: they are the record of what was loaded.
.SECONDARY:
SHELL := /bin/sh
.SHELLFLAGS := -ec

VALID    := $(SOURCES:%=$(OUT)/valid/%.csv)
FLAGGED  := $(SOURCES:%=$(OUT)/flagged/%.csv)
IMPORTED := $(SOURCES:%=$(STATE)/imported-%)

ifeq ($(FINALIZE),yes)
all: mail journal
else
all: drafts
	@echo "== $(PERIOD) is closed; nothing permanent has been done."
	@echo "   Check the drafts: $(OUT)/draft/statements.ndjson, $(OUT)/draft/pdf/, $(OUT)/draft/journal.csv"
	@echo "   Reviewed: $$($(FOCUS_LOAD) review list --period $(PERIOD) --format csv | tail -n +2 | grep -c . || true) item(s) (focus-load review list --period $(PERIOD));"
	@echo "   disputes: focus-load dispute list --period $(PERIOD); adjustments: focus-load adjust ..."
	@echo "   Then finalize (permanent), write the journal and mail the PIs with:"
	@echo "     make -f $(firstword $(MAKEFILE_LIST)) PERIOD=$(PERIOD) FINALIZE=yes"
endif

# Refuses a permanent step unless FINALIZE=yes was given on the command line.
define need_finalize
	@if [ "$(FINALIZE)" != yes ]; then \
	  echo "month-end: $(1) is permanent: look at the drafts (make ... drafts), then run with FINALIZE=yes" >&2; exit 2; fi
endef

.PHONY: all validate flag load review close drafts finalize statements journal mail status check-sources

check-sources:
	@if [ -z "$(strip $(SOURCES))" ]; then \
	  echo "month-end: no exports in $(EXPORTS)/*.csv (set EXPORTS= or SOURCES=)" >&2; exit 2; fi

validate: check-sources $(VALID)
flag: check-sources $(FLAGGED)
load: check-sources $(IMPORTED)

$(OUT)/valid/%.csv: $(EXPORTS)/%.csv
	@mkdir -p $(OUT)/valid $(OUT)/rejects
	@echo "== validate $*"
	@rc=0; $(FOCUS_VALIDATE) $(VALIDATE_ARGS) --reject $(OUT)/rejects/$*.csv $< > $@.tmp || rc=$$?; \
	if [ $$rc -eq 1 ] && [ -n "$(ALLOW_REJECTS)" ]; then \
	  echo "month-end: $*: invalid rows kept in $(OUT)/rejects/$*.csv; loading the valid ones (ALLOW_REJECTS)" >&2; \
	elif [ $$rc -ne 0 ]; then \
	  rm -f $@.tmp; \
	  echo "month-end: $*: focus-validate exit $$rc; invalid rows are in $(OUT)/rejects/$*.csv." >&2; \
	  echo "month-end: fix the export, or re-run with ALLOW_REJECTS=1 to load the valid rows" >&2; exit $$rc; \
	fi; \
	mv $@.tmp $@

$(OUT)/flagged/%.csv: $(OUT)/valid/%.csv
	@mkdir -p $(OUT)/flagged
	@echo "== flag $*"
	@$(FOCUS_FLAG) --period $(PERIOD) $(FLAG_ARGS) $< > $@.tmp
	@mv $@.tmp $@

# Importing the same bytes twice is a no-op in focus-load, so losing this
# stamp costs nothing; a changed export needs IMPORT_ARGS=--replace.
$(STATE)/imported-%: $(OUT)/flagged/%.csv
	@mkdir -p $(STATE)
	@echo "== import $* into $(PERIOD)"
	@$(FOCUS_LOAD) import --source $* --period $(PERIOD) $(IMPORT_ARGS) $<
	@touch $@

# Fails, with the list, while review items are pending. Always re-checked.
review: load
	@mkdir -p $(OUT)
	@$(FOCUS_LOAD) review list --period $(PERIOD) --status pending --format csv > $(OUT)/review-pending.csv
	@n=$$(tail -n +2 $(OUT)/review-pending.csv | grep -c . || true); \
	if [ "$$n" -gt 0 ]; then \
	  cat $(OUT)/review-pending.csv >&2; \
	  echo "month-end: $$n review item(s) pending for $(PERIOD) (list in $(OUT)/review-pending.csv)." >&2; \
	  echo "month-end: decide each with focus-load review approve|reject|assign, then run make again" >&2; \
	  exit 1; \
	fi
	@echo "== review: nothing pending for $(PERIOD)"

close: $(STATE)/closed
$(STATE)/closed: $(IMPORTED)
	@$(MAKE) -f $(firstword $(MAKEFILE_LIST)) --no-print-directory review
	@echo "== close $(PERIOD)"
	@$(FOCUS_LOAD) periods close $(PERIOD)
	@touch $@

# Drafts: statements with a DRAFT watermark and a trial journal, to look at
# before finalizing. Re-made whenever asked (adjustments change them).
drafts: $(STATE)/closed
	@mkdir -p $(OUT)/draft
	@echo "== draft statements and journal for $(PERIOD)"
	@$(FOCUS_STATEMENT) --period $(PERIOD) --pdf-dir $(OUT)/draft/pdf > $(OUT)/draft/statements.ndjson.tmp
	@mv $(OUT)/draft/statements.ndjson.tmp $(OUT)/draft/statements.ndjson
	@$(FOCUS_JOURNAL) --accounts $(ACCOUNTS) $(JOURNAL_ARGS) --draft -o $(OUT)/draft/journal.csv $(OUT)/draft/statements.ndjson

finalize: $(STATE)/finalized
$(STATE)/finalized: $(STATE)/closed
	$(call need_finalize,finalizing $(PERIOD))
	@echo "== finalize $(PERIOD) (refused while reviews are pending or disputes open)"
	@$(FOCUS_LOAD) periods finalize $(PERIOD)
	@touch $@

statements: $(OUT)/statements.ndjson
$(OUT)/statements.ndjson: $(STATE)/finalized
	@mkdir -p $(OUT)/pdf
	@echo "== statements for $(PERIOD)"
	@$(FOCUS_STATEMENT) --period $(PERIOD) --pdf-dir $(OUT)/pdf > $@.tmp
	@mv $@.tmp $@

journal: $(OUT)/journal.csv
$(OUT)/journal.csv: $(OUT)/statements.ndjson
	$(call need_finalize,the journal for finance)
	@echo "== journal for $(PERIOD)"
	@$(FOCUS_JOURNAL) --accounts $(ACCOUNTS) $(JOURNAL_ARGS) -o $@ $<

# The sent log makes a re-run after a failure send only what is missing.
mail: $(STATE)/mailed
$(STATE)/mailed: $(OUT)/statements.ndjson
	$(call need_finalize,mailing the PIs)
	@echo "== mail statements for $(PERIOD)"
	@$(FOCUS_MAIL) $(if $(FROM),--from "$(FROM)") --sent-log $(OUT)/sent.log $(MAIL_ARGS) $<
	@touch $@

status:
	@echo "PERIOD=$(PERIOD) EXPORTS=$(EXPORTS) OUT=$(OUT) SOURCES=$(SOURCES)"
	@for f in $(VALID) $(FLAGGED) $(IMPORTED) $(STATE)/closed $(STATE)/finalized $(OUT)/statements.ndjson $(OUT)/journal.csv $(STATE)/mailed; do \
	  if [ -e $$f ]; then echo "done    $$f"; else echo "pending $$f"; fi; done
