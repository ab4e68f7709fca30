#include "engine/report/report.h"

#include <csignal>

#include <algorithm>
#include <cstdio>

#include "engine/base/hash.h"
#include "engine/base/json.h"
#include "engine/base/text.h"
#include "engine/report/schedule.h"

namespace lockstep {
namespace {

const char* paint(const TextStyle& s, const char* code) { return s.color ? code : ""; }
constexpr const char* kRed = "\033[31m";
constexpr const char* kGreen = "\033[32m";
constexpr const char* kYellow = "\033[33m";
constexpr const char* kBold = "\033[1m";
constexpr const char* kDim = "\033[2m";
constexpr const char* kReset = "\033[0m";

std::string basename(const std::string& path) {
  auto slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string fmt_seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f s", s);
  return buf;
}

// A test's name for the progress line: at most 40 characters, cut at a
// word boundary with "..." when longer.
std::string progress_name(const std::string& test) {
  std::string name = one_line(test);
  constexpr size_t kWidth = 40;
  if (name.size() <= kWidth) return name;
  size_t cut = name.rfind(' ', kWidth - 3);
  if (cut == std::string::npos || cut < kWidth / 2) cut = kWidth - 3;
  return name.substr(0, cut) + "...";
}

std::string plural(uint64_t n, const char* word) {
  return with_commas(n) + " " + word + (n == 1 ? "" : "s");
}

std::string shell_quote(const std::string& s) {
  bool plain = !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) ||
           std::string_view("-_./=:,+").find(c) != std::string_view::npos;
  });
  if (plain) return s;
  const bool control = std::any_of(s.begin(), s.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
  });
  if (control) {  // bash's $'...': the command stays printable and still names the test
    std::string out = "$'";
    for (char c : s) {
      const auto u = static_cast<unsigned char>(c);
      if (c == '\'' || c == '\\') {
        out += '\\';
        out += c;
      } else if (u < 0x20 || u == 0x7f) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\x%02x", u);
        out += buf;
      } else {
        out += c;
      }
    }
    return out + "'";
  }
  std::string out = "'";
  for (char c : s) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  return out + "'";
}

}  // namespace

std::string describe_failure(const Trace& trace) {
  const Failure& f = trace.failure;
  std::string out = std::string(failure_kind_name(f.kind));
  if (f.pid >= 0 && f.kind != FailureKind::kDeadlock && f.kind != FailureKind::kMaxSteps) {
    out += " in " + process_display_name(trace, f.pid);
  }
  out += ": " + one_line(f.message);
  if (!f.location.empty()) out += " (at " + printable(f.location) + ")";
  return out;
}

