// lockstep view --trace FILE [-o OUT.html] [--slice] [--max-steps N]
#include <iostream>

#include "cli/commands.h"
#include "cli/paths.h"
#include "cli/trace_loading.h"
#include "engine/base/files.h"
#include "engine/report/view.h"

namespace lockstep::cli {
namespace {

struct ViewFlags {
  std::string trace, out;
  bool slice = false;
  size_t max_steps = ViewOptions{}.max_steps;
};

// traces/x.lockstep -> traces/x.html
std::string default_output(const std::string& trace) {
  const std::string ext = ".lockstep";
  if (trace.size() > ext.size() && trace.compare(trace.size() - ext.size(), ext.size(), ext) == 0) {
    return trace.substr(0, trace.size() - ext.size()) + ".html";
  }
  return trace + ".html";
}

int view(const ViewFlags& f, const GlobalOptions& global) {
  LoadedTrace loaded;
  if (int code = load_trace_and_scenario(f.trace, "", false, loaded); code != kExitOk) return code;
  ViewOptions options;
  options.slice_only = f.slice;
  options.max_steps = f.max_steps;
  ViewModel model;
  auto page = render_view_html(loaded.trace, options, &model);
  if (!page.ok()) {
    print_error(page.status().message());
    return exit_code(page.status());
  }
  if (f.out == "-") {
    std::cout << *page;
    return kExitOk;
  }
  const std::string out = f.out.empty() ? default_output(f.trace) : f.out;
  if (Status s = refuse_overwriting(out, {{"the trace", f.trace}}); !s.ok()) {
    print_error(s.message());
    return kExitUsage;
  }
  if (Status s = write_file_atomically(out, *page); !s.ok()) {
    print_error(s.message());
    return exit_code(s);
  }
  if (!global.quiet) {
    std::cout << "wrote " << out << ": " << model.steps.size() << " of " << model.total_steps
              << " steps, " << model.lanes.size() << " processes, " << model.arrows.size()
              << " arrows\n";
  }
  return kExitOk;
}

}  // namespace

Command view_command() {
  return {"view", "draw a trace as a space-time diagram in one self-contained HTML file",
          [](CLI::App& sub, const GlobalOptions& global) -> std::function<int()> {
            auto f = std::make_shared<ViewFlags>();
            sub.add_option("--trace", f->trace, "trace file")->required();
            sub.add_option(
                "-o,--output", f->out,
                "where to write the page (default: the trace's name with .html; - for stdout)");
            sub.add_flag("--slice", f->slice,
                         "draw only the causal slice (the steps that led to the failure)");
            sub.add_option("--max-steps", f->max_steps, "refuse to draw more steps than this")
                ->check(CLI::Range(size_t{1}, size_t{10'000'000}))
                ->capture_default_str();
            return [f, &global] { return view(*f, global); };
          }};
}

}  // namespace lockstep::cli
