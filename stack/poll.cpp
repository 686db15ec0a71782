// SPDX-License-Identifier: Apache-2.0
// stack/poll.cpp: the syscalls of the user process: recvmsg
// (net/socket.c, udp_recvmsg, tcp_recvmsg), select/poll (fs/select.c) and
// epoll (fs/eventpoll.c), with per-call work counters and CPU time charged
// in proportion to the work.
#include <algorithm>
#include <stdexcept>

#include "stack/internal.hpp"

namespace rxpath::stack {

namespace {
constexpr unsigned POLLIN_SET = EPOLLIN | EPOLLRDNORM | EPOLLRDBAND | EPOLLHUP | EPOLLERR;
constexpr unsigned EP_PRIVATE_BITS = EPOLLONESHOT | EPOLLET;

Task& current_task_checked(const char* what) {
  Cpu& c = current_cpu();
  if (!c.current_task()) throw std::logic_error(std::string(what) + ": must be called from a user task");
  return *c.current_task();
}

struct poll_wqueues {
  Task* task;
  bool triggered = false;
  Kernel::PollStats* stats;
  const CostTable* cost;
  Kernel* k;
};

// Tracing: a stage of the packet whose enqueue runs this wakeup
// (TraceHub::wake_id): "<what><fd or task>".
RXPATH_TRACE_COLD void trace_wake_stage(Kernel& k, const char* name, const char* what, const std::string& who) {
  TraceHub* th = k.trace_hub();
  if (!th || !have_current_cpu()) return;
  Cpu& c = current_cpu();
  uint64_t id = th->wake_id[c.id()];
  if (th->wants_id(id)) th->stage(id, name, c.id(), c.effective_time(), nullptr, what + who);
}

// Tracing: the syscall `name` returns `fd` ready: a stage for each traced
// packet waiting in its receive queue (the ones the next recv()s get).
RXPATH_TRACE_COLD void trace_ready_stages(Kernel& k, const char* name, int fd, const std::string& detail) {
  TraceHub* th = k.trace_hub();
  if (!th) return;
  Cpu& c = current_cpu();
  int n = 0;
  const sock* sk = k.sock_of(fd);
  for (const sk_buff_head* q : {&sk->reader_queue, &sk->sk_receive_queue})  // in the order recv() takes them
    for (const sk_buff* skb = q->first; skb && n < 64; skb = skb->next, ++n)
      if (th->wants(skb)) th->stage(skb->trace_id, name, c.id(), c.effective_time(), skb, detail);
}

// pollwake / __pollwake (fs/select.c)
int pollwake(wait_queue_entry* e, unsigned mode, int sync, void* key) {
  auto* pwq = static_cast<poll_wqueues*>(e->private_);
  unsigned k = static_cast<unsigned>(reinterpret_cast<uintptr_t>(key));
  ++pwq->stats->callbacks;
  if (have_current_cpu()) current_cpu().defer(pwq->cost->pollwake);
  if (k && !(k & POLLIN_SET)) return 0;
  if (pwq->k->trace_hub()) trace_wake_stage(*pwq->k, "pollwake", "wakes ", pwq->task->name());
  RXS_DBG(poll, "pollwake: wakes " << pwq->task->name());
  pwq->triggered = true;
  return wake_up_process(pwq->task) ? 1 : 0;
}
}  // namespace

// sk_wait_data (net/core/sock.c): sleep on sk_wq until readable.
static void sk_wait_data(Kernel& k, Task& t, sock* sk) {
  Cpu& c = t.cpu();
  wait_queue_entry e;
  e.func = default_wake_function;
  e.private_ = &t;
  add_wait_queue(&sk->sk_wq, &e);
  c.defer(k.cost().waitq_add);
  t.set_state(TaskState::interruptible);
  if (!sock_poll(sk) && !sk->sk_backlog.qlen)
    t.schedule();
  else
    t.set_state(TaskState::running);
  remove_wait_queue(&sk->sk_wq, &e);
  c.defer(k.cost().waitq_remove);
}

void Kernel::trace_recvmsg(const char* name, sock* sk, const sk_buff* skb, size_t n, uint32_t off) {
  trace_sock_now(sk);
  if (off == UINT32_MAX)
    trace_stagef(name, skb, "fd %d %zu bytes", sk->fd, n);
  else
    trace_stagef(name, skb, "fd %d %zu bytes at offset %u", sk->fd, n, off);
}

// recvmsg (net/socket.c -> udp_recvmsg / tcp_recvmsg). With a tracer: one
// "recvmsg" span per call on the reader's CPU.
long Kernel::sys_recvmsg(int fd, std::vector<uint8_t>& out, size_t max, bool dontwait, uint64_t* trace_id,
                         PeerAddr* from) {
  Task& t = current_task_checked("recvmsg");
  Cpu& c = t.cpu();
  TraceSpan span(th_, c, "recvmsg");
  sock* sk = sock_of(fd);
  if (c.debt_ns() > cfg_.max_defer_ns) c.sync();  // a busy reader still advances in time
  c.defer(cost_.syscall + cost_.recvmsg);
  out.clear();
  if (sk->protocol == IPPROTO_UDP_) {
    // udp_recvmsg -> __skb_recv_udp: one datagram, truncated to max, from
    // the reader queue; when that is empty, the receive queue is spliced
    // into it whole (one lock for a batch). The datagram's memory goes back
    // as it is dequeued (udp_skb_destructor).
    sk_buff* skb;
    size_t n;
    for (;;) {  // try_again
      for (;;) {
        if (!sk->reader_queue.qlen) skb_queue_splice_tail_init(&sk->sk_receive_queue, &sk->reader_queue);
        if ((skb = __skb_dequeue(&sk->reader_queue))) break;
        if (dontwait) return -11;  // EAGAIN
        sk_wait_data(*this, t, sk);
      }
      udp_rmem_release(sk, skb->truesize);
      n = std::min<size_t>(max, skb->len);
      // A checksum softirq left unverified is checked here: a truncated
      // datagram before the copy (__udp_lib_checksum_complete), a whole one
      // while it is copied (skb_copy_and_csum_datagram_msg), so its copy is
      // paid for even when the sum turns out bad.
      if (skb->ip_summed == CHECKSUM_UNNECESSARY || !udp_lib_checksum_complete(c, cost_, skb)) break;
      if (n == skb->len) c.defer(cost_.copy_per_byte * n);  // copied before the sum came out bad
      // csum_copy_err: __sk_queue_drop_skb counts the drop in sk_drops; the
      // datagram counts in InCsumErrors and InErrors and is freed; then
      // try_again: the next datagram, or EAGAIN / back to sleep for a reader
      // that was woken for this one. v6.8 frees it with kfree_skb (reason
      // NOT_SPECIFIED); the model gives UDP_CSUM, where the frame is counted.
      ++sk->sk_drops;
      ++udp.InCsumErrors;
      ++udp.InErrors;
      RXS_DBG(sock, "udp recvmsg fd " << fd << " checksum error, trace " << skb->trace_id);
      kfree_skb_reason(skb, Drop::UDP_CSUM);
    }
    out.resize(n);
    if (n) skb_copy_bits(skb, 0, out.data(), static_cast<unsigned>(n));
    c.defer(cost_.copy_per_byte * n + cost_.skb_free);
    ++udp.InDatagrams;
    delivered_ += skb->frames;
    ++sk->delivered_msgs;
    sk->delivered_bytes += n;
    if (trace_id) *trace_id = skb->trace_id;
    if (from && skb->network_header != 0xFFFF && skb->transport_header != 0xFFFF) {  // msg_name: sin_addr, sin_port
      from->addr = get_unaligned_be32(skb->network_ptr() + 12);
      from->port = get_unaligned_be16(skb->transport_ptr());
    }
    RXS_DBG(sock, "udp recvmsg fd " << fd << " " << n << " bytes trace " << skb->trace_id);
    if (th_) trace_recvmsg("udp_recvmsg", sk, skb, n, UINT32_MAX);
    __kfree_skb(skb);
    return static_cast<long>(n);  // costs are paid at the next sync (sleep or visible effect)
  }
  // tcp_recvmsg: bytes from copied_seq, across skbs; socket owned meanwhile;
  // tcp_cleanup_rbuf at the end and before sleeping.
  lock_sock(sk);
  size_t copied = 0;
  bool first = true;
  while (copied < max) {
    sk_buff* skb = sk->sk_receive_queue.first;
    if (!skb) {
      if (sk->sk_backlog.qlen) {
        release_sock(sk);
        lock_sock(sk);
        continue;
      }
      if (copied) break;
      if (dontwait || sk->state != TcpState::ESTABLISHED) {
        tcp_cleanup_rbuf(sk, 0);  // tcp_recvmsg_locked's end, with nothing copied
        release_sock(sk);
        c.sync();
        return sk->state != TcpState::ESTABLISHED ? 0 : -11;
      }
      tcp_cleanup_rbuf(sk, 0);  // before sk_wait_data
      release_sock(sk);
      sk_wait_data(*this, t, sk);
      lock_sock(sk);
      continue;
    }
    uint32_t off = sk->copied_seq - skb->cb.seq;
    if (off < skb->len) {
      size_t n = std::min<size_t>(max - copied, skb->len - off);
      out.resize(copied + n);
      skb_copy_bits(skb, off, out.data() + copied, static_cast<unsigned>(n));
      if (th_) trace_recvmsg("tcp_recvmsg", sk, skb, n, off);
      if (first && trace_id) *trace_id = skb->trace_id;
      first = false;
      copied += n;
      sk->copied_seq += static_cast<uint32_t>(n);
      off += static_cast<uint32_t>(n);
    }
    if (off >= skb->len) {
      __skb_unlink(skb, &sk->sk_receive_queue);
      sk->sk_rmem_alloc -= skb->truesize;
      delivered_ += skb->frames;
      c.defer(cost_.skb_free);
      __kfree_skb(skb);
      if (th_) trace_sock_now(sk);
    }
  }
  c.defer(cost_.copy_per_byte * copied);
  // tcp_cleanup_rbuf: the ACK a read makes due goes from the reader's CPU.
  tcp_cleanup_rbuf(sk, static_cast<long>(copied));
  c.sync();
  release_sock(sk);
  sk->delivered_bytes += copied;
  ++sk->delivered_msgs;
  RXS_DBG(sock, "tcp recvmsg fd " << fd << " " << copied << " bytes");
  c.sync();
  return static_cast<long>(copied);
}

// A syscall that waits for ready fds: its span (TraceSpan), and with its
// result (ret(), the call's last act) a stage named after it for the traced
// packets queued on each ready fd.
namespace {
class ReadySpan : public TraceSpan {
 public:
  ReadySpan(Kernel& k, Cpu& c, const char* name) : TraceSpan(k.trace_hub_ref(), c, name) {
    if (active()) k_ = &k;
  }
  // select / poll: `ready` of `polled` fds.
  void ret(const std::vector<int>& ready, size_t polled) {
    if (active()) ready_stages(ready, polled);
  }
  // epoll_wait: the events returned.
  void ret(const std::vector<std::pair<int, unsigned>>& events) {
    if (active()) ready_stages(events);
  }

