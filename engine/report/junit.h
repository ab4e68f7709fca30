// `run --junit FILE`: a JUnit XML report, as CI systems read it. One
// <testsuite> per scenario file, one <testcase> per test; a bug is a
// <failure> carrying the text report (failure, trace, causal slice, how to
// replay), a test that could not run or a file that could not load an
// <error>. Written atomically when the run finishes.
#pragma once

#include <map>
#include <string>

#include "engine/report/report.h"

namespace lockstep {

class JUnitReporter final : public Reporter {
 public:
  explicit JUnitReporter(std::string path) : path_(std::move(path)) {}
  void load_error(const std::string&) override {}
  void bug_found(const TestReport& test, const Trace& trace) override;
  void test_finished(const TestReport&) override {}
  void run_finished(const RunSummary& summary) override;
  // Whether the file was written (set by run_finished), and why not.
  const Status& written() const { return written_; }

 private:
  std::string path_;
  std::map<std::pair<std::string, std::string>, std::string> reports_;  // (file, test) -> bug report text
  Status written_;
};

// The document itself (for tests): `reports` maps (file, test) to the text
// of each bug report.
std::string junit_xml(const RunSummary& summary,
                      const std::map<std::pair<std::string, std::string>, std::string>& reports);

}  // namespace lockstep