namespace {

// What a shown row looks like with its numbers left out: two rows with the
// same shape are the same action again (a retry, a poll, a timer).
std::string row_shape(const ScheduleRow& row) {
  std::string shape = row.actor + '\x1f' + std::string(step_kind_name(row.kind)) + '\x1f' + row.peer + '\x1f';
  bool digits = false;
  for (char c : row.detail) {
    const bool digit = c >= '0' && c <= '9';
    if (!digit) shape += c;
    else if (!digits) shape += '#';
    digits = digit;
  }
  return shape;
}

// One line of the printed schedule: a row, or a fold standing for a run
// of rows that repeat the `period` rows before them.
struct Shown {
  uint32_t row = 0;  // the row's index in the schedule (a row, when period is 0)
  uint32_t period = 0;
  uint64_t repeats = 0;
  uint32_t first = 0, last = 0;  // the folded steps
};

// The rows to show, with runs of a repeated pattern (period 1 to 4, at
// least three times over) folded after its first occurrence. Failing rows
// and rows with logs are never folded. Rows are compared by a hash of
// their shape: a few bytes a row, however long the schedule.
std::vector<Shown> fold_repeats(const Schedule& schedule, const std::vector<uint32_t>& rows) {
  std::vector<uint64_t> shapes;  // 0: never folded
  shapes.reserve(rows.size());
  for (uint32_t i : rows) {
    const ScheduleRow r = schedule.row(i);
    shapes.push_back(r.failed || !r.logs.empty() ? 0 : (fnv1a(row_shape(r)) | 1));
  }
  std::vector<Shown> out;
  size_t i = 0;
  while (i < rows.size()) {
    size_t best_period = 0, best_len = 0;
    for (size_t p = 1; p <= 4 && i + p <= rows.size(); ++p) {
      size_t len = 0;  // rows after the first p that repeat the row p before
      while (i + p + len < rows.size() && shapes[i + p + len] != 0 && shapes[i + len] != 0 &&
             shapes[i + p + len] == shapes[i + len]) {
        ++len;
      }
      len -= len % p;
      if (len >= 2 * p && len > best_len) {
        best_period = p;
        best_len = len;
      }
    }
    if (best_period == 0) {
      out.push_back({rows[i]});
      ++i;
      continue;
    }
    for (size_t k = 0; k < best_period; ++k) out.push_back({rows[i + k]});
    Shown fold;
    fold.period = static_cast<uint32_t>(best_period);
    fold.repeats = best_len / best_period;
    fold.first = schedule.row(rows[i + best_period]).step;
    fold.last = schedule.row(rows[i + best_period + best_len - 1]).step;
    out.push_back(fold);
    i += best_period + best_len;
  }
  return out;
}

}  // namespace

void print_schedule(std::ostream& out, const Trace& trace, const TextStyle& style) {
  const Schedule schedule(trace, !style.full_schedule);
  out << paint(style, kBold) << "Schedule ("
      << (schedule.sliced() ? "causal slice, " + std::to_string(schedule.slice_size()) + " of "
                            : std::string("all "))
      << schedule.size() << " steps):" << paint(style, kReset) << "\n";
  int kind_width = 10;  // the widest kind shown: columns stay aligned
  std::vector<uint32_t> rows;
  for (size_t i = 0; i < schedule.size(); ++i) {
    if (!schedule.in_slice(i)) continue;
    kind_width = std::max(kind_width, static_cast<int>(step_kind_name(trace.events[i].kind).size()));
    rows.push_back(static_cast<uint32_t>(i));
  }
  // Repeats fold into one line unless every step is asked for.
  std::vector<Shown> shown;
  if (!style.fold_repeats) {
    shown.reserve(rows.size());
    for (uint32_t r : rows) shown.push_back({r});
  } else {
    shown = fold_repeats(schedule, rows);
  }
  rows = {};
  auto print_row = [&](const ScheduleRow& row) {
    char head[64];
    std::snprintf(head, sizeof head, "  step %-4u %-*s ", row.step, kind_width,
                  std::string(step_kind_name(row.kind)).c_str());
    out << head;
    std::string line = row.actor;
    if (!row.peer.empty()) line += (row.kind == StepKind::kReceive ? " <- " : " -> ") + row.peer;
    if (!row.detail.empty() && (style.message_contents || !row.carries_message)) {
      line += (line.empty() ? "" : "  ") + row.detail;
    }
    out << line;
    if (row.failed) out << "   " << paint(style, kRed) << "<-- FAILED HERE" << paint(style, kReset);
    out << "\n";
    for (const std::string& log : row.logs) {
      out << paint(style, kDim) << "           log  " << log << paint(style, kReset) << "\n";
    }
  };
  // A long schedule: its first and last shown lines, and how many between.
  constexpr size_t kHead = 20;
  const bool summarise = style.max_rows > 0 && shown.size() > style.max_rows;
  const size_t tail = summarise ? style.max_rows - kHead : 0;
  for (size_t k = 0; k < shown.size(); ++k) {
    const Shown& item = shown[k];
    if (summarise && k >= kHead && k < shown.size() - tail) {
      if (k == kHead) {
        out << paint(style, kDim) << "  ... " << (shown.size() - tail - kHead)
            << " lines left out (-v prints them; --full, or LOCKSTEP_NO_CAUSAL_SLICE=1, every step) ..."
            << paint(style, kReset) << "\n";
      }
      continue;
    }
    if (item.period != 0) {
      out << paint(style, kDim) << "  ... the " << (item.period == 1 ? std::string("step") : std::to_string(item.period) + " steps")
          << " above again " << item.repeats << " times (steps " << item.first << "-" << item.last << ") ..."
          << paint(style, kReset) << "\n";
      continue;
    }
    print_row(schedule.row(item.row));
  }
  if (schedule.deadlock()) {
    out << "  " << paint(style, kRed) << "<-- FAILED HERE: deadlock after step "
        << schedule.failed_step() << paint(style, kReset) << "\n";
  }
}

