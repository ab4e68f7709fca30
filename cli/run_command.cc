// lockstep run PATH... [options]
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>

#include "cli/commands.h"
#include "cli/paths.h"
#include "engine/report/junit.h"
#include "engine/options.h"
#include "engine/report/report.h"
#include "engine/runner.h"
#include "engine/strategy.h"
#include "lua/guest.h"

namespace lockstep::cli {
namespace {

// The first SIGINT or SIGTERM asks the run to stop at the next iteration
// boundary (the summary so far is printed, exit 130 or 143); a second one
// ends the process at once.
std::atomic<int> g_stop{0};

void on_stop_signal(int sig) {
  if (g_stop.exchange(sig) != 0) {
    std::signal(sig, SIG_DFL);
    std::raise(sig);
  }
}

// The most parts --shard splits a run into: a split search weighs every
// part while planning, so its cost grows with N.
constexpr unsigned long long kMaxShards = 100000;

struct RunFlags {
  std::vector<std::string> paths;
  RunConfig config;
  std::string format = "text";
  std::string shard;
  bool full = false;
  bool coverage = false;
  std::string junit;
  uint64_t iteration = 0;
  unsigned jobs = 0;
  // One slot per option of the option table (engine/options.h), by name.
  std::map<std::string, std::string> options;
  std::map<std::string, bool> flags;
};

// --jobs (or LOCKSTEP_JOBS) and --shard K/N into the run's config.
Status read_jobs_and_shard(RunFlags& f, CLI::App& sub) {
  auto jobs = jobs_option(sub, f.jobs);
  if (!jobs.ok()) return jobs.status();
  f.config.jobs = *jobs;
  if (!f.shard.empty()) {
    unsigned long long k = 0, n = 0;
    char tail = 0;
    const bool digits = f.shard.find_first_not_of("0123456789/") == std::string::npos;
    if (!digits || std::sscanf(f.shard.c_str(), "%llu/%llu%c", &k, &n, &tail) != 2 || n == 0 ||
        k >= n) {
      return Status::InvalidArgument("--shard must be K/N with 0 <= K < N, not \"" + f.shard + "\"");
    }
    if (n > kMaxShards) {  // a search plans all N parts before it runs its own
      return Status::InvalidArgument("--shard: at most " + std::to_string(kMaxShards) + " parts, not " +
                                     std::to_string(n));
    }
    f.config.shard_index = k;
    f.config.shard_count = n;
  }

  return Status::Ok();
}

void catch_stop_signals() {
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  ::sigaction(SIGINT, &action, nullptr);
  ::sigaction(SIGTERM, &action, nullptr);
}

int run(RunFlags& f, CLI::App& sub, const GlobalOptions& global) {
  for (const OptionSpec* spec : all_options()) {
    const std::string flag(spec->flag), name(spec->name);
    if (sub.count(flag) == 0) continue;
    f.config.overrides[name] = spec->type == OptionType::kFlag ? "true" : f.options[name];
  }
  if (Status ok = check_flags(f.config.overrides); !ok.ok()) {
    print_error(ok.message());
    return kExitUsage;
  }
  if (sub.count("--iteration")) f.config.only_iteration = f.iteration;
  f.config.show_logs = global.verbose && f.format == "text";
  f.config.coverage = f.coverage;  // costs a step its share: only when asked
  if (Status ok = read_jobs_and_shard(f, sub); !ok.ok()) {
    print_error(ok.message());
    return kExitUsage;
  }
  auto files = scenario_files(f.paths);
  if (!files.ok()) {
    print_error(files.status().message());
    return kExitUsage;
  }
  TextStyle style;
  style.color = use_color();
  const char* no_slice = std::getenv("LOCKSTEP_NO_CAUSAL_SLICE");
  style.full_schedule = f.full || (no_slice && *no_slice && std::string(no_slice) != "0");
  style.max_rows = style.full_schedule || global.verbose ? 0 : 200;  // -v: every line of the slice
  style.fold_repeats = !f.full;
  style.coverage = f.coverage;
  style.strict = f.config.strict;
  style.quiet = global.quiet;
  style.progress = !global.quiet && ::isatty(STDERR_FILENO) != 0;
  FanoutReporter reporter;
  reporter.add(find_report_format(f.format)->make(std::cout, std::cerr, style));
  JUnitReporter* junit = nullptr;
  if (!f.junit.empty()) {
    auto j = std::make_unique<JUnitReporter>(f.junit);
    junit = j.get();
    reporter.add(std::move(j));
  }
  // A top level that never returns costs one --iter-timeout when the flag is given.
  auto bound = lua::LuaProgram::kTopLevelBound;
  if (auto it = f.config.overrides.find("iter_timeout"); it != f.config.overrides.end()) {
    bound = std::chrono::milliseconds(std::strtoull(it->second.c_str(), nullptr, 10));
  }
  const ProgramLoader loader = [bound](const std::string& path) { return lua::LuaProgram::load(path, bound); };
  f.config.stop = &g_stop;
  catch_stop_signals();
  RunSummary summary = run_files(*files, f.config, loader, reporter);
  if (junit && !junit->written().ok()) {
    print_error(junit->written().message());
    return kExitUsage;
  }
  if (summary.interrupted_by) return 128 + summary.interrupted_by;
  if (summary.tests.empty() && summary.load_errors == 0) {
    print_error("no test matches the given --test/--filter");
    return kExitUsage;
  }
  return exit_code(summary);
}

// Every option of the option table, and every strategy's parameters, as
// flags of `run`; values are checked against the option's row, with its words.
void add_table_options(CLI::App& sub, RunFlags& f) {
  for (const OptionSpec* spec : all_options()) {
    const std::string name(spec->name);
    std::string help(spec->help);
    if (spec->type != OptionType::kFlag) {
      help += spec->fallback.empty() ? " (default: none)"
                                     : " (default " + std::string(spec->fallback) + ")";
    }
    auto valid = CLI::Validator(
        [spec](std::string& value) {
          const Status ok = check_option(*spec, value);
          return ok.ok() ? std::string() : ok.message();
        },
        "", "option table");
    switch (spec->type) {
      case OptionType::kFlag:
        sub.add_flag(std::string(spec->flag), f.flags[name], help);
        break;
      case OptionType::kCount:
      case OptionType::kNumber:
        sub.add_option(std::string(spec->flag), f.options[name], help)
            ->check(valid)
            ->type_name("N");
        break;
      case OptionType::kChoice:
        sub.add_option(std::string(spec->flag), f.options[name], help)
            ->check(valid)
            ->type_name(std::string(spec->choices));
        break;
      case OptionType::kFaults:
        sub.add_option(std::string(spec->flag), f.options[name], help)
            ->check(valid)
            ->type_name("KIND=N,...");
        break;
      case OptionType::kName: {  // the strategy: choices and help from the strategy table
        std::vector<std::string> names;
        help += ":";
        for (const auto& s : strategies()) {
          names.emplace_back(s.name);
          help += "\n  " + std::string(s.name) + ": " + std::string(s.help);
        }
        sub.add_option(std::string(spec->flag), f.options[name], help)
            ->check(CLI::IsMember(names))
            ->type_name("NAME");
        break;
      }
    }
  }
}

}  // namespace

Command run_command() {
  return {
      "run", "run every test in the given .lua files or directories",
      [](CLI::App& sub, const GlobalOptions& global) -> std::function<int()> {
        auto f = std::make_shared<RunFlags>();
        sub.add_option("paths", f->paths, "scenario files or directories")->required();
        sub.add_option("--test", f->config.test_names,
                       "run only the test with this exact name (repeatable)");
        sub.add_option("--filter", f->config.filter, "run only tests whose name contains this");
        sub.add_option("--iteration", f->iteration,
                       "run only iteration I (reproduce a reported bug)");
        add_table_options(sub, *f);
        sub.add_option("--traces-dir", f->config.traces_dir,
                       "where trace files go (default traces/)");
        sub.add_option("--shard", f->shard,
                       "run part K of N (K/N, N at most 100000): iterations i with i mod N == K; dfs: part K "
                       "of the search tree (combine the parts' --format json with lockstep merge)");
        sub.add_option(
               "--jobs", f->jobs,
               "worker threads (default 1, or LOCKSTEP_JOBS); the result does not depend on it")
            ->check(CLI::Range(1, 256));
        std::vector<std::string> formats;
        std::string format_help = "how results are printed (default text):";
        for (const ReportFormat& rf : report_formats()) {
          formats.emplace_back(rf.name);
          format_help += "\n  " + std::string(rf.name) + ": " + std::string(rf.help);
        }
        sub.add_option("--format", f->format, format_help)
            ->check(CLI::IsMember(formats))
            ->type_name("FORMAT");
        sub.add_flag("--full", f->full, "print the whole schedule of a bug, every step: not its causal slice, no repeats folded");
        sub.add_flag(
            "--keep-going", f->config.keep_going,
            "dfs: explore on after a bug, counting the schedules that fail (the first is traced)");
        sub.add_flag("--coverage", f->coverage,
                     "print what each test's iterations reached: reads-from pairs, receive events, schedule "
                     "classes, and when each stopped growing (in JSON too: a \"coverage\" object per test)");
        sub.add_flag("--strict", f->config.strict,
                     "fail (exit 1) a test that passed with a warning: a search that stopped short of a proof, "
                     "iterations cut off at max_steps, a fault budget never used, liveness monitors judged "
                     "only under an unfair strategy");
        sub.add_option("--junit", f->junit,
                       "also write a JUnit XML report to FILE (one test case per test)")
            ->type_name("FILE");
        CLI::App* app = &sub;
        return [f, app, &global] { return run(*f, *app, global); };
      }};
}

}  // namespace lockstep::cli
