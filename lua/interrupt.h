// Stopping guest code at iter_timeout without slowing it down.
//
// A count hook would check the clock every so many instructions, but any
// hook makes Lua's interpreter take its slow path at every instruction
// (about a tenth of a ping-pong step). Instead guest code runs with no
// hook, and each guest's watchdog thread (LuaGuest::watch), once the
// iteration is past its deadline, sends the thread running it a signal.
// The handler sets a count-1 hook on the Lua thread running at that moment
// (Lua's own interpreter stops on SIGINT the same way), and the hook
// checks the clock (LuaGuest::check_clock). Running out of guest memory
// raises the same interrupt at once, in the allocating thread.
//
// What runs is tracked per OS thread: each place that starts or resumes
// guest code (a process, a match function, an invariant, the top level)
// brackets it with Running. An interrupt that finds nothing running is
// kept and armed on the next thread entered; one that proves early (the
// iteration changed in between) costs one call of the hook, which takes
// itself off. Coroutines a scenario creates keep a count hook of their own
// (they are rare, and the thread running one is not the process's).
#pragma once

#include <lua.hpp>

namespace lockstep::lua::interrupt {

// Installs the signal handler (once per process).
void install();

// The Linux thread id of the calling thread: where the watchdog sends the
// signal.
int this_thread();
// Sends the interrupt to thread `tid` of this process (from any thread;
// a thread that has exited is ignored).
void send(int tid);

// Raises the interrupt in the calling thread (async-signal-safe).
void raise_here();
// Whether an interrupt is pending on the calling thread; clear() drops it.
bool pending();
void clear();

// Sets the hook on `L` that checks the clock (LuaGuest::check_clock) at
// its next instruction (count 1: an interrupt), or every `count`
// instructions (the periodic check a scenario's coroutine carries).
void arm(lua_State* L, int count = 1);
// Whether `L`'s hook is an interrupt's (not a coroutine's periodic one).
bool armed_by_interrupt(lua_State* L);

// Guest code runs on `L` while this lives (on the calling thread); the
// thread that ran before runs again after.
class Running {
 public:
  explicit Running(lua_State* L);
  ~Running();
  Running(const Running&) = delete;
  Running& operator=(const Running&) = delete;
 private:
  lua_State* previous_;
};

}  // namespace lockstep::lua::interrupt