void TextReporter::load_error(const std::string& message) {
  err_ << "lockstep: error: " << one_line(message) << "\n";
}

void TextReporter::bug_found(const TestReport& test, const Trace& trace) {
  const BugReport& bug = *test.bug;
  if (style_.quiet) {  // said on the test's one line
    quiet_bug_ = ": " + describe_failure(trace);
    if (!bug.trace_path.empty()) quiet_bug_ += "; trace " + bug.trace_path;
    return;
  }
  out_ << "\n"
       << paint(style_, kRed) << paint(style_, kBold) << "lockstep: bug found in \""
       << one_line(test.name) << "\" (" << one_line(basename(test.file)) << ")" << paint(style_, kReset)
       << "\n";
  out_ << "  iteration: " << bug.iteration;
  // A search's iteration (what --iteration replays) and its schedule
  // number (what its summary counts) differ by the repeated runs.
  if (test.search && test.schedules_explored > 0) out_ << " (schedule " << test.schedules_explored << ")";
  out_ << "   seed: " << test.seed << "   strategy: " << test.strategy;
  if (bug.shard_count > 1) out_ << "   shard: " << bug.shard_index << "/" << bug.shard_count;
  out_ << "\n";
  out_ << "  failure: " << describe_failure(trace) << "\n";
  if (!bug.trace_path.empty()) out_ << "  trace: " << bug.trace_path << "\n";
  if (!bug.faults.empty()) {
    out_ << "  faults injected (" << bug.faults.size() << "):\n";
    for (const InjectedFault& f : bug.faults) out_ << "    " << f.line << "\n";
  }
  if (!trace.failure.details.empty()) out_ << "\n" << printable(trace.failure.details);
  out_ << "\n";
  print_schedule(out_, trace, style_);
  out_ << "\nReplay with:\n";
  if (!bug.trace_path.empty())
    out_ << "  lockstep replay --trace " << shell_quote(bug.trace_path) << " --run\n";
  out_ << "  lockstep run " << shell_quote(test.file) << " --test " << shell_quote(test.name)
       << " --strategy " << test.strategy << " --seed " << test.seed << " --iteration "
       << bug.iteration;
  if (bug.shard_count > 1) out_ << " --shard " << bug.shard_index << "/" << bug.shard_count;
  out_ << "\n\n";
}

void TextReporter::progress(const std::string& test, uint64_t done, uint64_t total,
                            double seconds) {
  if (!style_.progress) return;
  const double rate = seconds > 0 ? done / seconds : 0;
  const double eta = rate > 0 ? (total - done) / rate : 0;
  char line[256];
  std::snprintf(line, sizeof line, "\r  %s: %llu/%llu iterations, %.0f/s, ETA %.0f s   ",
                progress_name(test).c_str(), static_cast<unsigned long long>(done),
                static_cast<unsigned long long>(total), rate, eta);
  err_ << line << std::flush;
  progress_shown_ = true;
}

