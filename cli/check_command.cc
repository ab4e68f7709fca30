// lockstep check --history FILE --model MODEL [--consistency C] [--format json]
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
};

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
  const checker::CheckResult r =
      checker::check(*ops, *model,
                     f.consistency == "sequential" ? checker::Consistency::kSequential : checker::Consistency::kLinearizable);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (f.format == "json") {
    JsonWriter w;
    w.begin_object();
    w.key("file").value(f.history);
    w.key("model").value(f.model);
    w.key("consistency").value(f.consistency);
    w.key("valid").value(r.ok);
    w.key("operations").value(static_cast<uint64_t>(ops->size()));
    w.key("explored").value(r.explored);
    w.key("seconds").value(seconds);
    if (!r.ok) w.key("explanation").value(r.explanation);
    w.end_object();
    std::cout << w.str() << "\n";
  } else {
    std::cout << f.history << ": " << (r.ok ? f.consistency : "NOT " + f.consistency) << " (" << ops->size()
              << " operations, model " << f.model << ")\n";
    if (!r.ok) std::cout << r.explanation << "\n";
  }
  return r.ok ? kExitOk : kExitBug;
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
            return [f] { return check(*f); };
          }};
}

}  // namespace lockstep::cli
