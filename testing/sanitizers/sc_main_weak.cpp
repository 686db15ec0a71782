// SPDX-License-Identifier: MIT
// testing/sanitizers/sc_main_weak.cpp: in a sanitizer build only
// (cmake/RxpathSanitize.cmake, with -Wl,--undefined=sc_main), a weak
// sc_main for the executables that have none: the plain Boost tests that
// link SystemC only through a library (waves_test). In the Release build
// --as-needed drops libsystemc from them; the sanitizers' instrumentation
// makes the linker keep it, and then its reference to sc_main must resolve.
// Never called (those tests have Boost's main); a real sc_main wins.
extern "C" int sc_main(int argc, char* argv[]) __attribute__((weak));
extern "C" int sc_main(int, char*[]) { return 1; }
