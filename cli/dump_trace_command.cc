// lockstep dump-trace --trace FILE [--json | --shiviz]
#include <cstdio>
#include <iostream>

#include "cli/commands.h"
#include "cli/trace_loading.h"
#include "engine/report/dump.h"
#include "engine/report/view.h"

namespace lockstep::cli {

Command dump_trace_command() {
  return {"dump-trace", "print every field of a trace, as text, --json, or a --shiviz log",
          [](CLI::App& sub, const GlobalOptions&) -> std::function<int()> {
            auto path = std::make_shared<std::string>();
            auto json = std::make_shared<bool>(false);
            auto shiviz = std::make_shared<bool>(false);
            sub.add_option("--trace", *path, "trace file")->required();
            auto* json_flag = sub.add_flag("--json", *json, "print the trace as JSON");
            sub.add_flag("--shiviz", *shiviz,
                         "print the run as a ShiViz log (one host per process, vector clocks from happens-before)")
                ->excludes(json_flag);
            return [path, json, shiviz] {
              LoadedTrace loaded;
              if (int code = load_trace_and_scenario(*path, "", false, loaded); code != kExitOk) return code;
              if (*shiviz) std::cout << render_shiviz(loaded.trace);
              else if (*json) std::cout << trace_to_json(loaded.trace) << "\n";
              else std::cout << trace_to_text(loaded.trace);
              return static_cast<int>(kExitOk);
            };
          }};
}

}  // namespace lockstep::cli
