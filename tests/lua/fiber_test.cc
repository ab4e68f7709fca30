#include "lua/fiber.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

namespace lockstep::lua {
namespace {

// The fiber doubles what it is handed, forever.
void doubler(fiber::Transfer t) {
  for (;;) {
    const int v = *static_cast<int*>(t.data);
    int out = v * 2;
    t = fiber::jump(t.fctx, &out);
  }
}

TEST(StackPool, SwitchesCarryDataBothWays) {
  StackPool pool(64 << 10);
  fiber::Context ctx = StackPool::prepare(pool.acquire(), doubler);
  for (int i = 1; i <= 100; ++i) {
    fiber::Transfer t = fiber::jump(ctx, &i);
    ctx = t.fctx;
    EXPECT_EQ(*static_cast<int*>(t.data), 2 * i);
  }
}

TEST(StackPool, ReleasedStacksAreReusedNotRemapped) {
  StackPool pool(64 << 10);
  for (int i = 0; i < 1000; ++i) {
    StackPool::Stack a = pool.acquire();
    StackPool::Stack b = pool.acquire();
    pool.release(a);
    pool.release(b);
  }
  EXPECT_EQ(pool.mapped(), 2u);
}

// A suspended fiber whose stack is simply reused (as for a killed process)
// leaves nothing behind that breaks the next user of the stack.
void suspends_forever(fiber::Transfer t) {
  for (;;) t = fiber::jump(t.fctx, nullptr);
}

TEST(StackPool, AbandonedStackCanRunAFreshContext) {
  StackPool pool(64 << 10);
  StackPool::Stack s = pool.acquire();
  fiber::Context ctx = StackPool::prepare(s, suspends_forever);
  ctx = fiber::jump(ctx, nullptr).fctx;  // now suspended mid-loop
  pool.release(s);
  StackPool::Stack again = pool.acquire();
  EXPECT_EQ(again.base, s.base);
  fiber::Context fresh = StackPool::prepare(again, doubler);
  int v = 21;
  EXPECT_EQ(*static_cast<int*>(fiber::jump(fresh, &v).data), 42);
}

// Lua errors are C++ exceptions (liblua5.4-c++): they must unwind within
// the stack they were thrown on.
void throws_and_catches(fiber::Transfer t) {
  static std::string caught;  // the fiber is abandoned, not unwound
  try {
    throw std::runtime_error("inside the fiber");
  } catch (const std::runtime_error& e) {
    caught = e.what();
  }
  for (;;) t = fiber::jump(t.fctx, &caught);
}

TEST(StackPool, ExceptionsUnwindWithinTheirStack) {
  StackPool pool(64 << 10);
  fiber::Context ctx = StackPool::prepare(pool.acquire(), throws_and_catches);
  fiber::Transfer t = fiber::jump(ctx, nullptr);
  EXPECT_EQ(*static_cast<std::string*>(t.data), "inside the fiber");
}

}  // namespace
}  // namespace lockstep::lua
