// Machine stacks and stack switching for guest processes.
//
// Every process runs its Lua thread on a machine stack of its own, and a
// sync point switches back to the scheduler's stack instead of yielding the
// Lua coroutine. With the C++-compiled Lua every lua_yield is a C++ throw
// (about 3 us here); a switch is a handful of instructions (Boost.Context's
// fcontext, the same primitive Boost.Coroutine2 and Boost.Fiber use).
//
// A stack whose process is abandoned mid-run (killed, timed out, or still
// blocked when the iteration ends) is reused without unwinding it. That is
// safe because the frames a suspended process leaves on its stack are Lua's
// own (plain C structs), stock C library functions, and binding functions
// that suspend only in tail position with nothing owning alive; sync points
// are refused inside non-yieldable C calls (metamethods called from our
// C++ code, sort comparators), so no other C++ frame can be below a switch.
#pragma once

#include <boost/context/detail/fcontext.hpp>

#include <cstddef>
#include <new>
#include <vector>

namespace lockstep::lua {

namespace fiber {
using Context = boost::context::detail::fcontext_t;
using Transfer = boost::context::detail::transfer_t;

// Switches to `to`, handing it `data`; returns when something switches back,
// with that context (to resume it later) and the data it passed.
inline Transfer jump(Context to, void* data) { return boost::context::detail::jump_fcontext(to, data); }

// AddressSanitizer must be told which stack runs, or an exception thrown
// on a process stack leaves stale poison there: call entering() just
// before a jump to the stack [bottom, bottom + size) and entered() just
// after control arrives (it reports the stack control came from). No-ops
// in builds without ASan.
void entering(void** token, const void* bottom, size_t size);
void entered(void* token, const void** from_bottom = nullptr, size_t* from_size = nullptr);
}  // namespace fiber

// Thrown when no stack can be mapped for a new process.
struct StacksExhausted : std::bad_alloc {
  const char* what() const noexcept override {
    return "no stack could be mapped for a new process (each live process needs one mapping pair; "
           "the system's vm.max_map_count allows about half that many)";
  }
};

// Fixed-size stacks with a guard page below each, recycled across
// processes and iterations. Not thread-safe: one pool per worker.
// Lua stops C recursion at 200 levels ("C stack overflow"); with the
// C++-compiled Lua that depth uses about 420 KiB, so stacks are 1 MiB of
// address space, of which a process touches only what its calls reach.
class StackPool {
 public:
  struct Stack {
    char* base = nullptr;  // lowest usable byte (the guard page is below it)
    size_t size = 0;
  };

  explicit StackPool(size_t stack_bytes = size_t{1} << 20);
  ~StackPool();
  StackPool(const StackPool&) = delete;
  StackPool& operator=(const StackPool&) = delete;

  // A free stack, mapping a new one when none is free. Throws
  // StacksExhausted when the OS refuses (address space or mapping count).
  Stack acquire();
  void release(Stack s) { free_.push_back(s); }

  // A context that calls `entry` on `s` when first switched to. `entry`
  // must never return.
  static fiber::Context prepare(Stack s, void (*entry)(fiber::Transfer));

  size_t mapped() const { return all_.size(); }

 private:
  size_t bytes_;
  size_t page_;
  std::vector<Stack> free_;
  std::vector<Stack> all_;
};

}  // namespace lockstep::lua
