// The one mapping from outcomes to exit codes (SPEC section 2).
#include "cli/exit_codes.h"

#include <gtest/gtest.h>

namespace lockstep::cli {
namespace {

TestReport errored(Status::Code code) {
  TestReport t;
  t.status = TestReport::Status::kError;
  t.error_code = code;
  return t;
}

TEST(ExitCodes, OnlyLoadErrorsExitThree) {
  EXPECT_EQ(exit_code(Status::LoadError("x.lua:1: syntax")), 3);
  EXPECT_EQ(exit_code(Status::Corruption("t: bad magic")), 2);
  EXPECT_EQ(exit_code(Status::ResourceExhausted("too many live processes")), 2);
  EXPECT_EQ(exit_code(Status::Ok()), 0);
}

TEST(ExitCodes, ARunSaysLoadErrorThenTestErrorThenBug) {
  RunSummary s;
  EXPECT_EQ(exit_code(s), 0);
  s.bugs = 1;
  EXPECT_EQ(exit_code(s), 1);
  s.tests.push_back(errored(Status::Code::kResourceExhausted));  // a test that could not run
  EXPECT_EQ(exit_code(s), 2);
  s.tests.push_back(errored(Status::Code::kLoadError));  // a bad declaration
  EXPECT_EQ(exit_code(s), 3);
  RunSummary files;
  files.load_errors = 1;
  EXPECT_EQ(exit_code(files), 3);
  files.unloadable = 1;  // it could not be loaded for want of memory, not for what it says
  EXPECT_EQ(exit_code(files), 2);
}

TEST(ExitCodes, ReplayVerdicts) {
  ReplayResult r;
  r.verdict = ReplayResult::Verdict::kReproduced;
  EXPECT_EQ(exit_code(r), 1);
  r.verdict = ReplayResult::Verdict::kPassed;
  EXPECT_EQ(exit_code(r), 0);
  r.verdict = ReplayResult::Verdict::kDiverged;
  EXPECT_EQ(exit_code(r), 4);
  r.verdict = ReplayResult::Verdict::kError;
  r.status = Status::LoadError("changed");
  EXPECT_EQ(exit_code(r), 3);
}

}  // namespace
}  // namespace lockstep::cli
