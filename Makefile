# Taahod developer and CI entry points. Run make from the repository root.
# Every target does its own set-up; see README.md "Getting started".
#
# Targets that need a database use DATABASE_URL when it is set, and otherwise
# a private PostgreSQL cluster of this checkout managed by scripts/dev-db
# (one for run/migrate, another for test/bench).

GO          ?= go
BIN         := bin/taahod
DEVDB       := scripts/dev-db
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2

# The OpenAPI linters, from the npm registry, pinned, installed into .tools/
# (ignored by git) the first time make lint needs them.
OPENAPI     := api/openapi.yaml
TOOLS       := .tools
REDOCLY     := @redocly/cli@2.77.0
SPECTRAL    := @stoplight/spectral-cli@6.16.3
LINT_STAMP  := $(TOOLS)/installed-$(subst /,_,$(REDOCLY)-$(SPECTRAL))

.PHONY: build run test chaos lint lint-openapi migrate bench screenshots clean db-start db-stop db-status db-reset psql

## build: compile bin/taahod
build:
	$(GO) build -o $(BIN) ./cmd/taahod

## run: database, signing key, migrations, demo data, then the server (Ctrl-C stops it and the database)
run: build
	$(DEVDB) run

## test: all tests with -race against a private test cluster (or DATABASE_URL)
test:
	scripts/need-tools
	$(DEVDB) exec test -- $(GO) test -race -count=1 -timeout 30m ./...

## chaos: the fault suite (scripts/chaos): builds bin/taahod, starts a
## PostgreSQL cluster of its own in a temporary folder (never the test
## cluster), and drives the binary over loopback through kill -9, PostgreSQL
## restarts, concurrency, the role × route matrix and a bad-input sweep;
## one line of figures per scenario, non-zero on any failure (≤ 4 minutes)
chaos: build
	$(GO) run ./scripts/chaos -binary $(BIN)

## lint: gofmt, go vet, staticcheck, then the OpenAPI linters (lint-openapi)
lint:
	@unformatted=$$(gofmt -l .); \
	if [ -n "$$unformatted" ]; then \
		echo "gofmt -l: these files need gofmt -w:"; echo "$$unformatted"; exit 1; \
	fi
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...
	$(MAKE) --no-print-directory lint-openapi

## lint-openapi: Redocly CLI (recommended rules, .redocly.yaml) and Spectral
## (spectral:oas, .spectral.yaml) over api/openapi.yaml; a warning fails too
lint-openapi: $(LINT_STAMP)
	@out=$$(REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true \
		$(TOOLS)/node_modules/.bin/redocly lint --config .redocly.yaml $(OPENAPI) 2>&1); status=$$?; \
	echo "$$out"; \
	if [ $$status -ne 0 ] || echo "$$out" | grep -q 'You have [0-9]* warning'; then exit 1; fi
	$(TOOLS)/node_modules/.bin/spectral lint --ruleset .spectral.yaml --fail-severity warn $(OPENAPI)

$(LINT_STAMP):
	@command -v npm >/dev/null || { echo "make lint-openapi needs node and npm (apt-get install nodejs npm)"; exit 1; }
	rm -rf $(TOOLS) && mkdir -p $(TOOLS)
	SCARF_ANALYTICS=false npm install --prefix $(TOOLS) --no-save --no-audit --no-fund --ignore-scripts $(REDOCLY) $(SPECTRAL)
	touch $@

## migrate: bring the run database's schema up to date
migrate: build
	$(DEVDB) exec --app run -- $(BIN) migrate

## bench: Go benchmarks against a private test cluster (or DATABASE_URL); the
## registry's fills a database with 1,000,000 resolutions first (a minute or
## two), or reads TAAHOD_BENCH_DATABASE_URL filled by scripts/registry_bench_data.sql.
## Then expenditure submission over HTTP against pgbench (scripts/bench-submit).
bench:
	scripts/need-tools
	$(DEVDB) exec test -- $(GO) test -run '^$$' -bench . -benchmem -timeout 30m ./...
	$(DEVDB) exec test -- scripts/bench-submit

## screenshots: PNGs of every web page (web/pages_table_test.go), signed in
## as its role over demo-like data, 1280 and 390 px wide, whole page, into
## docs/screenshots/NAME-1280.png and NAME-390.png (chromium, test cluster)
screenshots:
	scripts/need-tools
	rm -f docs/screenshots/*.png
	$(DEVDB) exec test -- env TAAHOD_SCREENSHOTS=$(CURDIR)/docs/screenshots $(GO) test -count=1 -run '^TestScreenshots$$' ./web/

## clean: remove build and test output (keeps data/ and the clusters: see db-reset)
clean:
	rm -rf bin coverage*

## db-start: start the run cluster and keep it up (prints DATABASE_URL)
db-start:
	$(DEVDB) start run

## db-stop: stop this checkout's private clusters (run and test)
db-stop:
	$(DEVDB) stop all

## db-status: show this checkout's private clusters
db-status:
	$(DEVDB) status

## db-reset: stop and DELETE this checkout's private clusters and their data
db-reset:
	$(DEVDB) reset all

## psql: psql into the run database
psql:
	$(DEVDB) psql run