void TextReporter::search_progress(const std::string& test, const SearchProgress& p) {
  if (!style_.progress) return;
  const double rate = p.seconds > 0 ? p.runs / p.seconds : 0;
  std::string line = "\r  " + progress_name(test) + ": ";
  if (p.states) line += with_commas(*p.states) + (*p.states == 1 ? " state, " : " states, ");
  line += with_commas(p.schedules) + " schedules explored";
  if (p.estimate >= static_cast<double>(p.schedules) && p.estimate > 0) {
    char about[32];
    std::snprintf(about, sizeof about, ", of about %.3g", p.estimate);
    line += about;
  }
  line += "; " + std::to_string(static_cast<uint64_t>(rate)) + " runs/s   ";
  err_ << line << std::flush;
  progress_shown_ = true;
}

void TextReporter::iteration_logs(const std::string& test, uint64_t iteration,
                                  const std::vector<std::string>& lines) {
  out_ << paint(style_, kDim) << "  log   " << one_line(test) << ", iteration " << iteration << ":"
       << paint(style_, kReset) << "\n";
  for (const std::string& line : lines) {
    out_ << paint(style_, kDim) << "          " << one_line(line) << paint(style_, kReset) << "\n";
  }
}

// What a search explored, and whether it is a proof: the rest of a
// search's line.
void TextReporter::print_search(const TestReport& t) {
  const std::string n = with_commas(t.schedules_explored);
  std::string within;  // the bound a search ran under, and what it skipped
  if (t.delay_bound) {
    within = " within delay bound " + std::to_string(*t.delay_bound);
    if (t.beyond_bound) {
      within += " (" + with_commas(t.beyond_bound) +
                (t.beyond_bound == 1 ? " branch" : " branches") + " beyond it skipped)";
    }
  }
  if (t.shard_count > 1) {  // one part of a split search
    within = " of shard " + std::to_string(t.shard_index) + "/" + std::to_string(t.shard_count) + within;
  }
  // Why an incomplete search stopped short.
  const std::string short_of = t.shards_missing ? " (" + plural(t.shards_missing, "shard") + " missing)"
                               : t.interrupted     ? " (interrupted)"
                               : t.bounded_by_time ? " (bounded by time)"
                               : t.iteration_budget == 0 ? " (bounded by --iterations)"  // merged: budgets unknown
                                                         : " (bounded by " + with_commas(t.iteration_budget) +
                                                               (t.iteration_budget == 1 ? " iteration)" : " iterations)");
  if (t.status == TestReport::Status::kBug && t.failing_schedules > 1) {
    out_ << (t.complete ? ", explored all " : ", explored ") << n << " schedules" << within
         << ", " << with_commas(t.failing_schedules) << " failed" << (t.complete ? "" : short_of);
  } else if (t.status == TestReport::Status::kBug && !t.complete) {
    out_ << ", bug in schedule " << n << within;
  } else if (t.complete && t.states && t.bitstate_bytes) {  // lossy: no proof
    out_ << ", explored " << with_commas(*t.states) << (*t.states == 1 ? " state" : " states") << within
         << " (" << n << (t.schedules_explored == 1 ? " schedule)" : " schedules)");
  } else if (t.complete && t.states) {
    out_ << ", explored all " << with_commas(*t.states) << (*t.states == 1 ? " state" : " states") << within
         << " (" << n << (t.schedules_explored == 1 ? " schedule)" : " schedules)");
    if (t.status == TestReport::Status::kPassed) out_ << ": no bug";
  } else if (t.complete) {
    out_ << (t.schedules_explored == 1 ? ", explored the only schedule"
                                       : ", explored all " + n + " schedules")
         << within;
    if (t.status == TestReport::Status::kPassed) out_ << ": no bug";
  } else if (t.states && t.status != TestReport::Status::kBug) {
    out_ << ", explored " << with_commas(*t.states) << (*t.states == 1 ? " state (" : " states (") << n
         << (t.schedules_explored == 1 ? " schedule)" : " schedules)") << short_of;
  } else {
    out_ << ", explored " << n << (t.schedules_explored == 1 ? " schedule" : " schedules")
         << within << short_of;
  }
  if (t.state_cache_hits)
    out_ << ", " << with_commas(t.state_cache_hits) << (t.state_cache_hits == 1 ? " run" : " runs")
         << " stopped at a state already covered";
  if (t.states && t.state_cache_turned_on) {
    out_ << " (its runs loop without time moving on: the search started again with the cache at every state)";
  }
  if (t.states && t.bitstate_bytes) {
    char p[32];
    std::snprintf(p, sizeof p, "%.2g", t.omission_probability);
    out_ << " (a bit table of " << with_commas(t.bitstate_bytes >> 20)
         << " MB: a new state was taken for an explored one with probability " << p << " by the end)";
  }
  if (t.states && t.states_with_time) out_ << " (a run read the clock: states include the time)";
  if (t.states && t.states_with_ids) {
    out_ << " (a run read how processes are numbered: states include it, and no symmetry is used)";
  }
  if (t.shortest_depth && t.status == TestReport::Status::kBug)
    out_ << ", shortest first: no failing run has fewer than " << with_commas(*t.shortest_depth) << " steps";
  if (t.fewest_delays && t.delay_bound && *t.delay_bound > 0 && t.status == TestReport::Status::kBug)
    out_ << ", fewest delays first: no schedule with fewer than " << plural(*t.delay_bound, "delay") << " fails";
  if (t.abandoned)
    out_ << ", " << with_commas(t.abandoned) << (t.abandoned == 1 ? " more run" : " more runs")
         << " repeated a schedule or gave up";
}

