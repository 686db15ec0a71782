// SPDX-License-Identifier: MIT
// libsystemc carries a main() that calls sc_main(); libFuzzer's main() is the
// one that runs, but the library still needs the symbol to link. The fuzz
// targets call sc_start() themselves (the simulation context is created on
// first use).
extern "C" int sc_main(int, char**) { return 1; }
