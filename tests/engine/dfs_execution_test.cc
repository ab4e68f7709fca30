// What the race analysis judges from one execution's record
// (engine/strategies/dfs_execution.h): here, which events may disarm the
// timer a step fired, so that explored first they stand for no reversal
// of that timer's races.
#include "engine/strategies/dfs_execution.h"

#include <gtest/gtest.h>

#include <vector>

namespace lockstep::dfs {
namespace {

// An execution of one step: the timer `id` of process `owner` firing,
// as a receive's timeout (`timeout`) or a send_after's message to `to`;
// `early`: before it was due (timers = "any"), moving the clock on.
void fire(Execution& e, uint32_t id, uint32_t owner, bool timeout, bool early, uint32_t to = 0) {
  Step s;
  s.thread = 7;
  s.kind = StepKind::kTimer;
  s.role = StepRole::kTimer;
  s.actor = owner;
  s.poll = timeout;
  e.accesses = {{object::timer(id), true, 0},
                timeout ? Access{object::process(owner), false, 0} : Access{object::mailbox(to), true, 0}};
  if (early) e.accesses.push_back({object::clock(), true, 0});
  s.access_count = static_cast<uint32_t>(e.accesses.size());
  e.steps.push_back(s);
}

Summary event(int64_t actor, std::vector<Access> accesses) {
  Summary u;
  u.thread = 3;
  u.actor = actor;
  u.accesses = std::move(accesses);
  return u;
}

TEST(DfsExecution, WhatMayDisarmATimer) {
  Execution timeout;
  fire(timeout, 4, 1, true, true);
  EXPECT_TRUE(timeout.disarms(event(1, {{object::timer(4), true, 0}}), 0)) << "its cancel_timer";
  EXPECT_TRUE(timeout.disarms(event(2, {{object::mailbox(1), true, 0}}), 0)) << "a message to the receive it times out";
  EXPECT_TRUE(timeout.disarms(event(2, {{object::process(1), true, 0}}), 0)) << "a kill of its owner";
  EXPECT_FALSE(timeout.disarms(event(1, {{object::process(1), true, 0}}), 0)) << "its owner's own step";
  EXPECT_FALSE(timeout.disarms(event(2, {{object::timer(5), true, 0}}), 0)) << "another timer's cancel";
  EXPECT_FALSE(timeout.disarms(event(2, {{object::mailbox(2), true, 0}}), 0)) << "a message to someone else";
  EXPECT_FALSE(timeout.disarms(event(2, {{object::mailbox(1), false, 0}}), 0)) << "a read of its owner's mailbox";

  // A send_after's timer: a message to the mailbox it sends to does not
  // disarm it (it is no receive's timeout), its cancel does.
  Execution send_after;
  fire(send_after, 4, 1, false, true, 2);
  EXPECT_FALSE(send_after.disarms(event(3, {{object::mailbox(2), true, 0}}), 0));
  EXPECT_FALSE(send_after.disarms(event(3, {{object::mailbox(1), true, 0}}), 0));
  EXPECT_TRUE(send_after.disarms(event(1, {{object::timer(4), true, 0}}), 0));

  // A timer that fired once due (quiescent timers) ran where nothing else
  // could: no event explored first stands apart from it for that.
  Execution due;
  fire(due, 4, 1, true, false);
  EXPECT_FALSE(due.disarms(event(1, {{object::timer(4), true, 0}}), 0));
  EXPECT_FALSE(due.disarms(event(2, {{object::mailbox(1), true, 0}}), 0));

  // Only a timer's step is disarmed.
  Execution send;
  fire(send, 4, 1, true, true);
  send.steps[0].role = StepRole::kSend;
  EXPECT_FALSE(send.disarms(event(1, {{object::timer(4), true, 0}}), 0));
}

}  // namespace
}  // namespace lockstep::dfs
