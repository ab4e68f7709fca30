#include "engine/report/merge.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

#include "engine/base/json.h"

namespace lockstep {
namespace {

FailureKind failure_kind_from(const std::string& name) {
  for (int k = 0; k <= static_cast<int>(FailureKind::kLiveness); ++k) {
    if (failure_kind_name(static_cast<FailureKind>(k)) == name) return static_cast<FailureKind>(k);
  }
  return FailureKind::kNone;
}

TestReport test_from(const JsonValue& t) {
  TestReport r;
  r.file = t.str("file");
  r.name = t.str("name");
  const std::string status = t.str("status");
  r.status = status == "bug" ? TestReport::Status::kBug
             : status == "error" ? TestReport::Status::kError
                                 : TestReport::Status::kPassed;
  r.strategy = t.str("strategy");
  r.seed = t.u64("seed");
  r.iterations_run = t.u64("iterations_run");
  r.steps = t.u64("steps");
  r.max_steps_hits = t.u64("max_steps_hits");
  r.wall_seconds = t.number("wall_seconds");
  r.error = t.str("error");
  if (t.get("schedules_explored")) {
    r.search = true;
    r.schedules_explored = t.u64("schedules_explored");
    r.abandoned = t.u64("abandoned");
    r.complete = t.flag("complete");
    r.failing_schedules = t.u64("failing_schedules");
    if (t.get("delay_bound")) {
      r.delay_bound = t.u64("delay_bound");
      r.beyond_bound = t.u64("beyond_bound");
    }
    unsigned long long k = 0, n = 0;
    if (const std::string shard = t.str("shard");
        !shard.empty() && std::sscanf(shard.c_str(), "%llu/%llu", &k, &n) == 2 && k < n) {
      r.shard_index = k;
      r.shard_count = n;
    }
  }
  if (const JsonValue* b = t.get("bug"); b && b->type == JsonValue::Type::kObject) {
    BugReport bug;
    bug.failure.kind = failure_kind_from(b->str("kind"));
    bug.failure.step = static_cast<uint32_t>(b->u64("step"));
    const std::string process = b->str("process");
    bug.failure.pid = process.size() > 1 ? std::stoll(process.substr(1)) : -1;
    bug.failure.message = b->str("message");
    bug.failure.location = b->str("location");
    bug.failure.details = b->str("details");
    bug.iteration = b->u64("iteration");
    bug.iteration_seed = b->get("iteration_seed_str") ? std::stoull(b->str("iteration_seed_str")) : b->u64("iteration_seed");
    bug.trace_path = b->str("trace");
    bug.shard_index = r.shard_index;
    bug.shard_count = r.shard_count;
    r.bug = bug;
  }
  return r;
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
      TestReport r = test_from(t);
      auto [it, fresh] = index.try_emplace({r.file, r.name}, out.tests.size());
      if (fresh) {
        parts.emplace_back();
        if (r.shard_count > 1) parts.back().insert(r.shard_index);
        out.tests.push_back(std::move(r));
        continue;
      }
      TestReport& m = out.tests[it->second];
      if (m.search && m.shard_count != r.shard_count) {
        return Status::InvalidArgument(name + ": test \"" + r.name + "\" was split into " +
                                       std::to_string(r.shard_count) + " shards, in other results into " +
                                       std::to_string(m.shard_count));
      }
      if (r.shard_count > 1 && !parts[it->second].insert(r.shard_index).second) {
        return Status::InvalidArgument(name + ": test \"" + r.name + "\": shard " + std::to_string(r.shard_index) +
                                       "/" + std::to_string(r.shard_count) + " is given twice");
      }
      if (m.strategy != r.strategy || m.seed != r.seed) {
        return Status::InvalidArgument(name + ": test \"" + r.name + "\" ran with strategy " + r.strategy + " seed " +
                                       std::to_string(r.seed) + ", other shards with " + m.strategy + " seed " +
                                       std::to_string(m.seed));
      }
      m.iterations_run += r.iterations_run;
      m.steps += r.steps;
      m.max_steps_hits += r.max_steps_hits;
      m.schedules_explored += r.schedules_explored;
      m.abandoned += r.abandoned;
      m.failing_schedules += r.failing_schedules;
      m.beyond_bound += r.beyond_bound;
      m.complete = m.complete && r.complete;
      m.wall_seconds = std::max(m.wall_seconds, r.wall_seconds);
      if (m.status == TestReport::Status::kError) continue;
      if (r.status == TestReport::Status::kError) {
        m.status = r.status;
        m.error = r.error;
        m.bug.reset();
      } else if (r.status == TestReport::Status::kBug && (!m.bug || r.bug->iteration < m.bug->iteration)) {
        m.status = r.status;
        m.bug = r.bug;
      }
    }
  }
  // A split search's parts merged: complete only when every part was.
  for (size_t i = 0; i < out.tests.size(); ++i) {
    TestReport& t = out.tests[i];
    if (t.shard_count < 2) continue;
    t.shards_missing = t.shard_count - parts[i].size();
    if (t.shards_missing) t.complete = false;
    t.shard_index = 0;
    t.shard_count = 1;
  }
  for (const TestReport& t : out.tests) {
    out.iterations += t.iterations_run;
    out.steps += t.steps;
    out.max_steps_hits += t.max_steps_hits;
    switch (t.status) {
      case TestReport::Status::kPassed: ++out.passed; break;
      case TestReport::Status::kBug: ++out.bugs; break;
      case TestReport::Status::kError: ++out.errors; break;
    }
  }
  out.load_errors = out.load_failures.size();
  out.wall_seconds = wall;
  return out;
}

}  // namespace lockstep
