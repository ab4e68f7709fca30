#include "engine/report/merge.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

#include "engine/base/json.h"

namespace lockstep {
namespace {

FailureKind failure_kind_from(const std::string& name) {
  for (int k = 0; k <= static_cast<int>(FailureKind::kUnreachable); ++k) {
    if (failure_kind_name(static_cast<FailureKind>(k)) == name) return static_cast<FailureKind>(k);
  }
  return FailureKind::kNone;
}

// Reads a result's counts strictly: a field that is there must be what
// lockstep writes (a non-negative integer within 64 bits, a pid "P3");
// the first that is not is the error, naming the field.
class Fields {
 public:
  explicit Fields(const JsonValue& object, std::string where) : o_(object), where_(std::move(where)) {}

  uint64_t u64(std::string_view key) {
    const JsonValue* v = o_.get(key);
    if (!v) return 0;
    if (v->type == JsonValue::Type::kNumber) return digits(key, v->text);
    return bad(key, "a non-negative integer", v->type == JsonValue::Type::kString ? v->text : "");
  }
  // A number written as a string (iteration_seed_str): exact beyond 2^53.
  uint64_t u64_text(std::string_view key) { return digits(key, o_.str(key)); }
  int64_t pid(std::string_view key) {
    const std::string text = o_.str(key);
    if (text.empty()) return -1;
    if (text.size() < 2 || text.size() > 20 || text[0] != 'P' ||
        text.find_first_not_of("0123456789", 1) != std::string::npos) {
      return bad(key, "a process such as \"P3\"", text), -1;
    }
    return static_cast<int64_t>(digits(key, text.substr(1)) & 0x7fffffffffffffffull);
  }
  const std::string& error() const { return error_; }