void TextReporter::test_finished(const TestReport& t) {
  if (progress_shown_) {
    err_ << "\r" << std::string(100, ' ') << "\r" << std::flush;
    progress_shown_ = false;
  }
  if (t.status == TestReport::Status::kError) {  // an error goes to stderr, as one line
    out_ << std::flush;
    err_ << paint(style_, kYellow) << "  ERROR " << paint(style_, kReset) << one_line(t.name) << " ("
         << one_line(basename(t.file)) << "): " << one_line(t.error) << "\n"
         << std::flush;
    return;
  }
  switch (t.status) {
    case TestReport::Status::kPassed:
      if (style_.strict && !t.warnings.empty()) {  // --strict: a warning fails the test
        out_ << paint(style_, kYellow) << "  WARN  " << paint(style_, kReset);
      } else {
        out_ << paint(style_, kGreen) << "  ok    " << paint(style_, kReset);
      }
      break;
    case TestReport::Status::kUnmet:
      out_ << paint(style_, kRed) << "  UNMET " << paint(style_, kReset);
      break;
    case TestReport::Status::kBug:
      out_ << paint(style_, kRed) << "  BUG   " << paint(style_, kReset);
      break;
    case TestReport::Status::kError:
      break;
  }
  out_ << one_line(t.name) << " (" << one_line(basename(t.file)) << ")";
  out_ << paint(style_, kDim) << "  " << t.strategy << ", " << plural(t.iterations_run, "iteration")
       << ", " << with_commas(t.steps) << " steps";
  if (t.max_steps_hits) out_ << ", " << t.max_steps_hits << " cut off at max steps";
  if (t.search) print_search(t);
  if (t.interrupted && !t.search) out_ << " (interrupted)";
  if (t.bounded_by_time && !t.search) out_ << " (bounded by time)";
  out_ << paint(style_, kReset);
  if (t.status == TestReport::Status::kBug && style_.quiet) out_ << quiet_bug_;
  quiet_bug_.clear();
  out_ << "\n";
  for (const TestReport::Warning& w : t.warnings) {
    out_ << paint(style_, kYellow) << "        warning: " << paint(style_, kReset) << one_line(w.message) << "\n";
  }
  print_goals(t);
  if (t.coverage && style_.coverage && !style_.quiet) print_coverage(*t.coverage, t.iterations_run);
}

