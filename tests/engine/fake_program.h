// A Program for engine tests: one test whose every iteration is a fresh
// FakeSystem (tests/engine/fake_system.h).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "engine/program.h"
#include "tests/engine/fake_system.h"

namespace lockstep::testing {

// A program with one test whose every iteration is a fresh FakeSystem.
class FakeProgram final : public Program {
 public:
  FakeProgram(std::vector<std::vector<FakeStep>> procs, std::function<bool(const std::vector<uint32_t>&)> fails)
      : procs_(std::move(procs)), fails_(std::move(fails)) {
    tests_.push_back({"fake test", {}});
  }
  const std::string& path() const override { return path_; }
  uint64_t source_hash() const override { return 1; }
  const std::vector<TestCase>& tests() const override { return tests_; }
  Result<System*> start(size_t, const RunOptions&) override {
    system_ = std::make_unique<FakeSystem>(procs_);
    system_->fails_ = fails_;
    ++starts_;
    return static_cast<System*>(system_.get());
  }

  int starts_ = 0;  // iterations started

 private:
  std::string path_ = "fake.lua";
  std::vector<TestCase> tests_;
  std::vector<std::vector<FakeStep>> procs_;
  std::function<bool(const std::vector<uint32_t>&)> fails_;
  std::unique_ptr<FakeSystem> system_;
};

}  // namespace lockstep::testing
