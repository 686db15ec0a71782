// SPDX-License-Identifier: MIT
// testing/sanitizers/sc_start_wrap.cpp: in a sanitizer build only
// (cmake/RxpathSanitize.cmake links every executable with
// -Wl,--wrap=<sc_start>), each sc_core::sc_start tells AddressSanitizer,
// once it returns, that the main thread is back on its own stack.
//
// Why: SystemC 2.3.4 (Debian, QuickThreads coroutines) annotates a switch
// between its threads with __sanitizer_start_switch_fiber only in
// sc_cor_pkg_qt::yield; when a thread ends (returns, or is killed),
// sc_cor_pkg_qt::abort switches to the next coroutine, often the main one,
// without a word. ASan then still believes the main thread runs on the ended
// thread's stack, and the next exception thrown on the main stack cannot
// clear the poison of the frames it unwinds ("WARNING: ASan is ignoring
// requested __asan_handle_no_return ... False positive error reports may
// follow"): a later call reports a stack-use-after-scope that is not one
// (testing/sanitizers/README.md has the report). The scheduler is done when
// sc_start returns, so the main thread's stack (pthread_getattr_np) is the
// right one to name there.
#include <pthread.h>

#include <cstddef>

extern "C" {
void __sanitizer_start_switch_fiber(void** fake_stack_save, const void* bottom, size_t size);
void __sanitizer_finish_switch_fiber(void* fake_stack_save, const void** bottom_old, size_t* size_old);

// sc_core::sc_start(const sc_time&, sc_starvation_policy) and sc_core::sc_start():
// the reference is a pointer and the enum an int in the ABI.
void __real__ZN7sc_core8sc_startERKNS_7sc_timeENS_20sc_starvation_policyE(const void* duration, int policy);
void __real__ZN7sc_core8sc_startEv();
void __wrap__ZN7sc_core8sc_startERKNS_7sc_timeENS_20sc_starvation_policyE(const void* duration, int policy);
void __wrap__ZN7sc_core8sc_startEv();
}

namespace {
void main_stack_to_asan() {
  pthread_attr_t attr;
  if (pthread_getattr_np(pthread_self(), &attr) != 0) return;
  void* bottom = nullptr;
  size_t size = 0;
  const int rc = pthread_attr_getstack(&attr, &bottom, &size);
  pthread_attr_destroy(&attr);
  if (rc != 0) return;
  void* fake_stack = nullptr;  // kept across the "switch" (no fake stack: detect_stack_use_after_return=0)
  __sanitizer_start_switch_fiber(&fake_stack, bottom, size);
  __sanitizer_finish_switch_fiber(fake_stack, nullptr, nullptr);
}
}  // namespace

void __wrap__ZN7sc_core8sc_startERKNS_7sc_timeENS_20sc_starvation_policyE(const void* duration, int policy) {
  // Also when it throws (an error inside a simulation process, rethrown by
  // the kernel): the handler that catches it must run on a stack ASan knows.
  try {
    __real__ZN7sc_core8sc_startERKNS_7sc_timeENS_20sc_starvation_policyE(duration, policy);
  } catch (...) {
    main_stack_to_asan();
    throw;
  }
  main_stack_to_asan();
}

void __wrap__ZN7sc_core8sc_startEv() {
  // Also when it throws (an error inside a simulation process, rethrown by
  // the kernel): the handler that catches it must run on a stack ASan knows.
  try {
    __real__ZN7sc_core8sc_startEv();
  } catch (...) {
    main_stack_to_asan();
    throw;
  }
  main_stack_to_asan();
}