// Each goal under its test: an unmet one always (what was tried, how
// often its line ran with its condition false; under a complete search, a
// proof that no schedule meets it); a met one unless -q, with the run that
// first met it.
void TextReporter::print_goals(const TestReport& t) {
  const bool proof = t.search && t.complete;
  for (const TestReport::Goal& g : t.goals) {
    const GoalCount& c = g.count;
    const std::string what = "goal \"" + one_line(c.name) + "\" (" + one_line(c.location) + ")";
    if (c.unreachable) continue;  // met: a bug with its own report; never met: as it should be
    if (c.met == 0) {
      out_ << paint(style_, kRed) << "        unmet: " << paint(style_, kReset) << what
           << (proof ? " is met in no schedule: the search explored all of them"
                     : " was never met in " + plural(t.goal_runs, t.search ? "run" : "iteration") + " of " +
                           t.strategy)
           << "; its line ran " << plural(c.missed, "time") << " with the condition false\n";
    } else if (!style_.quiet) {
      out_ << paint(style_, kDim) << "        " << what << " met " << plural(c.met, "time");
      if (g.first_met) out_ << ", first in " << (t.search ? "run " : "iteration ") << g.first_met;
      out_ << paint(style_, kReset) << "\n";
    }
  }
}

void TextReporter::print_coverage(const TestReport::Coverage& c, uint64_t iterations) {
  auto line = [&](const char* what, const CoverageTotals::Metric& m) {
    out_ << "        " << with_commas(m.count) << " " << what;
    if (m.count > 0) out_ << " (last new in iteration " << m.last_new << ")";
    out_ << "\n";
  };
  out_ << paint(style_, kDim) << "        coverage after " << plural(iterations, "iteration") << ":\n";
  line("reads-from pairs", c.reads_from);
  line("receive events (process x message shape)", c.receives);
  line("schedule classes", c.schedule_classes);
  // Whether it stopped growing: nothing new in the second half of the run.
  auto said = [&](const char* what, uint64_t last) {
    if (iterations < 4) return;
    out_ << "        " << what;
    if (last + 1 <= iterations / 2) {
      out_ << " stopped growing after iteration " << last << " (nothing new in the last "
           << with_commas(iterations - last - 1) << ")\n";
    } else {
      out_ << " still growing (new in iteration " << last << "): more iterations may reach more\n";
    }
  };
  said("reads-from and receive coverage", std::max(c.reads_from.last_new, c.receives.last_new));
  said("schedule classes", c.schedule_classes.last_new);
  out_ << paint(style_, kReset);
}

void TextReporter::run_finished(const RunSummary& s) {
  const double rate = s.wall_seconds > 0 ? s.steps / s.wall_seconds : 0;
  out_ << "\n"
       << paint(style_, kBold) << "lockstep: " << plural(s.tests.size(), "test") << ", " << s.passed
       << " passed, " << plural(s.bugs, "bug") << ", ";
  if (s.unmet) out_ << s.unmet << " unmet, ";
  out_ << plural(s.errors + s.load_errors, "error");
  if (s.warnings) out_ << ", " << plural(s.warnings, "warning") << (s.strict ? " (--strict: the run fails)" : "");
  out_ << paint(style_, kReset) << "\n";
  out_ << "  " << with_commas(s.iterations) << " iterations (" << s.max_steps_hits
       << " cut off at max steps), " << with_commas(s.steps) << " steps in "
       << fmt_seconds(s.wall_seconds) << " (" << with_commas(static_cast<uint64_t>(rate))
       << " steps/s)\n";
  if (s.interrupted_by) {
    out_ << "  interrupted by " << (s.interrupted_by == SIGTERM ? "SIGTERM" : "SIGINT")
         << ": the counts cover the iterations that finished; later tests did not run\n";
  }
}

void JsonReporter::load_error(const std::string& message) {
  err_ << "lockstep: error: " << one_line(message) << "\n";
}

