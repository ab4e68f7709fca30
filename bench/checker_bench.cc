// Checker benchmark: per-file and total time to check the recorded
// histories in ../shared/data/histories (the median of repeated runs).
// Usage: checker_bench [DATA_DIR] [REPEATS]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "engine/checker/checker.h"
#include "engine/checker/history_io.h"

using namespace lockstep::checker;

int main(int argc, char** argv) {
  const std::string dir = argc > 1 ? argv[1] : std::string(LOCKSTEP_SOURCE_DIR) + "/../shared/data/histories";
  const int repeats = argc > 2 ? std::atoi(argv[2]) : 5;
  if (!std::filesystem::exists(dir + "/verdicts.tsv")) {
    std::fprintf(stderr, "checker_bench: no histories at %s (shared/data is needed)\n", dir.c_str());
    return 0;
  }
  std::ifstream verdicts(dir + "/verdicts.tsv");
  std::string line;
  double etcd_total = 0, kv_total = 0, worst = 0;
  std::string worst_file;
  std::printf("%-24s %10s %8s\n", "file", "median ms", "verdict");
  while (std::getline(verdicts, line)) {
    if (line.empty() || line[0] == '#') continue;
    const std::string file = line.substr(0, line.find('\t'));
    std::ifstream in(dir + "/" + file);
    std::stringstream ss;
    ss << in.rdbuf();
    auto ops = parse_history(ss.str(), file);
    if (!ops.ok()) {
      std::fprintf(stderr, "%s\n", ops.status().message().c_str());
      return 1;
    }
    const bool kv = file.rfind("kv/", 0) == 0;
    std::vector<double> times;
    bool ok = false;
    for (int r = 0; r < repeats; ++r) {
      auto model = make_model(kv ? "kv" : "register");
      const auto t0 = std::chrono::steady_clock::now();
      ok = linearizable(*ops, *model).ok;
      times.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    }
    std::sort(times.begin(), times.end());
    const double median = times[times.size() / 2];
    (kv ? kv_total : etcd_total) += median;
    if (median > worst) {
      worst = median;
      worst_file = file;
    }
    std::printf("%-24s %10.3f %8s\n", file.c_str(), median, ok ? "ok" : "VIOLATION");
  }
  std::printf("\netcd total: %.1f ms   kv total: %.3f ms   worst: %s %.1f ms\n", etcd_total, kv_total,
              worst_file.c_str(), worst);
  return 0;
}
