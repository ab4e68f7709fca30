// lockstep list PATH...
#include <iostream>

#include "cli/commands.h"
#include "engine/options.h"
#include "engine/strategy.h"
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
                  code = exit_code(program.status());
                  continue;
                }
                for (const auto& t : (*program)->tests()) {
                  std::cout << file << ": " << t.name;
                  const auto& o = t.options;
                  std::string opts;
                  auto add = [&](const std::string& s) { opts += (opts.empty() ? "" : ", ") + s; };
                  for (const OptionSpec* spec : all_options()) {  // the options the test declares
                    auto it = o.find(spec->name);
                    if (it == o.end()) continue;
                    if (spec->type == OptionType::kFlag && it->second == "true") add(it->first);
                    else add(it->first + "=" + it->second);
                  }
                  if (!opts.empty()) std::cout << "  [" << opts << "]";
                  std::cout << "\n";
                }
              }
              return code;
            };
          }};
}

}  // namespace lockstep::cli
