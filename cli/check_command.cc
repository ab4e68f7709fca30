// lockstep check --history FILE --model MODEL [--consistency C] [--format json]
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/commands.h"
#include "engine/checker/history_io.h"
#include "engine/json.h"

namespace lockstep::cli {
namespace {

struct CheckFlags {
  std::string history, model = "register", consistency = "linearizable", format = "text", initial = "nil";
  double timeout = 0;
  uint64_t max_memory_mb = 0;
};

// Half the machine's memory: a check past it ends with "unknown (memory)"
// rather than being killed.
uint64_t default_max_memory_mb() {
  const long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGE_SIZE);
  if (pages <= 0 || size <= 0) return 4096;
  return static_cast<uint64_t>(pages) / 2 * static_cast<uint64_t>(size) >> 20;
}

int check(const CheckFlags& f) {
  std::ifstream in(f.history, std::ios::binary);
  if (!in) {
    print_error(f.history + ": cannot read the history");
    return kExitUsage;
  }
  std::stringstream buf;
  buf << in.rdbuf();
  auto ops = checker::parse_history(buf.str(), f.history);
  if (!ops.ok()) {
    print_error(ops.status().message());
    return kExitUsage;
  }
  checker::Value initial;
  if (f.initial != "nil") {
    try {
      size_t used = 0;
      initial = checker::Value::integer(std::stoll(f.initial, &used));
      if (used != f.initial.size()) throw std::invalid_argument(f.initial);
    } catch (const std::exception&) {
      print_error("--initial must be an integer or nil, not \"" + f.initial + "\"");
      return kExitUsage;
    }
  }
  auto model = checker::make_model(f.model, initial);
  if (Status known = checker::check_operations(*ops, *model); !known.ok()) {
    print_error(f.history + ": " + known.message());
    return kExitUsage;
  }
  const auto start = std::chrono::steady_clock::now();
  checker::CheckLimits limits;
  limits.seconds = f.timeout;
  limits.memory_bytes = (f.max_memory_mb ? f.max_memory_mb : default_max_memory_mb()) << 20;
  const checker::CheckResult r = checker::check(
      *ops, *model,
      f.consistency == "sequential" ? checker::Consistency::kSequential : checker::Consistency::kLinearizable, limits);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  using Verdict = checker::CheckResult::Verdict;
  const std::string verdict = r.verdict == Verdict::kConsistent  ? f.consistency
                              : r.verdict == Verdict::kViolation ? "not " + f.consistency
                                                                 : "unknown (" + r.unknown + ")";
  if (f.format == "json") {
    JsonWriter w;
    w.begin_object();
    w.key("file").value(f.history);
    w.key("model").value(f.model);
    w.key("consistency").value(f.consistency);
    w.key("verdict").value(verdict);
    w.key("valid");
    if (r.verdict == Verdict::kUnknown) w.null();
    else w.value(r.ok);
    w.key("operations").value(static_cast<uint64_t>(ops->size()));
    w.key("parts").value(static_cast<uint64_t>(r.parts));
    w.key("decided_by_zones").value(static_cast<uint64_t>(r.by_zones));
    w.key("unknown_reads_dropped").value(static_cast<uint64_t>(r.dropped));
    w.key("explored").value(r.explored);
    w.key("peak_memory_bytes").value(r.memory);
    w.key("seconds").value(seconds);
    if (!r.partition.empty()) w.key("key").value(r.partition);
    if (!r.ok) w.key("explanation").value(r.explanation);
    w.end_object();
    std::cout << w.str() << "\n";
  } else {
    const std::string shown = r.verdict == Verdict::kViolation ? "NOT " + f.consistency : verdict;
    std::cout << f.history << ": " << shown << " (" << ops->size() << " operations, model " << f.model << ")\n";
    if (!r.ok) std::cout << r.explanation << "\n";
  }
  switch (r.verdict) {
    case Verdict::kConsistent: return kExitOk;
    case Verdict::kViolation: return kExitBug;
    case Verdict::kUnknown: break;
  }
  return kExitUnknown;
}

}  // namespace

Command check_command() {
  return {"check", "check a recorded history for linearizability (or sequential consistency)",
          [](CLI::App& sub, const GlobalOptions&) -> std::function<int()> {
            auto f = std::make_shared<CheckFlags>();
            sub.add_option("--history", f->history, "history file: Jepsen log, EDN lines or JSON lines")->required();
            sub.add_option("--model", f->model, "sequential model (default register)")
                ->check(CLI::IsMember({"register", "cas_register", "kv", "counter", "queue", "set"}));
            sub.add_option("--consistency", f->consistency, "linearizable (default) or sequential")
                ->check(CLI::IsMember({"linearizable", "sequential"}));
            sub.add_option("--format", f->format, "text or json")->check(CLI::IsMember({"text", "json"}));
            sub.add_option("--initial", f->initial,
                           "the register's (or counter's) value before the history: an integer, or nil (default; "
                           "the counter starts at 0)");
            sub.add_option("--timeout", f->timeout,
                           "give up after this many seconds with the verdict \"unknown (timeout)\", exit 5 "
                           "(default: no limit)")
                ->check(CLI::NonNegativeNumber)
                ->type_name("SECONDS");
            sub.add_option("--max-memory", f->max_memory_mb,
                           "give up when the search holds this many MB, with the verdict \"unknown (memory)\", "
                           "exit 5 (default: half the machine's memory)")
                ->check(CLI::PositiveNumber)
                ->type_name("MB");
            return [f] { return check(*f); };
          }};
}

}  // namespace lockstep::cli
