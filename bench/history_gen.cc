// history_gen: writes a synthetic Jepsen-style history (engine/checker/
// generate.h) for bench/checker_grid.sh.
//
//   history_gen --model register|kv --clients N --ops N [--keys N]
//               [--unknown FRACTION] [--violation] [--seed N]
//               [--format jepsen|json] > FILE
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>

#include "engine/checker/generate.h"

int main(int argc, char** argv) {
  lockstep::checker::GenerateOptions o;
  std::string format = "jepsen";
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << "history_gen: " << flag << " needs a value\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (flag == "--model") o.model = next();
    else if (flag == "--clients") o.clients = std::atoi(next().c_str());
    else if (flag == "--ops") o.operations = std::atoll(next().c_str());
    else if (flag == "--keys") o.keys = std::atoi(next().c_str());
    else if (flag == "--reads") o.reads = std::atof(next().c_str());
    else if (flag == "--unknown") o.unknown = std::atof(next().c_str());
    else if (flag == "--violation") o.violation = true;
    else if (flag == "--seed") o.seed = std::strtoull(next().c_str(), nullptr, 10);
    else if (flag == "--format") format = next();
    else {
      std::cerr << "history_gen: unknown flag " << flag << "\n";
      return 2;
    }
  }
  const auto events = lockstep::checker::generate_history(o);
  std::cout << (format == "json" ? lockstep::checker::write_json_lines(events)
                                 : lockstep::checker::to_jepsen_text(events, o.model));
  return 0;
}
