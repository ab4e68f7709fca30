// What a user sees: per-test results, bug reports with the schedule, and the
// end-of-run summary, as text or as one JSON document. The engine never
// writes to stdout itself; it talks to a Reporter.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "engine/report/schedule.h"
#include "engine/results.h"

namespace lockstep {

struct TextStyle {
  bool color = false;
  bool strict = false;  // --strict: a passing test with a warning is shown as failing (WARN)
  bool full_schedule = false;  // the whole schedule instead of the causal slice
  // Past this many shown steps, print the first and last ones and say how
  // many were left out (0: no limit). Bug reports of `run` use it unless --full.
  size_t max_rows = 0;
  // Fold a run of steps that repeat the few before them (a poll, a retry
  // loop) into one line saying how often and which steps; --full prints them.
  bool fold_repeats = true;
  bool message_contents = true;  // print message contents in schedule lines
  bool quiet = false;             // one line per test (a bug's: what failed, its trace) and the summary
  bool progress = false;          // a progress line on stderr (a terminal)
  bool coverage = false;          // each test's coverage under its line (--coverage)
};

class TextReporter final : public Reporter {
 public:
  TextReporter(std::ostream& out, std::ostream& err, TextStyle style)
      : out_(out), err_(err), style_(style) {}
  void load_error(const std::string& message) override;
  void bug_found(const TestReport& test, const Trace& trace) override;
  void test_finished(const TestReport& test) override;
  void run_finished(const RunSummary& summary) override;
  void progress(const std::string& test, uint64_t done, uint64_t total, double seconds) override;
  void search_progress(const std::string& test, const SearchProgress& p) override;
  void iteration_logs(const std::string& test, uint64_t iteration, const std::vector<std::string>& lines) override;

 private:
  std::ostream& out_;
  std::ostream& err_;
  TextStyle style_;
  bool progress_shown_ = false;
  std::string quiet_bug_;  // -q: the failure and trace of the test's bug, for its one line
  void print_coverage(const TestReport::Coverage& c, uint64_t iterations);
  void print_search(const TestReport& t);
  void print_goals(const TestReport& t);
};

class JsonReporter final : public Reporter {
 public:
  JsonReporter(std::ostream& out, std::ostream& err) : out_(out), err_(err) {}
  void load_error(const std::string& message) override;
  void bug_found(const TestReport&, const Trace&) override {}
  void test_finished(const TestReport& test) override;
  void run_finished(const RunSummary& summary) override;

 private:
  std::ostream& out_;
  std::ostream& err_;
};

// The formats `run --format` offers, one row each: a new output format is
// a Reporter in a file of its own and a row here.
struct ReportFormat {
  std::string_view name;
  std::string_view help;
  std::unique_ptr<Reporter> (*make)(std::ostream& out, std::ostream& err, const TextStyle& style);
};
std::span<const ReportFormat> report_formats();
const ReportFormat* find_report_format(std::string_view name);

// The schedule, one line per step (engine/report/schedule.h rows), the failing
// step marked.
void print_schedule(std::ostream& out, const Trace& trace, const TextStyle& style);

// The failure in one line: "assertion in P0(root): lost update (counter.lua:23)".
std::string describe_failure(const Trace& trace);

}  // namespace lockstep
