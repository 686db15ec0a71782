// SPDX-License-Identifier: Apache-2.0
// stack/process.hpp: the user process: a Task on a CPU that loops on
// epoll_wait / select / poll / blocking recv over its sockets and recv()s
// everything ready, reporting every message through a callback.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "stack/kernel.hpp"

namespace rxpath::stack {

enum class WaitMode { epoll, epoll_et, select, poll, blocking_recv };
// Parses "epoll", "epoll-et", "select", "poll", "recv"; throws naming the value.
WaitMode parse_wait_mode(const std::string& s);

struct UserProcessConfig {
  std::string name = "reader";
  int cpu = 0;
  WaitMode mode = WaitMode::epoll;
  std::vector<int> fds;       // sockets to read
  std::vector<int> idle_fds;  // watched but never expected to be ready
  size_t recv_size = 65536;   // bytes asked per recvmsg
  int maxevents = 64;
};

class UserProcess {
 public:
  using delivery_cb_t = std::function<void(const Delivery&)>;
  UserProcess(Kernel& k, UserProcessConfig cfg, delivery_cb_t on_delivery = {});
  // The task exits (CpuEngine::exit_task): the loop and the callback never
  // run again. Destroy it before its Kernel, and not from its own callback.
  ~UserProcess();
  UserProcess(const UserProcess&) = delete;
  UserProcess& operator=(const UserProcess&) = delete;
  uint64_t messages() const { return messages_; }
  uint64_t bytes() const { return bytes_; }
  uint64_t wakeups() const { return wakeups_; }
  Task& task() { return *task_; }
  // Stops the loop at its next wakeup.
  void stop() { stop_ = true; }

 private:
  void run(Task& t);
  void drain(int fd);
  void user_work(int fd, std::vector<uint8_t>& buf, uint64_t trace, const PeerAddr& from);
  RXPATH_TRACE_COLD void trace_user_work(bool begin);
  Kernel& k_;
  UserProcessConfig cfg_;
  delivery_cb_t cb_;
  Task* task_ = nullptr;
  bool stop_ = false;
  uint64_t messages_ = 0, bytes_ = 0, wakeups_ = 0;
};

}  // namespace rxpath::stack
