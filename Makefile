# shiftsim — every target runs on a fresh machine with only Go installed.
GO      ?= go
FUZZTIME ?= 30s

.PHONY: all build test demo bench fuzz lint

all: build test

build:
	$(GO) build -o bin/shiftsim ./cmd/shiftsim

# The whole test suite (what CI runs through .ci/run).
test: lint
	$(GO) test -count=1 -timeout 30m ./...

# The main job on a built-in scenario.
demo:
	$(GO) run ./cmd/shiftsim compare bad-canary

# Engine speed: the reference workload, requests per CPU-second.
bench:
	$(GO) test -run '^$$' -bench . -benchmem -cpu 1 ./sim/ ./alarm/ ./deploy/

# Every parser's fuzz target, FUZZTIME each (go test -fuzz takes one target at a time).
fuzz:
	@set -e; for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
	    echo "== $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg; \
	  done; \
	done

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
