// txn_gen: writes a synthetic transactional history (engine/checker/
// txn_generate.h) for bench/txn.sh.
//
//   txn_gen --model list-append|rw-register --txns N [--clients N]
//           [--keys N] [--mops N] [--unknown FRACTION] [--inject ANOMALY]
//           [--seed N] > FILE
#include <cstdlib>
#include <iostream>
#include <string>

#include "engine/checker/txn_generate.h"

int main(int argc, char** argv) {
  namespace txn = lockstep::checker::txn;
  txn::GenerateOptions o;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << "txn_gen: " << flag << " needs a value\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (flag == "--model") {
      if (!txn::parse_model(next(), o.model)) {
        std::cerr << "txn_gen: --model list-append or rw-register\n";
        return 2;
      }
    } else if (flag == "--txns") {
      o.transactions = std::atoll(next().c_str());
    } else if (flag == "--clients") {
      o.clients = std::atoi(next().c_str());
    } else if (flag == "--keys") {
      o.keys = std::atoi(next().c_str());
    } else if (flag == "--mops") {
      o.mops = std::atoi(next().c_str());
    } else if (flag == "--unknown") {
      o.unknown = std::atof(next().c_str());
    } else if (flag == "--inject") {
      o.inject = next();
    } else if (flag == "--seed") {
      o.seed = std::strtoull(next().c_str(), nullptr, 10);
    } else {
      std::cerr << "txn_gen: unknown flag " << flag << "\n";
      return 2;
    }
  }
  try {
    std::cout << txn::generate_history(o);
  } catch (const std::exception& e) {
    std::cerr << "txn_gen: " << e.what() << "\n";
    return 2;
  }
  return 0;
}
