// lockstep check --history FILE --model MODEL [--consistency C] [--jobs N] [--format json]
#include <unistd.h>

#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/commands.h"
#include "engine/checker/history_io.h"
#include "engine/checker/txn.h"
#include "engine/report/txn_page.h"

namespace lockstep::cli {
namespace {

struct CheckFlags {
  std::string history, model = "register", consistency, format = "text", initial = "nil", html;
  double timeout = 0;
  uint64_t max_memory_mb = 0;
  unsigned jobs = 1;
};

// Half the machine's memory: a check past it ends with "unknown (memory)"
// rather than being killed.
uint64_t default_max_memory_mb() {
  const long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGE_SIZE);
  if (pages <= 0 || size <= 0) return 4096;
  return static_cast<uint64_t>(pages) / 2 * static_cast<uint64_t>(size) >> 20;
}

// A history of transactions (list-append, rw-register): which isolation
// levels it violates.
int check_transactions(const CheckFlags& f, const std::string& text) {
  namespace txn = checker::txn;
  txn::Model model;
  txn::parse_model(f.model, model);
  auto h = txn::parse_history(text, f.history, model);
  if (!h.ok()) {
    print_error(h.status().message());
    return kExitUsage;
  }
  if (h->txns.empty()) {
    print_error(f.history + ": no transactions to check (operations with :type and a :value of micro-operations "
                "such as [[:append :x 1] [:r :y nil]])");
    return kExitUsage;
  }
  txn::Consistency consistency = txn::strongest(*h);
  if (!f.consistency.empty() && !txn::parse_consistency(f.consistency, consistency)) {
    print_error("--consistency " + f.consistency + " is for single-object histories; " + f.model +
                " histories take read-committed, snapshot-isolation, serializable or strict-serializable");
    return kExitUsage;
  }
  txn::Limits limits;
  limits.seconds = f.timeout;
  limits.memory_bytes = (f.max_memory_mb ? f.max_memory_mb : default_max_memory_mb()) << 20;
  const txn::Report r = txn::check(*h, model, consistency, limits);
  if (!f.html.empty()) {
    std::ofstream page(f.html, std::ios::binary);
    page << render_txn_page(f.history, *h, r);
    if (!page.flush()) {
      print_error(f.html + ": cannot write the page");
      return kExitUsage;
    }
  }
  std::cout << (f.format == "json"  ? txn::report_json(f.history, *h, r)
                : f.format == "dot" ? txn::report_dot(*h, r)
                                    : txn::report_text(f.history, *h, r));
  if (r.unknown) return kExitUnknown;
  return r.valid ? kExitOk : kExitBug;
}

int check(const CheckFlags& f) {
  std::ifstream in(f.history, std::ios::binary);
  if (!in) {
    print_error(f.history + ": cannot read the history");
    return kExitUsage;
  }
  std::stringstream buf;
  buf << in.rdbuf();
  if (f.model == "list-append" || f.model == "rw-register") return check_transactions(f, buf.str());
  if (f.format == "dot" || !f.html.empty()) {
    print_error(std::string(f.format == "dot" ? "--format dot" : "--html") +
                " draws the cycles of a transactional check (--model list-append or rw-register)");
    return kExitUsage;
  }
  if (!f.consistency.empty() && f.consistency != "linearizable" && f.consistency != "sequential") {
    print_error("--consistency " + f.consistency + " is for transactional histories (--model list-append or "
                "rw-register); single-object histories take linearizable or sequential");
    return kExitUsage;
  }
  checker::FileCheck check;
  check.file = f.history;
  check.model = f.model;
  check.sequential = f.consistency == "sequential";
  if (f.initial != "nil") {
    try {
      size_t used = 0;
      check.initial = checker::Value::integer(std::stoll(f.initial, &used));
      if (used != f.initial.size()) throw std::invalid_argument(f.initial);
    } catch (const std::exception&) {
      print_error("--initial must be an integer or nil, not \"" + f.initial + "\"");
      return kExitUsage;
    }
  }
  check.limits.seconds = f.timeout;
  check.limits.memory_bytes = (f.max_memory_mb ? f.max_memory_mb : default_max_memory_mb()) << 20;
  check.limits.jobs = f.jobs;
  auto r = checker::check_history(buf.str(), check);
  if (!r.ok()) {
    print_error(r.status().message());
    return kExitUsage;
  }
  std::cout << (f.format == "json" ? checker::file_check_json(check, *r) : checker::file_check_text(check, *r));
  switch (r->result.verdict) {
    case checker::CheckResult::Verdict::kConsistent: return kExitOk;
    case checker::CheckResult::Verdict::kViolation: return kExitBug;
    case checker::CheckResult::Verdict::kUnknown: break;
  }
  return kExitUnknown;
}

}  // namespace

Command check_command() {
  return {"check",
          "check a recorded history: linearizability (or sequential consistency) of single-object operations, or "
          "the isolation level of transactions (--model list-append, rw-register)",
          [](CLI::App& sub, const GlobalOptions&) -> std::function<int()> {
            auto f = std::make_shared<CheckFlags>();
            sub.add_option("--history", f->history, "history file: Jepsen log, EDN lines or JSON lines")->required();
            sub.add_option("--model", f->model,
                           "what the history's operations act on (default register): register, cas_register, kv, "
                           "counter, queue, set (single objects); list-append, rw-register (transactions)")
                ->check(CLI::IsMember({"register", "cas_register", "kv", "counter", "queue", "set", "list-append",
                                       "rw-register"}));
            sub.add_option("--consistency", f->consistency,
                           "single objects: linearizable (default) or sequential; transactions: read-committed, "
                           "snapshot-isolation, serializable or strict-serializable (default: the strongest the "
                           "history can be judged by: strict-serializable when it records invocations)")
                ->check(CLI::IsMember({"linearizable", "sequential", "read-committed", "snapshot-isolation",
                                       "serializable", "strict-serializable"}));
            sub.add_option("--format", f->format, "text, json, or dot (the cycles of a transactional check, for Graphviz)")
                ->check(CLI::IsMember({"text", "json", "dot"}));
            sub.add_option("--html", f->html,
                           "transactions: also write a self-contained HTML page drawing each anomaly's cycle")
                ->type_name("FILE");
            sub.add_option("--initial", f->initial,
                           "the register's (or counter's) value before the history: an integer, or nil (default; "
                           "the counter starts at 0)");
            sub.add_option("--timeout", f->timeout,
                           "give up after this many seconds with the verdict \"unknown (timeout)\", exit 5 "
                           "(default and 0: no limit)")
                ->check(seconds(0))
                ->type_name("SECONDS");
            sub.add_option("--max-memory", f->max_memory_mb,
                           "give up when the search holds this many MB, with the verdict \"unknown (memory)\", "
                           "exit 5 (default: half the machine's memory)")
                ->check(CLI::PositiveNumber)
                ->type_name("MB");
            sub.add_option("--jobs", f->jobs,
                           "threads deciding independent parts (the keys of a kv history) at once (default 1, or "
                           "LOCKSTEP_JOBS); the verdict and report do not depend on it")
                ->check(CLI::Range(1, 256));
            return [f, app = &sub]() -> int {
              auto jobs = jobs_option(*app, f->jobs);
              if (!jobs.ok()) {
                print_error(jobs.status().message());
                return kExitUsage;
              }
              f->jobs = *jobs;
              return check(*f);
            };
          }};
}

}  // namespace lockstep::cli
