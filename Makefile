# ScraperSky-Go. `make run` starts the service, `make test` runs everything.
GO        ?= go
BIN       := bin/scrapersky
PKGS      := ./...
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2

.PHONY: all build run test test-unit test-faults soak postgres chromium lint fmt vet staticcheck bench fuzz mutate clean

all: build

build:
	$(GO) build -o $(BIN) ./apps/scrapersky

## run: the service in development mode (dev token, text logs) with workers.
run: build
	./scripts/run-dev.sh

## test: formatting, vet and every test with -race, real Postgres included;
## then the 50 MB sitemap stream, which skips under -race (twenty times slower).
test: postgres chromium fmt vet
	$(GO) test -race -count=1 -timeout 15m $(PKGS)
	$(GO) test -count=1 -run '^TestRealCapOnAGigabyteStream$$' ./adapters/scraper/sitemap/

## test-unit: the tests that need no Postgres.
test-unit:
	SCRAPERSKY_SKIP_POSTGRES=1 SCRAPERSKY_SKIP_BROWSER=1 $(GO) test -race -count=1 $(PKGS)

## test-faults: restarts a throwaway PostgreSQL cluster (never the shared
## server) under scans in flight; about a minute, so not part of `test`.
test-faults: postgres
	$(GO) vet -tags faults ./apps/scrapersky
	$(GO) test -race -tags faults -count=1 -timeout 10m -run TestScansSurviveDatabaseRestarts ./apps/scrapersky

## soak: concurrent PUTs, listings and /metrics scrapes on 500,000 domains
## (SOAK_SECONDS per phase); prints p50/p99 per route.
soak: postgres build
	./bench/soak.sh

postgres:
	./scripts/ensure-postgres.sh

chromium:
	./scripts/ensure-chromium.sh

fmt:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet $(PKGS)

staticcheck:
	$(GO) run $(STATICCHECK) $(PKGS)

lint: fmt vet staticcheck

## bench: the benchmarks (Postgres needed), printed with the ratios under bench/.
bench: postgres
	./bench/update_ratio.sh
	$(GO) test -run '^$$' -bench . -benchmem ./core/... ./adapters/...

## mutate: apply scripts/mutations.txt one breakage at a time to a scratch
## copy and report which the tests catch (slow; not part of test).
mutate: postgres
	./scripts/mutate.sh

fuzz:
	$(GO) test -run '^$$' -fuzz FuzzNormalizeDomain -fuzztime 30s ./core/

clean:
	rm -rf bin
