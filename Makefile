# Front door: `make demo` and `make test` do everything on a fresh Debian machine.
BUILD ?= build
JOBS ?= $(shell nproc)
# samples per benchmark figure (`make bench SAMPLES=11`); bench/run.sh's default when empty
SAMPLES ?=

.PHONY: all deps build demo test bench clean

all: build

deps:
	@scripts/install-deps.sh

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

demo: build
	@scripts/demo.sh $(BUILD)

test: build
	@ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

bench: build
	@bench/run.sh $(BUILD) $(SAMPLES)

clean:
	rm -rf $(BUILD) build-*