void JsonReporter::test_finished(const TestReport& t) {
  if (t.status != TestReport::Status::kError) return;
  err_ << "lockstep: error: " << one_line(basename(t.file)) << ": \"" << one_line(t.name)
       << "\": " << one_line(t.error) << "\n";
}

namespace {

void write_coverage(JsonWriter& w, const TestReport::Coverage& c) {
  w.key("coverage").begin_object();
  auto metric = [&](const char* name, const CoverageTotals::Metric& m) {
    w.key(name).begin_object().key("count").value(m.count).key("last_new").value(m.last_new).end_object();
  };
  metric("reads_from", c.reads_from);
  metric("receives", c.receives);
  metric("schedule_classes", c.schedule_classes);
  w.key("growth").begin_array();
  for (const auto& p : c.growth) {
    w.begin_object()
        .key("iterations").value(p.iterations)
        .key("reads_from").value(p.reads_from)
        .key("receives").value(p.receives)
        .key("schedule_classes").value(p.schedule_classes)
        .end_object();
  }
  w.end_array().end_object();
}

void write_bug(JsonWriter& w, const BugReport& b) {
  w.key("bug").begin_object();
  w.key("kind").value(failure_kind_name(b.failure.kind));
  w.key("iteration").value(b.iteration);
  w.key("iteration_seed").value(b.iteration_seed);
  // The same as a string: JSON readers that use doubles (jq, JavaScript)
  // lose precision above 2^53.
  w.key("iteration_seed_str").value(std::to_string(b.iteration_seed));
  w.key("step").value(b.failure.step);
  if (b.failure.pid >= 0)
    w.key("process").value("P" + std::to_string(b.failure.pid));
  else
    w.key("process").null();
  w.key("message").value(b.failure.message);
  if (!b.failure.location.empty()) w.key("location").value(b.failure.location);
  if (!b.failure.details.empty()) w.key("details").value(b.failure.details);
  w.key("trace").value(b.trace_path);
  w.key("faults").begin_array();
  for (const InjectedFault& f : b.faults) {
    w.begin_object().key("step").value(f.step).key("kind").value(f.kind);
    w.key("process");
    if (f.process.empty()) w.null(); else w.value(f.process);
    w.key("target").value(f.target).key("detail").value(f.detail).key("text").value(f.line);
    w.end_object();
  }
  w.end_array();
  w.end_object();
}

// What a search reports beside the counts every test has.
void write_search(JsonWriter& w, const TestReport& t) {
  w.key("schedules_explored").value(t.schedules_explored);
  w.key("abandoned").value(t.abandoned);
  w.key("complete").value(t.complete);
  w.key("failing_schedules").value(t.failing_schedules);
  if (t.states) {
    w.key("states").value(*t.states);
    w.key("state_cache_hits").value(t.state_cache_hits);
    w.key("state_cache_turned_on").value(t.state_cache_turned_on);
    w.key("states_include_time").value(t.states_with_time);
    w.key("states_include_ids").value(t.states_with_ids);
    if (t.shortest_depth) w.key("shortest_depth").value(static_cast<uint64_t>(*t.shortest_depth));
    if (t.bitstate_bytes) {
      w.key("bitstate_bytes").value(t.bitstate_bytes);
      w.key("omission_probability").value(t.omission_probability);
    }
  }
  if (t.shard_count > 1) w.key("shard").value(std::to_string(t.shard_index) + "/" + std::to_string(t.shard_count));
  if (t.delay_bound) {
    w.key("delay_bound").value(*t.delay_bound);
    w.key("beyond_bound").value(t.beyond_bound);
    if (t.fewest_delays) w.key("fewest_delays").value(true);
  }
}

void write_test(JsonWriter& w, const TestReport& t) {
  w.begin_object();
  w.key("file").value(t.file);
  w.key("name").value(t.name);
  w.key("status").value(t.status == TestReport::Status::kPassed  ? "passed"
                        : t.status == TestReport::Status::kBug   ? "bug"
                        : t.status == TestReport::Status::kUnmet ? "unmet"
                                                                 : "error");
  w.key("strategy").value(t.strategy);
  w.key("seed").value(t.seed);
  w.key("iterations_run").value(t.iterations_run);
  w.key("steps").value(t.steps);
  w.key("max_steps_hits").value(t.max_steps_hits);
  w.key("wall_seconds").value(t.wall_seconds);
  if (t.search) write_search(w, t);
  if (t.interrupted) w.key("interrupted").value(true);
  // What ended the test short of its work, if anything.
  if (t.bounded_by_time) {
    w.key("bounded_by").value("time");
  } else if (t.interrupted) {
    w.key("bounded_by").value("interrupt");
  } else if (t.status == TestReport::Status::kPassed && (!t.search || !t.complete)) {
    w.key("bounded_by").value("iterations");
  } else {
    w.key("bounded_by").null();
  }
  if (t.status == TestReport::Status::kError) w.key("error").value(t.error);
  if (!t.warnings.empty()) {
    w.key("warnings").begin_array();
    for (const TestReport::Warning& warning : t.warnings) {
      w.begin_object().key("kind").value(warning.kind).key("message").value(warning.message).end_object();
    }
    w.end_array();
  }
  if (!t.goals.empty()) {
    w.key("goals").begin_array();
    for (const TestReport::Goal& g : t.goals) {
      w.begin_object().key("name").value(g.count.name).key("location").value(g.count.location);
      w.key("kind").value(g.count.unreachable ? "unreachable" : "sometimes");
      w.key("met").value(g.count.met).key("missed").value(g.count.missed);
      if (g.first_met) w.key("first_met").value(g.first_met);
      w.end_object();
    }
    w.end_array();
  }
  if (t.coverage) write_coverage(w, *t.coverage);
  if (t.bug) write_bug(w, *t.bug);
  w.end_object();
}

}  // namespace

