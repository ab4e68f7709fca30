// lockstep lint PATH... [--strict] [--format text|json]
#include <filesystem>
#include <iostream>

#include "cli/commands.h"
#include "engine/base/json.h"
#include "lua/lint.h"

namespace lockstep::cli {
namespace {

struct LintFlags {
  std::vector<std::string> paths;
  bool strict = false;
  std::string format = "text";
};

// The .lua files named, directories searched (sorted, so output is stable).
std::vector<std::string> lua_files(const std::vector<std::string>& paths, std::string& error) {
  namespace fs = std::filesystem;
  std::vector<std::string> out;
  for (const std::string& p : paths) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      std::vector<std::string> found;
      for (const auto& e : fs::recursive_directory_iterator(p, ec)) {
        if (e.is_regular_file() && e.path().extension() == ".lua")
          found.push_back(e.path().string());
      }
      std::sort(found.begin(), found.end());
      out.insert(out.end(), found.begin(), found.end());
    } else if (fs::is_regular_file(p, ec)) {
      out.push_back(p);
    } else {
      error = p + ": no such file or directory";
      return {};
    }
  }
  return out;
}

int lint(const LintFlags& f) {
  std::string error;
  const std::vector<std::string> files = lua_files(f.paths, error);
  if (!error.empty()) {
    print_error(error);
    return kExitUsage;
  }
  std::vector<lua::LintWarning> all;
  int code = kExitOk;
  for (const std::string& file : files) {
    auto warnings = lua::lint_file(file);
    if (!warnings.ok()) {
      print_error(warnings.status().message());
      code = exit_code(warnings.status());
      continue;
    }
    all.insert(all.end(), warnings->begin(), warnings->end());
  }
  if (f.format == "json") {
    JsonWriter w;
    w.begin_object()
        .key("files")
        .value(static_cast<uint64_t>(files.size()))
        .key("warnings")
        .begin_array();
    for (const auto& x : all) {
      w.begin_object().key("file").value(x.file).key("line").value(x.line).key("check").value(
          x.check);
      w.key("message").value(x.message).end_object();
    }
    w.end_array().end_object();
    std::cout << w.str() << "\n";
  } else {
    for (const auto& x : all) {
      std::cout << x.file << ":" << x.line << ": warning: " << x.message << " [" << x.check
                << "]\n";
    }
    std::cerr << "lockstep lint: " << files.size() << " file" << (files.size() == 1 ? "" : "s")
              << ", " << all.size() << " warning" << (all.size() == 1 ? "" : "s") << "\n";
  }
  if (code != kExitOk) return code;
  return f.strict && !all.empty() ? kExitBug : kExitOk;
}

}  // namespace

Command lint_command() {
  return {"lint", "warn about scenario code that escapes the scheduler or breaks determinism",
          [](CLI::App& sub, const GlobalOptions&) -> std::function<int()> {
            auto f = std::make_shared<LintFlags>();
            sub.add_option("paths", f->paths, ".lua files or directories")->required();
            sub.add_flag("--strict", f->strict, "exit 1 when there is a warning");
            sub.add_option("--format", f->format, "text or json")
                ->check(CLI::IsMember({"text", "json"}));
            std::string checks = "Checks:\n";
            for (const auto& [name, what] : lua::lint_checks())
              checks += "  " + name + ": " + what + "\n";
            sub.footer(checks);
            return [f] { return lint(*f); };
          }};
}

}  // namespace lockstep::cli
