#include "lua/interrupt.h"

#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <mutex>

#include "lua/guest.h"

namespace lockstep::lua::interrupt {
namespace {

// SIGURG: ignored by default, so a stray one harms nothing, and debuggers
// pass it on silently.
constexpr int kSignal = SIGURG;

// Per OS thread, read by the signal handler on the same thread.
thread_local std::atomic<lua_State*> running{nullptr};
thread_local volatile std::sig_atomic_t pending_flag = 0;

void hook(lua_State* L, lua_Debug*) { LuaGuest::of(L).check_clock(L); }

void on_signal(int) {
  const int saved = errno;
  raise_here();
  errno = saved;
}

}  // namespace

void install() {
  static std::once_flag once;
  std::call_once(once, [] {
    struct sigaction action {};
    action.sa_handler = on_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    sigaction(kSignal, &action, nullptr);
  });
}

// A thread keeps its id: asked once per thread (each iteration asks).
int this_thread() {
  thread_local const int tid = static_cast<int>(syscall(SYS_gettid));
  return tid;
}

void send(int tid) {
  if (tid > 0) syscall(SYS_tgkill, static_cast<int>(getpid()), tid, kSignal);
}

void raise_here() {
  pending_flag = 1;
  std::atomic_signal_fence(std::memory_order_seq_cst);
  if (lua_State* L = running.load(std::memory_order_relaxed)) arm(L);
}

bool pending() { return pending_flag != 0; }

void clear() { pending_flag = 0; }

void arm(lua_State* L, int count) { lua_sethook(L, hook, LUA_MASKCOUNT, count); }

bool armed_by_interrupt(lua_State* L) { return lua_gethook(L) == hook && lua_gethookcount(L) == 1; }

Running::Running(lua_State* L) : previous_(running.load(std::memory_order_relaxed)) {
  running.store(L, std::memory_order_relaxed);
  std::atomic_signal_fence(std::memory_order_seq_cst);
  if (pending_flag) arm(L);
}

Running::~Running() {
  running.store(previous_, std::memory_order_relaxed);
  std::atomic_signal_fence(std::memory_order_seq_cst);
  if (pending_flag && previous_ != nullptr) arm(previous_);
}

}  // namespace lockstep::lua::interrupt