void JsonReporter::run_finished(const RunSummary& s) {
  JsonWriter w;
  w.begin_object().key("tests").begin_array();
  for (const auto& t : s.tests) write_test(w, t);
  for (const auto& [file, message] : s.load_failures) {  // a file that could not be loaded is a test entry too
    w.begin_object();
    w.key("file").value(file);
    w.key("name").null();
    w.key("status").value("error");
    w.key("error").value(message);
    w.end_object();
  }
  w.end_array();
  w.key("summary").begin_object();
  w.key("tests").value(static_cast<uint64_t>(s.tests.size()));
  w.key("passed").value(s.passed);
  w.key("bugs").value(s.bugs);
  w.key("unmet").value(s.unmet);
  w.key("errors").value(s.errors + s.load_errors);
  w.key("iterations").value(s.iterations);
  w.key("steps").value(s.steps);
  w.key("max_steps_hits").value(s.max_steps_hits);
  w.key("warnings").value(s.warnings);
  w.key("strict").value(s.strict);
  w.key("wall_seconds").value(s.wall_seconds);
  if (s.interrupted_by) {
    w.key("interrupted").value(s.interrupted_by == SIGTERM ? "SIGTERM" : "SIGINT");
  } else {
    w.key("interrupted").null();
  }
  w.end_object().end_object();
  out_ << w.str() << "\n";
}

std::span<const ReportFormat> report_formats() {
  static const ReportFormat kFormats[] = {
      {"text", "a line per test, each bug with its causal slice, and a summary",
       [](std::ostream& out, std::ostream& err,
          const TextStyle& style) -> std::unique_ptr<Reporter> {
         return std::make_unique<TextReporter>(out, err, style);
       }},
      {"json", "one JSON document on stdout (logs on stderr)",
       [](std::ostream& out, std::ostream& err, const TextStyle&) -> std::unique_ptr<Reporter> {
         return std::make_unique<JsonReporter>(out, err);
       }},
  };
  return kFormats;
}

const ReportFormat* find_report_format(std::string_view name) {
  for (const ReportFormat& f : report_formats()) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

}  // namespace lockstep
