// lockstep replay --trace FILE [--run]
#include <iostream>

#include "cli/commands.h"
#include "cli/trace_loading.h"
#include "engine/replay.h"
#include "engine/report/report.h"

namespace lockstep::cli {
namespace {

struct ReplayFlags {
  std::string trace, scenario, continue_with;
  bool run = false, full = false;
};

int replay(const ReplayFlags& f, const GlobalOptions& global) {
  LoadedTrace loaded;
  if (int code = load_trace_and_scenario(f.trace, f.scenario, f.run, loaded); code != kExitOk) return code;
  TextStyle style;
  style.color = use_color();
  style.full_schedule = f.full || env_full_schedule();
  style.fold_repeats = !f.full;
  print_trace_header(loaded.trace, std::cout);
  if (!f.run) {
    print_schedule(std::cout, loaded.trace, style);
    if (!loaded.trace.failure.details.empty()) std::cout << "\n" << loaded.trace.failure.details;
    return kExitOk;
  }
  ReplayOptions options;
  options.continue_with = f.continue_with;
  ReplayResult r = replay_trace(loaded.trace, *loaded.program, options);
  if (r.verdict == ReplayResult::Verdict::kError) {
    print_error(r.status.message());
    return exit_code(r);
  }
  TextStyle run_style = style;
  run_style.full_schedule = true;  // a re-execution shows every step, with the rows run's report has
  print_schedule(std::cout, r.run, run_style);
  std::cout << "\n";
  if (!f.continue_with.empty() && r.verdict != ReplayResult::Verdict::kDiverged) {
    if (r.divergence.empty()) {
      std::cout << "followed the whole recording, then continued with " << f.continue_with << "\n";
    } else {
      std::cout << "followed the recording until " << r.divergence << "; continued with " << f.continue_with << "\n";
    }
  }
  switch (r.verdict) {
    case ReplayResult::Verdict::kReproduced:
      std::cout << "reproduced: " << describe_failure(r.run) << " at step " << r.run.failure.step << "\n";
      break;
    case ReplayResult::Verdict::kDifferentFailure:
      std::cout << "failed differently: " << describe_failure(r.run) << " at step " << r.run.failure.step
                << " (recorded: " << failure_kind_name(loaded.trace.failure.kind) << " at step "
                << loaded.trace.failure.step << ")\n";
      break;
    case ReplayResult::Verdict::kPassed:
      std::cout << "the run completed without the recorded failure\n";
      break;
    case ReplayResult::Verdict::kDiverged:
      std::cout << "replay diverged at " << r.divergence << "\n";
      print_error("replay diverged from " + f.trace + " at " + r.divergence);
      break;
    case ReplayResult::Verdict::kError:
      break;
  }
  return exit_code(r);
}

}  // namespace

Command replay_command() {
  return {"replay", "print the recorded schedule of a trace, or re-run it (--run)",
          [](CLI::App& sub, const GlobalOptions& global) -> std::function<int()> {
            auto f = std::make_shared<ReplayFlags>();
            sub.add_option("--trace", f->trace, "trace file")->required();
            sub.add_flag("--run", f->run, "re-execute the scenario under the recorded decisions");
            sub.add_flag("--full", f->full, "the whole schedule, every step: not the causal slice, no repeats folded");
            sub.add_option("--scenario", f->scenario, "scenario file to use instead of the recorded path");
            std::vector<std::string> names;
            for (const auto& s : strategies()) names.emplace_back(s.name);
            sub.add_option("--continue-with", f->continue_with,
                           "with --run: past the end of the recording, keep exploring with this strategy")
                ->check(CLI::IsMember(names));
            return [f, &global] { return replay(*f, global); };
          }};
}

}  // namespace lockstep::cli
