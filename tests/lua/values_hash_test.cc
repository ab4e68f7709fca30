// Guest values in a state fingerprint: by content, never by address.
#include <gtest/gtest.h>

#include <unistd.h>

#include <fstream>

#include "lua/guest.h"
#include "vm/vm.h"

namespace lockstep {
namespace {

// Each test sends its root a message and waits; the fingerprint is taken
// with that message queued.
constexpr const char* kScenario = R"lua(
local ls = lockstep
local function go(t)
  ls.send(ls.self(), t)
  ls.receive()
end
ls.test("b then a", function() local t = {}; t.b = 2; t.a = 1; go(t) end)
ls.test("a then b", function() local t = {}; t.a = 1; t.b = 2; go(t) end)
ls.test("other value", function() local t = {}; t.a = 1; t.b = 3; go(t) end)
ls.test("cycle", function() local t = {1, 2}; t.self = t; go({t, t}) end)
ls.test("cycle again", function() local t = {1, 2}; t.self = t; go({t, t}) end)
ls.test("pid and function", function() go({ls.self(), go}) end)
local function churn()
  local junk = {}
  for i = 1, 100 do junk[i] = { i } end
end
ls.test("pid and function, other addresses", function() churn(); go({ls.self(), go}) end)
ls.test("pid and another function", function() go({ls.self(), print}) end)
)lua";

struct Zero : ChoiceSource {
  uint64_t choose(uint64_t) override { return 0; }
};

vm::Fingerprint after_send(size_t test) {
  // One file per process: ctest runs these tests in parallel processes.
  const std::string path = ::testing::TempDir() + "values_hash_test." + std::to_string(getpid()) + ".lua";
  std::ofstream(path) << kScenario;
  auto program = lua::LuaProgram::load(path);
  if (!program.ok()) {
    ADD_FAILURE() << program.status().message();
    return {};
  }
  auto sys = (*program)->start(test, RunOptions{});
  EXPECT_TRUE(sys.ok());
  Zero zero;
  for (int i = 0; i < 2; ++i) (*sys)->step(Op((*sys)->enabled()[0]), zero);  // start, send
  auto* vm = dynamic_cast<vm::Vm*>(*sys);
  EXPECT_NE(vm, nullptr);
  return vm->fingerprint();
}

TEST(GuestValueHash, TablesHashByContentWhateverTheirInsertionOrder) {
  EXPECT_EQ(after_send(0), after_send(1));
  EXPECT_NE(after_send(1), after_send(2));
}

TEST(GuestValueHash, CyclesAndSharingHashAndEqualStructuresAgree) {
  EXPECT_EQ(after_send(3), after_send(4));
  EXPECT_NE(after_send(3), after_send(0));
}

TEST(GuestValueHash, HandlesAndFunctionsHashWithoutAddresses) {
  EXPECT_EQ(after_send(5), after_send(6));  // the same values at other addresses
  EXPECT_NE(after_send(5), after_send(7));  // another function
}

}  // namespace
}  // namespace lockstep