 private:
  RXPATH_TRACE_COLD void ready_stages(const std::vector<int>& ready, size_t polled);
  RXPATH_TRACE_COLD void ready_stages(const std::vector<std::pair<int, unsigned>>& events);
  Kernel* k_;  // set when active
};

void ReadySpan::ready_stages(const std::vector<int>& ready, size_t polled) {
  if (!hub_now()) return;
  for (int fd : ready)
    trace_ready_stages(*k_, func(), fd,
                       "returns fd " + std::to_string(fd) + " ready, " + std::to_string(ready.size()) + " of " +
                           std::to_string(polled));
}

void ReadySpan::ready_stages(const std::vector<std::pair<int, unsigned>>& events) {
  if (!hub_now()) return;
  for (auto& e : events)
    trace_ready_stages(
        *k_, func(), e.first,
        "returns fd " + std::to_string(e.first) + " ready, " + std::to_string(events.size()) + " events");
}
}  // namespace

// do_select / do_poll (fs/select.c): every fd polled on every pass; wait
// entries added on the first pass only, removed by poll_freewait. With a
// tracer: a span named after the syscall, and on return a stage ("select" /
// "poll") for the traced packets queued on each ready fd.
static std::vector<int> do_poll(Kernel& k, const std::vector<int>& fds, double timeout_ns, Kernel::PollStats& S,
                                const char* what) {
  Task& t = current_task_checked(what);
  Cpu& c = t.cpu();
  ReadySpan span(k, c, what);
  const CostTable& cost = k.cost();
  ++S.calls;
  double ns = cost.syscall;
  struct entry {
    wait_queue_entry wait;
    sock* sk;
  };
  std::vector<entry> table;
  table.reserve(fds.size());
  poll_wqueues pwq{&t, false, &S, &cost, &k};
  std::vector<int> ready;
  bool qproc = true, timed_out = false;
  unsigned pass = 0;
  size_t entries = 0;  // wait entries before this pass
  for (;;) {
    for (int fd : fds) {
      sock* sk = k.sock_of(fd);
      ++S.fds_polled;
      ns += cost.vfs_poll;
      if (qproc) {  // __pollwait
        table.push_back(entry{});
        entry& e = table.back();
        e.sk = sk;
        e.wait.func = pollwake;
        e.wait.private_ = &pwq;
        add_wait_queue(&sk->sk_wq, &e.wait);
        ++S.waitq_add;
        ns += cost.waitq_add;
      }
      if (sock_poll(sk) & EPOLLIN) {
        ready.push_back(fd);
        qproc = false;
      }
    }
    ++pass;
    RXS_DBG(poll, "cpu" << c.id() << " " << what << " " << t.name() << " pass " << pass << ": " << fds.size()
                        << " fds polled (vfs_poll), " << ready.size() << " ready, " << table.size() - entries
                        << " wait entries added (__pollwait)");
    entries = table.size();
    qproc = false;
    c.defer(ns);
    S.ns_charged += static_cast<uint64_t>(ns);
    ns = 0;
    if (!ready.empty() || timed_out) break;
    RXS_DBG(poll, "cpu" << c.id() << " " << what << " " << t.name() << ": nothing ready, sleeps");
    t.set_state(TaskState::interruptible);
    if (!pwq.triggered) {
      if (!t.schedule(timeout_ns)) timed_out = true;
    } else {
      t.set_state(TaskState::running);
    }
    pwq.triggered = false;
    ++S.wakeups;
    ++S.rescans;
  }
  for (entry& e : table) {  // poll_freewait
    remove_wait_queue(&e.sk->sk_wq, &e.wait);
    ++S.waitq_remove;
    ns += cost.waitq_remove;
  }
  c.defer(ns);
  S.ns_charged += static_cast<uint64_t>(ns);
  S.ready_returned += ready.size();
  RXS_DBG(poll, "cpu" << c.id() << " " << what << " " << t.name() << " returns " << ready.size() << " ready"
                      << (timed_out ? " (timed out)" : "") << ", " << table.size()
                      << " wait entries removed (poll_freewait)");
  c.sync();
  span.ret(ready, fds.size());
  return ready;
}

std::vector<int> Kernel::sys_select(const std::vector<int>& fds, double timeout_ns) {
  for (int fd : fds)
    if (fd >= 1024) throw std::invalid_argument("select: fd " + std::to_string(fd) + " >= FD_SETSIZE 1024");
  return do_poll(*this, fds, timeout_ns, select_stats, "select");
}

std::vector<int> Kernel::sys_poll(const std::vector<int>& fds, double timeout_ns) {
  return do_poll(*this, fds, timeout_ns, poll_stats, "poll");
}

std::vector<std::pair<std::string, uint64_t>> Kernel::wait_counters() const {
  std::vector<std::pair<std::string, uint64_t>> v;
  auto scan = [&v](const std::string& m, const char* call, const PollStats& S) {
    v.emplace_back(m + "." + call, S.calls);
    v.emplace_back(m + ".vfs_poll", S.fds_polled);
    v.emplace_back(m + ".__pollwait", S.waitq_add);
    v.emplace_back(m + ".pollwake", S.callbacks);
    v.emplace_back(m + ".poll_schedule_timeout", S.wakeups);
  };
  scan("select", "do_select", select_stats);
  scan("poll", "do_sys_poll", poll_stats);
  const PollStats& E = epoll_stats;
  v.emplace_back("epoll.ep_insert", E.waitq_add);
  v.emplace_back("epoll.do_epoll_wait", E.calls);
  v.emplace_back("epoll.ep_poll_callback", E.callbacks);
  v.emplace_back("epoll.ep_item_poll", E.items_polled);
  v.emplace_back("epoll.ep_send_events", E.ready_returned);
  v.emplace_back("epoll.schedule_hrtimeout_range", E.wakeups);
  return v;
}

// ---- epoll ------------------------------------------------------------------
struct EpollCtx {
  Kernel* k;
};

// ep_poll_callback (fs/eventpoll.c)
static int ep_poll_callback(wait_queue_entry* wait, unsigned mode, int sync, void* key) {
  auto* epi = reinterpret_cast<epitem*>(wait);  // wait is the first member
  eventpoll* ep = epi->ep;
  Kernel* k = static_cast<Kernel*>(epi->wait.private_);
  unsigned kmask = static_cast<unsigned>(reinterpret_cast<uintptr_t>(key));
  ++ep->callbacks;
  ++k->epoll_stats.callbacks;
  if (have_current_cpu()) current_cpu().defer(k->cost().ep_poll_callback);
  k->epoll_stats.ns_charged += static_cast<uint64_t>(k->cost().ep_poll_callback);
  if (!(epi->events & ~EP_PRIVATE_BITS)) return 0;  // disabled by EPOLLONESHOT
  if (kmask && !(kmask & epi->events)) return 0;
  if (k->trace_hub())
    trace_wake_stage(*k, "ep_poll_callback", ep->wq.active() ? "wakes epoll_wait, fd " : "fd ",
                     std::to_string(epi->fd));
  RXS_DBG(epoll, "ep_poll_callback fd " << epi->fd
                                        << (epi->on_rdllist ? " (already on the ready list)" : " -> ready list")
                                        << (ep->wq.active() ? ", wakes epoll_wait" : ""));
  if (!epi->on_rdllist) {
    ep->rdllist.push_back(epi);
    epi->on_rdllist = true;
  }
  if (ep->wq.active()) __wake_up(&ep->wq, 1, sync, nullptr);
  return 1;
}

static eventpoll* ep_of(Kernel::Impl& impl, int epfd) {
  if (epfd < 0 || static_cast<size_t>(epfd) >= impl.files.size() || !impl.files[epfd].ep)
    throw std::invalid_argument("no epoll instance with fd " + std::to_string(epfd));
  return impl.files[epfd].ep;
}

int Kernel::sys_epoll_create() {
  impl_->eps.push_back(std::make_unique<eventpoll>());
  impl_->files.push_back(file{nullptr, impl_->eps.back().get()});
  return static_cast<int>(impl_->files.size()) - 1;
}

static void ep_queue_if_ready(Kernel& k, epitem* epi) {
  if ((sock_poll(epi->sk) & epi->events) && !epi->on_rdllist) {
    epi->ep->rdllist.push_back(epi);
    epi->on_rdllist = true;
    if (epi->ep->wq.active()) __wake_up(&epi->ep->wq, 1, 0, nullptr);
  }
}

// ep_insert (fs/eventpoll.c): one wait entry on the socket for good.
void Kernel::sys_epoll_ctl_add(int epfd, int fd, unsigned events) {
  eventpoll* ep = ep_of(*impl_, epfd);
  sock* sk = sock_of(fd);
  if (ep->items.count(fd))
    throw std::invalid_argument("epoll_ctl ADD: fd " + std::to_string(fd) + " already added (EEXIST)");
  auto epi = std::make_unique<epitem>();
  epi->ep = ep;
  epi->fd = fd;
  epi->sk = sk;
  epi->events = events | EPOLLERR | EPOLLHUP;
  epi->wait.func = ep_poll_callback;
  epi->wait.private_ = this;
  add_wait_queue(&sk->sk_wq, &epi->wait);
  epitem* raw = epi.get();
  ep->items.emplace(fd, std::move(epi));
  ++epoll_stats.waitq_add;
  RXS_DBG(epoll, "epoll_ctl ADD epfd " << epfd << " fd " << fd << " events 0x" << std::hex << events << std::dec
                                       << " (ep_insert: one wait entry on the socket)");
  if (have_current_cpu() && current_cpu().current_task()) current_cpu().defer(cost_.syscall + cost_.waitq_add);
  ep_queue_if_ready(*this, raw);
}

void Kernel::sys_epoll_ctl_mod(int epfd, int fd, unsigned events) {
  eventpoll* ep = ep_of(*impl_, epfd);
  auto it = ep->items.find(fd);
  if (it == ep->items.end())
    throw std::invalid_argument("epoll_ctl MOD: fd " + std::to_string(fd) + " not added (ENOENT)");
  it->second->events = events | EPOLLERR | EPOLLHUP;
  RXS_DBG(epoll, "epoll_ctl MOD epfd " << epfd << " fd " << fd << " events 0x" << std::hex << events << std::dec);
  if (have_current_cpu() && current_cpu().current_task()) current_cpu().defer(cost_.syscall);
  ep_queue_if_ready(*this, it->second.get());
}

void Kernel::sys_epoll_ctl_del(int epfd, int fd) {
  eventpoll* ep = ep_of(*impl_, epfd);
  auto it = ep->items.find(fd);
  if (it == ep->items.end())
    throw std::invalid_argument("epoll_ctl DEL: fd " + std::to_string(fd) + " not added (ENOENT)");
  epitem* epi = it->second.get();
  remove_wait_queue(&epi->sk->sk_wq, &epi->wait);
  ++epoll_stats.waitq_remove;
  RXS_DBG(epoll, "epoll_ctl DEL epfd " << epfd << " fd " << fd);
  if (epi->on_rdllist) ep->rdllist.erase(std::find(ep->rdllist.begin(), ep->rdllist.end(), epi));
  ep->items.erase(it);
  if (have_current_cpu() && current_cpu().current_task()) current_cpu().defer(cost_.syscall + cost_.waitq_remove);
}

// ep_poll + ep_send_events (fs/eventpoll.c)
// With a tracer: an "epoll_wait" span, and on return an "epoll_wait" stage
// for the traced packets queued on each returned fd.
std::vector<std::pair<int, unsigned>> Kernel::sys_epoll_wait(int epfd, int maxevents, double timeout_ns) {
  Task& t = current_task_checked("epoll_wait");
  Cpu& c = t.cpu();
  ReadySpan span(*this, c, "epoll_wait");
  eventpoll* ep = ep_of(*impl_, epfd);
  if (maxevents < 1) throw std::invalid_argument("epoll_wait: maxevents must be >= 1");
  auto& S = epoll_stats;
  if (c.debt_ns() > cfg_.max_defer_ns) c.sync();
  ++S.calls;
  double ns = cost_.syscall + cost_.epoll_wait;
  std::vector<std::pair<int, unsigned>> res;
  bool timed_out = false;
  uint64_t polled = 0;
  for (;;) {
    if (!ep->rdllist.empty()) {
      std::deque<epitem*> txlist;
      txlist.swap(ep->rdllist);
      while (!txlist.empty()) {
        if (static_cast<int>(res.size()) >= maxevents) break;
        epitem* epi = txlist.front();
        txlist.pop_front();
        epi->on_rdllist = false;
        ++S.items_polled;
        ++polled;
        ns += cost_.ep_item_poll;
        unsigned revents = sock_poll(epi->sk) & epi->events;
        if (!revents) continue;
        res.emplace_back(epi->fd, revents);
        if (epi->events & EPOLLONESHOT) {
          epi->events &= EP_PRIVATE_BITS;
        } else if (!(epi->events & EPOLLET)) {
          ep->rdllist.push_back(epi);  // level-triggered: back on the ready list
          epi->on_rdllist = true;
        }
      }
      // leftovers go back in front
      for (auto it = txlist.rbegin(); it != txlist.rend(); ++it) ep->rdllist.push_front(*it);
      if (!res.empty()) break;
    }
    if (timed_out || timeout_ns == 0) break;
    RXS_DBG(epoll, "cpu" << c.id() << " epoll_wait epfd " << epfd << " " << t.name() << ": ready list empty, sleeps");
    wait_queue_entry w;
    w.func = default_wake_function;
    w.private_ = &t;
    add_wait_queue(&ep->wq, &w);
    t.set_state(TaskState::interruptible);
    c.defer(ns);
    S.ns_charged += static_cast<uint64_t>(ns);
    ns = 0;
    if (ep->rdllist.empty()) {
      if (!t.schedule(timeout_ns)) timed_out = true;
    } else {
      t.set_state(TaskState::running);
    }
    remove_wait_queue(&ep->wq, &w);
    ++S.wakeups;
  }
  c.defer(ns);
  S.ns_charged += static_cast<uint64_t>(ns);
  S.ready_returned += res.size();
  RXS_DBG(epoll, "cpu" << c.id() << " epoll_wait epfd " << epfd << " " << t.name() << " returns " << res.size()
                       << " events" << (timed_out ? " (timed out)" : "") << " after " << polled
                       << " ready-list items polled (ep_item_poll)");
  span.ret(res);
  return res;
}

}  // namespace rxpath::stack
