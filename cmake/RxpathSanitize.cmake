# RXPATH_SANITIZE=ON: AddressSanitizer + UndefinedBehaviorSanitizer on every
# target this project compiles (our code, its tests and the Verilated models);
# libraries from Debian (SystemC, Boost, libpcap) stay uninstrumented. `make
# sanitize` builds it in its own folder (build-san) and runs it with the
# options and suppressions of testing/sanitizers/.
#
# Optimisation: -O1 for our code (the level ASan's documentation suggests:
# readable reports, a tolerable slowdown). The Verilated models keep the -O2/-O3
# their own target_compile_options give (these come after the directory's
# options and win), so a sanitized co-simulation stays usable. -g1: line
# tables for the reports at a fraction of -g's compile time.
#
# Directory-wide (add_compile_options) on purpose: a sanitizer must reach
# every object of an executable, and the option is off unless asked for.
option(RXPATH_SANITIZE "Build with -fsanitize=address,undefined (make sanitize)" OFF)
if(RXPATH_SANITIZE)
  set(_rxpath_san -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  # -Wno-maybe-uninitialized: GCC 12's flow analysis on sanitizer-instrumented
  # code warns inside libstdc++ (std::regex's std::function in
  # outputs_test.cpp), which RXPATH_WERROR would make an error; the Release
  # build keeps the warning.
  add_compile_options(${_rxpath_san} -O1 -g1 -Wno-maybe-uninitialized)
  add_link_options(${_rxpath_san})
  # Every sc_core::sc_start tells ASan the main stack is back once it returns
  # (testing/sanitizers/sc_start_wrap.cpp says why). A static library: only
  # an executable that calls sc_start pulls the wrapper in.
  # With it, a weak sc_main for executables without one that still link
  # libsystemc (testing/sanitizers/sc_main_weak.cpp says why).
  add_library(rxpath_sc_start_wrap STATIC ${PROJECT_SOURCE_DIR}/testing/sanitizers/sc_start_wrap.cpp
              ${PROJECT_SOURCE_DIR}/testing/sanitizers/sc_main_weak.cpp)
  add_link_options(-Wl,--undefined=sc_main)
  set(_rxpath_sc_start _ZN7sc_core8sc_startERKNS_7sc_timeENS_20sc_starvation_policyE _ZN7sc_core8sc_startEv)
  foreach(_sym ${_rxpath_sc_start})
    add_link_options(-Wl,--wrap=${_sym})
  endforeach()
  link_libraries(rxpath_sc_start_wrap)
  message(STATUS "rxpath: ASan + UBSan build (RXPATH_SANITIZE)")

  # Verilator's output and runtime (the models rxpath_vnic*, which compile
  # GTKWave's FST writer and its compressors inside verilated_fst_c.cpp) and
  # waves/' copy of fstapi.c, fastlz.c, lz4.c are not our code: their UBSan
  # checks may recover, so that testing/sanitizers/ubsan.supp can silence a
  # report there (a check built not to recover ends the program even when
  # suppressed). halt_on_error=1 (with-env) still stops at anything not
  # suppressed. Set once every folder is read (the targets exist then).
  cmake_language(DEFER DIRECTORY ${PROJECT_SOURCE_DIR} CALL _rxpath_sanitize_fst_recover)
endif()

function(_rxpath_sanitize_fst_recover)
  set_property(TARGET rxpath_vnic rxpath_vnic_q4 rxpath_vnic_q8 APPEND PROPERTY COMPILE_OPTIONS
    -fsanitize-recover=undefined)
  set(_fst ${VERILATOR_ROOT}/include/gtkwave)   # as waves/CMakeLists.txt finds it
  if(NOT EXISTS ${_fst}/fstapi.c)
    set(_fst /usr/share/verilator/include/gtkwave)
  endif()
  set_property(SOURCE ${_fst}/fstapi.c ${_fst}/fastlz.c ${_fst}/lz4.c DIRECTORY ${PROJECT_SOURCE_DIR}/waves
    APPEND PROPERTY COMPILE_OPTIONS -fsanitize-recover=undefined)
endfunction()
