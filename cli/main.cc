// lockstep: controlled-concurrency testing for Lua-modelled actor systems.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "cli/commands.h"

namespace {

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

// One line for a first argument that is no command: the nearest command, or all of them.
bool unknown_command(int argc, char** argv) {
  using namespace lockstep::cli;
  if (argc < 2 || argv[1][0] == '-') return false;
  const std::string_view given = argv[1];
  std::string_view nearest;
  size_t best = 3;  // suggest only close matches
  std::string all;
  for (const Command& c : commands()) {
    if (c.name == given) return false;
    all += (all.empty() ? "" : ", ") + std::string(c.name);
    const size_t d = edit_distance(given, c.name);
    if (d < best) {
      best = d;
      nearest = c.name;
    }
  }
  print_error("unknown command '" + std::string(given) + "'" +
              (nearest.empty() ? " (commands: " + all + ")" : " (did you mean '" + std::string(nearest) + "'?)"));
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace lockstep::cli;
  if (unknown_command(argc, argv)) return kExitUsage;
  CLI::App app{"lockstep: find concurrency bugs by controlled scheduling of Lua actor scenarios"};
  app.set_version_flag("--version", std::string("lockstep ") + LOCKSTEP_VERSION);
  app.require_subcommand(1);
  GlobalOptions global;
  std::function<int()> chosen;
  for (const Command& c : commands()) {
    CLI::App* sub = app.add_subcommand(std::string(c.name), std::string(c.description));
    sub->add_flag("-q,--quiet", global.quiet,
                  "quieter: one line per test (a bug's failure and trace) and the summary; elsewhere only errors "
                  "and the result");
    sub->add_flag("-v,--verbose", global.verbose,
                  "everything: every iteration's logs and every line of a bug's slice (run), debug logs on stderr");
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
  int code = kExitUsage;
  try {
    code = chosen ? chosen() : kExitUsage;
  } catch (const std::exception& e) {
    print_error(std::string("internal error: ") + e.what());
    return kExitUsage;
  }
  // Output that could not be written (a full disk, a closed pipe) is not
  // a success: say so, whatever the command decided.
  std::cout.flush();
  if (!std::cout || std::fflush(stdout) != 0 || std::ferror(stdout)) {
    print_error(std::string("cannot write to standard output: ") + std::strerror(errno ? errno : EIO));
    return kExitUsage;
  }
  return code;
}
