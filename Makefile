# rxpath: the two commands of the README, and a few conveniences.
#   make run    install what is missing, build (Release, ccache), run the default scenario
#   make test   install what is missing, build, run every test through CTest
#   make studies  the example studies in full;  make theory  the queueing-theory check in full
#   make labs     every course lab in full (docs/labs/): outputs, pictures, the quoted numbers checked
#   make sanitize  ASan + UBSan build (build-san): every test and a few rxpath scenarios
#   make rtl-matrix  the RTL random test on every AXI width x queue count x packet buffer (build-matrix)
#   make coverage  RTL coverage (build-cov): the RTL tests on --coverage models, line/toggle/cover report
BUILD ?= build
JOBS  ?= $(shell nproc)
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=Release

.PHONY: all deps configure build run test lint bench docs same-outputs studies theory labs clean rtl-matrix

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

# The example studies in full (CI runs short slices of each in its tests):
# results.csv, plots and index.html under $(STUDIES_OUT)/NAME.
STUDIES_OUT ?= out/studies
studies: build
	for s in studies/*.toml; do \
	  $(BUILD)/testbench/rxpath sweep $$s -o $(STUDIES_OUT)/$$(basename $$s .toml) -j $(JOBS) || exit $$?; \
	done

# The theory check of docs/theory/queueing.md in full (20 runs of 60 ms):
# measured loss against M/D/1/K, the plot, and the agreement the page claims.
theory: build
	$(BUILD)/testbench/rxpath sweep studies/queueing-md1k.toml -o $(STUDIES_OUT)/queueing-md1k -j $(JOBS) --no-plot
	/usr/bin/python3 study/queueing.py check $(STUDIES_OUT)/queueing-md1k/results.csv \
	  --scenario-from studies/queueing-md1k.toml --rxpath $(BUILD)/testbench/rxpath \
	  --plot $(STUDIES_OUT)/queueing-md1k/measured-vs-md1k.png --assert 0.02

# The course labs (docs/labs/README.md) in full: every lab's runs under
# $(LABS_OUT), its pictures copied to docs/labs/img/, and the numbers each page
# quotes compared with docs/labs/*.expected.json (LABS_UPDATE=1 rewrites them).
LABS_OUT ?= out/labs
labs: build
	/usr/bin/python3 docs/labs/labs.py run --rxpath $(BUILD)/testbench/rxpath --out $(LABS_OUT) $(if $(LABS_UPDATE),--update)

# Fuzzing (fuzz/README.md): the libFuzzer targets in a clang build of their
# own ($(FUZZ_BUILD): coverage, ASan, UBSan), each run for FUZZ_RUNS
# executions, or FUZZ_SECONDS seconds when set, on a working corpus under
# $(FUZZ_OUT)/TARGET seeded from fuzz/corpus/; findings land there too.
# make fuzz-ci is the short slice CI runs.
FUZZ_BUILD   ?= build-fuzz
FUZZ_TARGETS ?= fuzz_scenario fuzz_pcap fuzz_frame fuzz_frame_rtl
FUZZ_RUNS    ?= 1000000
FUZZ_SECONDS ?=
FUZZ_OUT     ?= out/fuzz
FUZZ_LIMIT    = $(if $(FUZZ_SECONDS),--seconds $(FUZZ_SECONDS),--runs $(FUZZ_RUNS))
FUZZ_CI_TARGETS ?= fuzz_scenario fuzz_pcap fuzz_frame
.PHONY: fuzz-build fuzz fuzz-ci
fuzz-build: deps
	CC=clang-14 CXX=clang++-14 cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRXPATH_FUZZ=ON $(FUZZ_CMAKE_FLAGS)
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target $(FUZZ_TARGETS)

fuzz: fuzz-build
	./fuzz/run $(FUZZ_BUILD) $(FUZZ_OUT) $(FUZZ_LIMIT) --jobs $(JOBS) $(FUZZ_TARGETS)

fuzz-ci:
	$(MAKE) fuzz-build FUZZ_TARGETS="$(FUZZ_CI_TARGETS)"
	./fuzz/run $(FUZZ_BUILD) $(FUZZ_OUT)-ci --seconds 30 --jobs $(JOBS) $(FUZZ_CI_TARGETS)

clean:
	rm -rf $(BUILD)

# The RTL parameter matrix (rtl/tests/CMakeLists.txt, test_nic_matrix.cpp):
# the random traffic test on AXI data widths 64/128/256 x 1/3/8 queues x
# 4/64 KiB packet buffers, and on three models whose initial values are drawn
# at random (--x-initial unique) under several seeds, each cell a model of its
# own in $(MATRIX_BUILD). RTL_MATRIX=ci: the three cells CI runs; or a list,
# e.g. RTL_MATRIX="w64_q8_b4;w256_q1_b64_x". RXPATH_SEEDS / RXPATH_X_SEEDS
# (environment) set how many traffic and initial-value seeds each cell runs.
MATRIX_BUILD ?= build-matrix
RTL_MATRIX   ?= all
rtl-matrix: deps
	cmake -S . -B $(MATRIX_BUILD) -DCMAKE_BUILD_TYPE=Release -DRXPATH_RTL_MATRIX="$(RTL_MATRIX)" $(MATRIX_CMAKE_FLAGS)
	cmake --build $(MATRIX_BUILD) -j $(JOBS) --target rtl_matrix
	cd $(MATRIX_BUILD) && ctest --output-on-failure -j $(JOBS) -L rtl_matrix

# ASan + UBSan (cmake/RxpathSanitize.cmake) in its own build folder: every
# test through CTest, then short rxpath runs (testing/sanitizers/run-scenarios),
# all with the runtime options and suppressions of testing/sanitizers/
# (with-env; README.md there lists what was found). SAN_TARGETS and SAN_CTEST
# narrow it (CI: .ci/run), e.g. SAN_TARGETS="--target rxpath" SAN_CTEST="-L stack".
SAN_BUILD   ?= build-san
SAN_TARGETS ?=
SAN_CTEST   ?=
SAN_WITH    := $(CURDIR)/testing/sanitizers/with-env
.PHONY: sanitize
sanitize: deps
	cmake -S . -B $(SAN_BUILD) -DCMAKE_BUILD_TYPE=Release -DRXPATH_SANITIZE=ON -DRXPATH_WERROR=ON
	cmake --build $(SAN_BUILD) -j $(JOBS) $(SAN_TARGETS)
	$(SAN_WITH) ctest --test-dir $(SAN_BUILD) --output-on-failure -j $(JOBS) $(SAN_CTEST)
	testing/sanitizers/run-scenarios $(SAN_BUILD)

# RTL coverage (rtl/README.md, "Coverage") in its own build folder: the
# Verilated models with --coverage (line, toggle and the named cover
# points), the RTL tests (CTest label rtl) built and run, each model
# writing its counts to $(COV_BUILD)/coverage/dat, then rtl/coverage/report.py
# merges them, annotates the sources ($(COV_BUILD)/coverage/annotated) and
# writes $(COV_BUILD)/coverage/report.md. It fails when line coverage of
# rtl/ is below COV_MIN_LINE percent or a cover point was never hit
# (COV_REPORT_ONLY=1: report only). The quiescence tests are left out: they
# compare the model's raw state after k clocks with one skipping clock, which
# on a model with coverage takes in the instrumentation's own variables, and
# they run past their time-out there (the coverage models are ~10x slower).
COV_BUILD    ?= build-cov
COV_MIN_LINE ?= 95
COV_DIR       = $(CURDIR)/$(COV_BUILD)/coverage
.PHONY: coverage
coverage: deps
	cmake -S . -B $(COV_BUILD) -DCMAKE_BUILD_TYPE=Release -DRXPATH_WERROR=ON -DRXPATH_RTL_COVERAGE=ON
	cmake --build $(COV_BUILD) -j $(JOBS) --target \
	  $$(ctest --test-dir $(COV_BUILD) -N -L rtl -E quiescent | sed -n 's/^ *Test *#[0-9]*: //p')
	rm -rf $(COV_DIR) && mkdir -p $(COV_DIR)/dat
	RXPATH_COVERAGE_DIR=$(COV_DIR)/dat ctest --test-dir $(COV_BUILD) --output-on-failure -j $(JOBS) -L rtl -E quiescent
	/usr/bin/python3 rtl/coverage/report.py --dat-dir $(COV_DIR)/dat --out $(COV_DIR) --src rtl \
	  --min-line $(COV_MIN_LINE) $(if $(COV_REPORT_ONLY),--report-only)
