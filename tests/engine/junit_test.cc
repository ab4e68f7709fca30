// The JUnit XML report: structure CI systems read, and escaping.
#include "engine/report/junit.h"

#include <gtest/gtest.h>

namespace lockstep {
namespace {

TEST(JUnit, OneSuitePerFileOneCasePerTestFailuresCarryTheReport) {
  RunSummary s;
  TestReport bug;
  bug.file = "dir/a.lua";
  bug.name = "x < y & \"z\"";
  bug.status = TestReport::Status::kBug;
  bug.bug = BugReport{};
  bug.bug->failure.kind = FailureKind::kAssertion;
  bug.bug->failure.message = "lost <update>";
  TestReport ok;
  ok.file = "dir/a.lua";
  ok.name = "fine";
  TestReport err;
  err.file = "b.lua";
  err.name = "cut";
  err.status = TestReport::Status::kError;
  err.error = "every iteration was cut off";
  s.tests = {bug, ok, err};
  s.bugs = 1;
  s.errors = 1;
  s.load_failures = {{"c.lua", "c.lua:1: syntax error"}};
  s.load_errors = 1;
  const std::string doc = junit_xml(s, {{{"dir/a.lua", bug.name}, "report with\x01" "control & replay line"}});
  EXPECT_NE(doc.find("<testsuites name=\"lockstep\" tests=\"4\" failures=\"1\" errors=\"2\""), std::string::npos) << doc;
  EXPECT_NE(doc.find("<testsuite name=\"dir/a.lua\" tests=\"2\" failures=\"1\" errors=\"0\""), std::string::npos);
  EXPECT_NE(doc.find("<testcase classname=\"a\" name=\"x &lt; y &amp; &quot;z&quot;\""), std::string::npos) << doc;
  EXPECT_NE(doc.find("<failure type=\"assertion\" message=\"lost &lt;update&gt;\">report with?control &amp; replay line"),
            std::string::npos)
      << doc;
  EXPECT_NE(doc.find("<error message=\"every iteration was cut off\"/>"), std::string::npos);
  EXPECT_NE(doc.find("<testcase classname=\"c\" name=\"(load)\""), std::string::npos);
  EXPECT_EQ(doc.find('\x01'), std::string::npos);
}

}  // namespace
}  // namespace lockstep
