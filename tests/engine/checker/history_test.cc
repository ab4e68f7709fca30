// Pairing events into operations: one set of rules for files and scenarios.
#include "engine/checker/history.h"

#include <gtest/gtest.h>

#include "engine/checker/history_io.h"

namespace lockstep::checker {
namespace {

using Type = HistoryEvent::Type;

HistoryEvent ev(Type type, int64_t process, std::string f, Value value = Value::nil(), bool timed_out = false) {
  static int64_t position = 0;
  HistoryEvent e;
  e.type = type;
  e.process = process;
  e.f = std::move(f);
  e.value = std::move(value);
  e.timed_out = timed_out;
  e.position = ++position;
  e.where = "event " + std::to_string(position);
  return e;
}

TEST(PairHistory, AFailedCasCompletedFindingAnotherValue) {
  auto ops = pair_history({ev(Type::kInvoke, 1, "cas", Value::pair(1, 2)), ev(Type::kFail, 1, "cas")});
  ASSERT_TRUE(ops.ok());
  ASSERT_EQ(ops->size(), 1u);
  EXPECT_TRUE((*ops)[0].known);
  EXPECT_EQ((*ops)[0].output, Value::boolean(false));
}

TEST(PairHistory, OtherFailuresTookNoEffectAndAreLeftOut) {
  auto ops = pair_history({ev(Type::kInvoke, 1, "write", Value::integer(3)), ev(Type::kFail, 1, "write"),
                           ev(Type::kInvoke, 1, "read"), ev(Type::kOk, 1, "read", Value::integer(0))});
  ASSERT_TRUE(ops.ok());
  ASSERT_EQ(ops->size(), 1u);
  EXPECT_EQ((*ops)[0].f, "read");
  EXPECT_EQ((*ops)[0].id, 0);
}

TEST(PairHistory, InfoTimeoutsAndOpenInvocationsHaveUnknownOutcomes) {
  auto ops = pair_history({ev(Type::kInvoke, 1, "write", Value::integer(3)), ev(Type::kInfo, 1, "write"),
                           ev(Type::kInvoke, 2, "read"), ev(Type::kFail, 2, "read", Value::nil(), true),
                           ev(Type::kInvoke, 3, "write", Value::integer(4))});
  ASSERT_TRUE(ops.ok());
  ASSERT_EQ(ops->size(), 3u);
  for (const Operation& op : *ops) {
    EXPECT_FALSE(op.known) << op.str();
    EXPECT_EQ(op.ret, kNever);
  }
}

TEST(PairHistory, AnOkCasIsTrueUnlessItsValueSaysOtherwise) {
  auto ops = pair_history({ev(Type::kInvoke, 1, "cas", Value::pair(1, 2)), ev(Type::kOk, 1, "cas", Value::pair(1, 2)),
                           ev(Type::kInvoke, 1, "cas", Value::pair(2, 3)), ev(Type::kOk, 1, "cas", Value::boolean(false))});
  ASSERT_TRUE(ops.ok());
  EXPECT_EQ((*ops)[0].output, Value::boolean(true));   // Jepsen logs repeat the input
  EXPECT_EQ((*ops)[1].output, Value::boolean(false));  // ls.history records the result
  EXPECT_EQ((*ops)[1].invoke_event, 2);
  EXPECT_EQ((*ops)[1].complete_event, 3);
}

TEST(PairHistory, ErrorsNameTheEventAndTheProcess) {
  auto again = pair_history({ev(Type::kInvoke, 7, "read"), ev(Type::kInvoke, 7, "read")});
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.status().message().find(": process 7 invokes again"), std::string::npos) << again.status().message();
  HistoryEvent orphan = ev(Type::kOk, 2, "read");
  orphan.who = "P2";
  auto none = pair_history({orphan});
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.status().message().find("P2 completes an operation it never invoked"), std::string::npos);
  auto empty = pair_history({});
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

TEST(WriteJsonLines, WritesValidJsonThatCheckReadsBack) {
  std::vector<HistoryEvent> events = {ev(Type::kInvoke, 1, "write", Value::string("a \"quoted\"\nline")),
                                      ev(Type::kOk, 1, "write", Value::string("ok")),
                                      ev(Type::kInvoke, 2, "cas", Value::pair(1, 2)),
                                      ev(Type::kOk, 2, "cas", Value::boolean(true))};
  const std::string text = write_json_lines(events);
  EXPECT_NE(text.find(R"({"type": "invoke", "process": 1, "f": "write", "value": "a \"quoted\"\nline"})"),
            std::string::npos)
      << text;
  auto back = parse_history(text, "h.jsonl");
  ASSERT_TRUE(back.ok()) << back.status().message();
  ASSERT_EQ(back->size(), 2u);
  EXPECT_EQ((*back)[1].input, Value::pair(1, 2));
  EXPECT_EQ((*back)[1].output, Value::boolean(true));
}

}  // namespace
}  // namespace lockstep::checker
