// lockstep shrink --trace FILE [-o OUT]
#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "cli/commands.h"
#include "cli/paths.h"
#include "cli/trace_loading.h"
#include "engine/report/report.h"
#include "engine/shrink.h"

namespace lockstep::cli {
namespace {

struct ShrinkFlags {
  std::string trace, output, scenario;
  uint64_t max_attempts = 5000;
  double max_seconds = 600;
};

int shrink(const ShrinkFlags& f, const GlobalOptions& global) {
  LoadedTrace loaded;
  if (int code = load_trace_and_scenario(f.trace, f.scenario, true, loaded); code != kExitOk) return code;
  const std::string out = f.output.empty() ? f.trace.substr(0, f.trace.rfind(".lockstep") == std::string::npos
                                                                   ? f.trace.size()
                                                                   : f.trace.rfind(".lockstep")) +
                                                 ".min.lockstep"
                                           : f.output;
  if (Status s = refuse_overwriting(out, {{"the trace", f.trace}, {"the scenario", loaded.program->path()}});
      !s.ok()) {
    print_error(s.message());
    return kExitUsage;
  }
  ShrinkOptions options;
  options.max_attempts = f.max_attempts;
  options.max_seconds = f.max_seconds;
  const bool tty = ::isatty(STDERR_FILENO) && !global.quiet;
  if (tty) {
    options.progress = [](uint64_t attempts, uint64_t best) {
      std::fprintf(stderr, "\rshrinking: %llu attempts, best %llu steps   ", static_cast<unsigned long long>(attempts),
                   static_cast<unsigned long long>(best));
    };
  }
  ShrinkResult r = shrink_trace(loaded.trace, *loaded.program, options);
  if (tty) std::fprintf(stderr, "\r%60s\r", "");
  switch (r.verdict) {
    case ShrinkResult::Verdict::kError:
      print_error(r.status.message());
      return exit_code(r.status);
    case ShrinkResult::Verdict::kDoesNotReproduce:
      print_error(f.trace + " does not reproduce its failure, so it cannot be shrunk: " + r.why);
      return kExitDiverged;
    case ShrinkResult::Verdict::kShrunk:
      break;
  }
  Status saved = save_trace(out, r.trace);
  if (!saved.ok()) {
    print_error(saved.message());
    return kExitUsage;
  }
  std::cout << "shrunk " << r.steps_before << " steps -> " << r.steps_after << " steps (" << r.switches_before
            << " -> " << r.switches_after << " context switches"
            << (r.faults_before ? ", " + std::to_string(r.faults_before) + " -> " + std::to_string(r.faults_after) +
                                      " faults"
                                : std::string())
            << ") in " << r.attempts << " attempts\n"
            << "stopped: " << r.stopped << "\n"
            << "wrote " << out << "\n";
  if (!global.quiet) {
    TextStyle style;
    style.color = use_color();
    style.full_schedule = true;
    std::cout << "\n";
    print_schedule(std::cout, r.trace, style);
  }
  return kExitOk;
}

}  // namespace

Command shrink_command() {
  return {"shrink", "minimise a failing trace (writes FILE.min.lockstep, or -o)",
          [](CLI::App& sub, const GlobalOptions& global) -> std::function<int()> {
            auto f = std::make_shared<ShrinkFlags>();
            sub.add_option("--trace", f->trace, "trace file")->required();
            sub.add_option("-o,--output", f->output, "where to write the shrunk trace");
            sub.add_option("--scenario", f->scenario, "scenario file to use instead of the recorded path");
            sub.add_option("--max-attempts", f->max_attempts, "candidate schedules to try (default 5000)")
                ->check(CLI::PositiveNumber);
            sub.add_option("--max-seconds", f->max_seconds, "wall-clock limit (default 600)")
                ->check(seconds(0.001));
            return [f, &global] { return shrink(*f, global); };
          }};
}

}  // namespace lockstep::cli
