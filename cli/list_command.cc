// lockstep list PATH...
#include <iostream>

#include "cli/commands.h"
#include "cli/paths.h"
#include "lua/guest.h"

namespace lockstep::cli {

Command list_command() {
  return {"list", "list the tests in scenario files",
          [](CLI::App& sub, const GlobalOptions&) -> std::function<int()> {
            auto paths = std::make_shared<std::vector<std::string>>();
            sub.add_option("paths", *paths, "scenario files or directories")->required();
            return [paths] {
              auto files = scenario_files(*paths);
              if (!files.ok()) {
                print_error(files.status().message());
                return static_cast<int>(kExitUsage);
              }
              int code = kExitOk;
              for (const auto& file : *files) {
                auto program = lua::LuaProgram::load(file);
                if (!program.ok()) {
                  print_error(program.status().message());
                  code = program.status().code() == Status::Code::kLoadError ? kExitLoad : kExitUsage;
                  continue;
                }
                for (const auto& t : (*program)->tests()) {
                  std::cout << file << ": " << t.name;
                  const auto& o = t.options;
                  std::string opts;
                  auto add = [&](const std::string& s) { opts += (opts.empty() ? "" : ", ") + s; };
                  if (o.strategy) add("strategy=" + *o.strategy);
                  if (o.iterations) add("iterations=" + std::to_string(*o.iterations));
                  if (o.seed) add("seed=" + std::to_string(*o.seed));
                  if (o.timers) add("timers=" + *o.timers);
                  if (o.allow_crashes && *o.allow_crashes) add("allow_crashes");
                  if (!opts.empty()) std::cout << "  [" << opts << "]";
                  std::cout << "\n";
                }
              }
              return code;
            };
          }};
}

}  // namespace lockstep::cli
