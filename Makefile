# rxpath: the two commands of the README, and a few conveniences.
#   make run    install what is missing, build (Release, ccache), run the default scenario
#   make test   install what is missing, build, run every test through CTest
BUILD ?= build
JOBS  ?= $(shell nproc)
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=Release

.PHONY: all deps configure build run test lint bench docs same-outputs clean

all: build

deps:
	./scripts/install-deps

configure: deps
	cmake -S . -B $(BUILD) $(CMAKE_FLAGS)

build: configure
	cmake --build $(BUILD) -j $(JOBS)

run: build
	./scripts/run-default $(BUILD)

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

lint: configure
	cmake --build $(BUILD) --target lint

bench: build
	cmake --build $(BUILD) --target bench

docs: configure
	cmake --build $(BUILD) --target docs

# Every rxpath output byte for byte against revision REV (refactorings).
REV ?= HEAD
same-outputs: build
	./scripts/same-outputs $(REV) $(BUILD)

clean:
	rm -rf $(BUILD)
