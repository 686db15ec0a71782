// SPDX-License-Identifier: Apache-2.0
// stack/process.cpp: the user process loop (a server reading its sockets).
#include "stack/process.hpp"

#include <stdexcept>

namespace rxpath::stack {

WaitMode parse_wait_mode(const std::string& s) {
  if (s == "epoll") return WaitMode::epoll;
  if (s == "epoll-et") return WaitMode::epoll_et;
  if (s == "select") return WaitMode::select;
  if (s == "poll") return WaitMode::poll;
  if (s == "recv") return WaitMode::blocking_recv;
  throw std::invalid_argument("wait mode: unknown value '" + s + "' (epoll, epoll-et, select, poll, recv)");
}

UserProcess::UserProcess(Kernel& k, UserProcessConfig cfg, delivery_cb_t on_delivery)
    : k_(k), cfg_(std::move(cfg)), cb_(std::move(on_delivery)) {
  if (cfg_.fds.empty()) throw std::invalid_argument("user process " + cfg_.name + ": no fds to read");
  if (cfg_.mode == WaitMode::blocking_recv && cfg_.fds.size() != 1)
    throw std::invalid_argument("user process " + cfg_.name + ": blocking recv reads exactly one fd");
  if (cfg_.recv_size == 0) throw std::invalid_argument("user process " + cfg_.name + ": recv_size must be > 0");
  for (int fd : cfg_.fds) k_.sock_of(fd);
  for (int fd : cfg_.idle_fds) k_.sock_of(fd);
  task_ = &k_.cpus().create_task(cfg_.name, cfg_.cpu, [this](Task& t) { run(t); });
}

UserProcess::~UserProcess() { k_.cpus().exit_task(*task_); }

// The user's processing of one message (a "user_work" span when tracing).
void UserProcess::user_work(int fd, std::vector<uint8_t>& buf, uint64_t trace, const PeerAddr& from) {
  Cpu& c = task_->cpu();
  if (k_.trace_hub()) trace_user_work(true);
  if (k_.cost().user_per_packet > 0) c.charge(k_.cost().user_per_packet);
  if (cb_) {  // hand the bytes over without a copy, then take the buffer back
    Delivery d{fd, c.effective_time(), std::move(buf), trace, from};
    cb_(d);
    buf = std::move(d.bytes);
  }
  if (k_.trace_hub()) trace_user_work(false);
}

void UserProcess::trace_user_work(bool begin) {
  Cpu& c = task_->cpu();
  if (begin)
    k_.trace_hub()->begin(c.id(), "user_work", c.effective_time());
  else
    k_.trace_hub()->end(c.id(), "user_work", c.effective_time());
}

// recv() everything ready on fd (non-blocking until EAGAIN).
void UserProcess::drain(int fd) {
  std::vector<uint8_t> buf;
  for (;;) {
    uint64_t trace = 0;
    PeerAddr from;
    long n = k_.sys_recvmsg(fd, buf, cfg_.recv_size, true, &trace, &from);
    if (n < 0) return;
    if (n == 0 && k_.sock_of(fd)->protocol == IPPROTO_TCP_) return;
    ++messages_;
    bytes_ += static_cast<uint64_t>(n);
    user_work(fd, buf, trace, from);
  }
}

void UserProcess::run(Task& t) {
  std::vector<int> all = cfg_.fds;
  all.insert(all.end(), cfg_.idle_fds.begin(), cfg_.idle_fds.end());
  switch (cfg_.mode) {
    case WaitMode::epoll:
    case WaitMode::epoll_et: {
      int epfd = k_.sys_epoll_create();
      unsigned ev = EPOLLIN | (cfg_.mode == WaitMode::epoll_et ? EPOLLET : 0u);
      for (int fd : all) k_.sys_epoll_ctl_add(epfd, fd, ev);
      while (!stop_) {
        auto evs = k_.sys_epoll_wait(epfd, cfg_.maxevents);
        ++wakeups_;
        for (auto& e : evs) drain(e.first);
      }
      break;
    }
    case WaitMode::select:
    case WaitMode::poll:
      while (!stop_) {
        auto ready = cfg_.mode == WaitMode::select ? k_.sys_select(all) : k_.sys_poll(all);
        ++wakeups_;
        for (int fd : ready) drain(fd);
      }
      break;
    case WaitMode::blocking_recv: {
      std::vector<uint8_t> buf;
      while (!stop_) {
        uint64_t trace = 0;
        PeerAddr from;
        long n = k_.sys_recvmsg(cfg_.fds[0], buf, cfg_.recv_size, false, &trace, &from);
        ++wakeups_;
        // recv() == 0 on TCP: end of stream (the socket left ESTABLISHED);
        // the server stops reading this fd, as it would close it.
        if (n == 0 && k_.sock_of(cfg_.fds[0])->protocol == IPPROTO_TCP_) break;
        if (n < 0) continue;
        ++messages_;
        bytes_ += static_cast<uint64_t>(n);
        user_work(cfg_.fds[0], buf, trace, from);
      }
      break;
    }
  }
}

}  // namespace rxpath::stack
