// lockstep: controlled-concurrency testing for Lua-modelled actor systems.
#include <spdlog/spdlog.h>

#include <iostream>

#include "cli/commands.h"

int main(int argc, char** argv) {
  using namespace lockstep::cli;
  CLI::App app{"lockstep: find concurrency bugs by controlled scheduling of Lua actor scenarios"};
  app.set_version_flag("--version", std::string("lockstep ") + LOCKSTEP_VERSION);
  app.require_subcommand(1);
  GlobalOptions global;
  std::function<int()> chosen;
  for (const Command& c : commands()) {
    CLI::App* sub = app.add_subcommand(std::string(c.name), std::string(c.description));
    sub->add_flag("-q,--quiet", global.quiet, "only errors and the result");
    sub->add_flag("-v,--verbose", global.verbose, "more detail (debug logs on stderr)");
    auto run = c.setup(*sub, global);
    sub->callback([&chosen, run] { chosen = run; });
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    print_error(std::string(e.what()) + " (see 'lockstep --help')");
    return kExitUsage;
  }
  spdlog::set_default_logger(spdlog::default_logger());
  spdlog::set_level(global.verbose ? spdlog::level::debug
                    : global.quiet ? spdlog::level::err
                                   : spdlog::level::warn);
  try {
    return chosen ? chosen() : kExitUsage;
  } catch (const std::exception& e) {
    print_error(std::string("internal error: ") + e.what());
    return kExitUsage;
  }
}
