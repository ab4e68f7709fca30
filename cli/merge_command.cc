// lockstep merge FILE... [--format json|text]
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/commands.h"
#include "engine/report/merge.h"
#include "engine/report/report.h"

namespace lockstep::cli {
namespace {

struct MergeFlags {
  std::vector<std::string> files;
  std::string format = "json";
};

int merge(const MergeFlags& f) {
  std::vector<std::pair<std::string, std::string>> documents;
  for (const std::string& file : f.files) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
      print_error(file + ": cannot read");
      return kExitUsage;
    }
    std::stringstream buf;
    buf << in.rdbuf();
    documents.emplace_back(file, buf.str());
  }
  auto merged = merge_results(documents);
  if (!merged.ok()) {
    print_error(merged.status().message());
    return kExitUsage;
  }
  TextStyle style;
  style.color = use_color();
  auto reporter = find_report_format(f.format)->make(std::cout, std::cerr, style);
  for (const TestReport& t : merged->tests) reporter->test_finished(t);
  reporter->run_finished(*merged);
  return exit_code(*merged);
}

}  // namespace

Command merge_command() {
  return {"merge", "combine the --format json results of shards (--shard K/N) into the whole run's",
          [](CLI::App& sub, const GlobalOptions&) -> std::function<int()> {
            auto f = std::make_shared<MergeFlags>();
            sub.add_option("files", f->files, "the shards' JSON results")->required();
            sub.add_option("--format", f->format, "json (default) or text")->check(CLI::IsMember({"json", "text"}));
            return [f] { return merge(*f); };
          }};
}

}  // namespace lockstep::cli