 private:
  uint64_t digits(std::string_view key, const std::string& text) {
    uint64_t n = 0;
    bool ok = !text.empty() && text.size() <= 20;
    for (char c : text) {
      if (!ok) break;
      ok = c >= '0' && c <= '9' && !__builtin_mul_overflow(n, 10, &n) && !__builtin_add_overflow(n, c - '0', &n);
    }
    return ok ? n : bad(key, "a non-negative integer within 64 bits", text);
  }
  uint64_t bad(std::string_view key, const char* wanted, const std::string& text) {
    if (error_.empty()) {
      error_ = where_ + ": field \"" + std::string(key) + "\" must be " + wanted +
               (text.empty() ? std::string() : ", not \"" + text.substr(0, 40) + "\"");
    }
    return 0;
  }
  const JsonValue& o_;
  std::string where_;
  std::string error_;
};

// a += b, or false when the sum passes 64 bits.
bool add_to(uint64_t& a, uint64_t b) { return !__builtin_add_overflow(a, b, &a); }

// Adds part r's goals to m's: counts summed; the run that first met one is
// known only within a part, so a merged goal keeps none (0).
bool merge_goals(TestReport& m, const TestReport& r) {
  for (const TestReport::Goal& g : r.goals) {
    auto it = std::find_if(m.goals.begin(), m.goals.end(), [&](const TestReport::Goal& x) {
      return x.count.name == g.count.name && x.count.location == g.count.location;
    });
    if (it == m.goals.end()) {
      m.goals.push_back(g);
      m.goals.back().first_met = 0;
      continue;
    }
    if (!add_to(it->count.met, g.count.met) || !add_to(it->count.missed, g.count.missed)) return false;
    it->first_met = 0;
  }
  for (TestReport::Goal& g : m.goals) g.first_met = 0;
  return true;
}

Status goals_from(const JsonValue& t, const std::string& where, TestReport& r) {
  const JsonValue* goals = t.get("goals");
  if (!goals || goals->type != JsonValue::Type::kArray) return Status::Ok();
  for (const JsonValue& g : goals->items) {
    Fields h(g, where + ": goals");
    TestReport::Goal goal;
    goal.count.name = g.str("name");
    goal.count.location = g.str("location");
    goal.count.unreachable = g.str("kind") == "unreachable";
    goal.count.met = h.u64("met");
    goal.count.missed = h.u64("missed");
    goal.first_met = g.get("first_met") ? h.u64("first_met") : 0;
    if (!h.error().empty()) return Status::InvalidArgument(h.error());
    r.goals.push_back(std::move(goal));
  }
  return Status::Ok();
}

// The counts of an exhaustive search (present when it was one).
void search_from(const JsonValue& t, Fields& f, TestReport& r) {
  if (!t.get("schedules_explored")) return;
  r.search = true;
  r.schedules_explored = f.u64("schedules_explored");
  r.abandoned = f.u64("abandoned");
  r.complete = t.flag("complete");
  r.failing_schedules = f.u64("failing_schedules");
  if (t.get("delay_bound")) {
    r.delay_bound = f.u64("delay_bound");
    r.beyond_bound = f.u64("beyond_bound");
  }
  unsigned long long k = 0, n = 0;
  if (const std::string shard = t.str("shard");
      !shard.empty() && std::sscanf(shard.c_str(), "%llu/%llu", &k, &n) == 2 && k < n) {
    r.shard_index = k;
    r.shard_count = n;
  }
}

Result<InjectedFault> fault_from(const JsonValue& f, const std::string& where) {
  InjectedFault fault;
  if (f.type == JsonValue::Type::kString) {  // written by a lockstep before faults had fields
    fault.line = f.text;
    return fault;
  }
  Fields h(f, where + ": faults");
  fault.step = static_cast<uint32_t>(h.u64("step"));
  fault.kind = f.str("kind");
  fault.process = f.str("process");
  fault.target = f.str("target");
  fault.detail = f.str("detail");
  fault.line = f.str("text");
  if (!h.error().empty()) return Status::InvalidArgument(h.error());
  return fault;
}

Result<BugReport> bug_from(const JsonValue& b, const std::string& where) {
  Fields g(b, where);
  BugReport bug;
  bug.failure.kind = failure_kind_from(b.str("kind"));
  bug.failure.step = static_cast<uint32_t>(g.u64("step"));
  bug.failure.pid = g.pid("process");
  bug.failure.message = b.str("message");
  bug.failure.location = b.str("location");
  bug.failure.details = b.str("details");
  bug.iteration = g.u64("iteration");
  bug.iteration_seed = b.get("iteration_seed_str") ? g.u64_text("iteration_seed_str") : g.u64("iteration_seed");
  bug.trace_path = b.str("trace");
  if (const JsonValue* faults = b.get("faults"); faults && faults->type == JsonValue::Type::kArray) {
    for (const JsonValue& f : faults->items) {
      Result<InjectedFault> fault = fault_from(f, where);
      if (!fault.ok()) return fault.status();
      bug.faults.push_back(std::move(*fault));
    }
  }
  if (!g.error().empty()) return Status::InvalidArgument(g.error());
  return bug;
}

Result<TestReport> test_from(const JsonValue& t, const std::string& file) {
  TestReport r;
  r.file = t.str("file");
  r.name = t.str("name");
  const std::string where = file + ": test \"" + r.name + "\"";
  Fields f(t, where);
  const std::string status = t.str("status");
  // "unmet" is judged again once the parts' goals are summed.
  r.status = status == "bug" ? TestReport::Status::kBug
             : status == "error" ? TestReport::Status::kError
                                 : TestReport::Status::kPassed;
  if (Status s = goals_from(t, where, r); !s.ok()) return s;
  r.strategy = t.str("strategy");
  r.seed = f.u64("seed");
  r.iterations_run = f.u64("iterations_run");
  r.steps = f.u64("steps");
  r.max_steps_hits = f.u64("max_steps_hits");
  r.wall_seconds = t.number("wall_seconds");
  r.error = t.str("error");
  search_from(t, f, r);
  if (const JsonValue* w = t.get("warnings"); w && w->type == JsonValue::Type::kArray) {
    for (const JsonValue& item : w->items) r.warnings.push_back({item.str("kind"), item.str("message")});
  }
  if (const JsonValue* b = t.get("bug"); b && b->type == JsonValue::Type::kObject) {
    Result<BugReport> bug = bug_from(*b, where + ": bug");
    if (!bug.ok()) return bug.status();
    bug->shard_index = r.shard_index;
    bug->shard_count = r.shard_count;
    r.bug = std::move(*bug);
  }
  if (!f.error().empty()) return Status::InvalidArgument(f.error());
  return r;
}

// Adds part `r` (from document `name`) to test `m` read from earlier parts;
// `parts` holds the shard indexes of a split search merged so far.
Status add_part(TestReport& m, const TestReport& r, const std::string& name, std::set<uint64_t>& parts) {
  const std::string test = name + ": test \"" + r.name + "\"";
  if (m.search && m.shard_count != r.shard_count) {
    return Status::InvalidArgument(test + " was split into " + std::to_string(r.shard_count) +
                                   " shards, in other results into " + std::to_string(m.shard_count));
  }
  if (r.shard_count > 1 && !parts.insert(r.shard_index).second) {
    return Status::InvalidArgument(test + ": shard " + std::to_string(r.shard_index) + "/" +
                                   std::to_string(r.shard_count) + " is given twice");
  }
  if (m.strategy != r.strategy || m.seed != r.seed) {
    return Status::InvalidArgument(test + " ran with strategy " + r.strategy + " seed " + std::to_string(r.seed) +
                                   ", other shards with " + m.strategy + " seed " + std::to_string(m.seed));
  }
  if (!add_to(m.iterations_run, r.iterations_run) || !add_to(m.steps, r.steps) ||
      !add_to(m.max_steps_hits, r.max_steps_hits) || !add_to(m.schedules_explored, r.schedules_explored) ||
      !add_to(m.abandoned, r.abandoned) || !add_to(m.failing_schedules, r.failing_schedules) ||
      !add_to(m.beyond_bound, r.beyond_bound)) {
    return Status::InvalidArgument(test + ": its counts and the other parts' add up past 64 bits");
  }
  m.complete = m.complete && r.complete;
  m.wall_seconds = std::max(m.wall_seconds, r.wall_seconds);
  for (const TestReport::Warning& w : r.warnings) {  // what any part warned of, once
    const bool known = std::any_of(m.warnings.begin(), m.warnings.end(), [&](const TestReport::Warning& x) {
      return x.kind == w.kind && x.message == w.message;
    });
    if (!known) m.warnings.push_back(w);
  }
  if (!merge_goals(m, r)) {
    return Status::InvalidArgument(test + ": its goal counts and the other parts' add up past 64 bits");
  }
  if (m.status == TestReport::Status::kError) return Status::Ok();
  if (r.status == TestReport::Status::kError) {
    m.status = r.status;
    m.error = r.error;
    m.bug.reset();
  } else if (r.status == TestReport::Status::kBug && (!m.bug || r.bug->iteration < m.bug->iteration)) {
    m.status = r.status;
    m.bug = r.bug;
  }
  return Status::Ok();
}

// Once every part is in: a split search is complete only when every part
// was; a goal met in any part is met, and one met in none leaves the test
// unmet; the summary counts the tests.
Status finish(RunSummary& out, const std::vector<std::set<uint64_t>>& parts) {
  for (size_t i = 0; i < out.tests.size(); ++i) {
    TestReport& t = out.tests[i];
    if (t.shard_count < 2) continue;
    t.shards_missing = t.shard_count - parts[i].size();
    if (t.shards_missing) t.complete = false;
    t.shard_index = 0;
    t.shard_count = 1;
  }
  for (TestReport& t : out.tests) {
    if (t.status != TestReport::Status::kPassed) continue;
    for (const TestReport::Goal& g : t.goals) {
      if (!g.count.unreachable && g.count.met == 0) t.status = TestReport::Status::kUnmet;
    }
  }
  for (const TestReport& t : out.tests) {
    out.warnings += t.warnings.size();
    if (!add_to(out.iterations, t.iterations_run) || !add_to(out.steps, t.steps) ||
        !add_to(out.max_steps_hits, t.max_steps_hits)) {
      return Status::InvalidArgument("the results' counts add up past 64 bits");
    }
    switch (t.status) {
      case TestReport::Status::kPassed: ++out.passed; break;
      case TestReport::Status::kBug: ++out.bugs; break;
      case TestReport::Status::kError: ++out.errors; break;
      case TestReport::Status::kUnmet: ++out.unmet; break;
    }
  }
  out.load_errors = out.load_failures.size();
  return Status::Ok();
}

}  // namespace

Result<RunSummary> merge_results(const std::vector<std::pair<std::string, std::string>>& documents) {
  RunSummary out;
  std::map<std::pair<std::string, std::string>, size_t> index;  // (file, name) -> out.tests
  std::vector<std::set<uint64_t>> parts;  // per test: the parts of a split search merged
  double wall = 0;
  for (const auto& [name, text] : documents) {
    auto doc = parse_json(text);
    if (!doc.ok()) return Status::InvalidArgument(name + ": not a lockstep JSON result (" + doc.status().message() + ")");
    const JsonValue* tests = doc->get("tests");
    const JsonValue* summary = doc->get("summary");
    if (!tests || tests->type != JsonValue::Type::kArray || !summary) {
      return Status::InvalidArgument(name + ": not a lockstep JSON result (no \"tests\" and \"summary\")");
    }
    wall = std::max(wall, summary->number("wall_seconds"));
    for (const JsonValue& t : tests->items) {
      if (const JsonValue* n = t.get("name"); !n || n->type != JsonValue::Type::kString) {
        const std::string file = t.str("file");
        const bool seen = std::any_of(out.load_failures.begin(), out.load_failures.end(),
                                      [&](const auto& f) { return f.first == file; });
        if (!seen) out.load_failures.emplace_back(file, t.str("error"));
        continue;
      }
      Result<TestReport> read = test_from(t, name);
      if (!read.ok()) return read.status();
      auto [it, fresh] = index.try_emplace({read->file, read->name}, out.tests.size());
      if (fresh) {
        parts.emplace_back();
        if (read->shard_count > 1) parts.back().insert(read->shard_index);
        out.tests.push_back(std::move(*read));
      } else if (Status s = add_part(out.tests[it->second], *read, name, parts[it->second]); !s.ok()) {
        return s;
      }
    }
  }
  if (Status s = finish(out, parts); !s.ok()) return s;
  out.wall_seconds = wall;
  return out;
}

}  // namespace lockstep
