// A test helper: a model with its register hooks hidden, so check() runs
// the general search on it.
#pragma once

#include <memory>

#include "engine/checker/checker.h"

namespace lockstep::checker {

class SearchOnly final : public Model {
 public:
  explicit SearchOnly(std::unique_ptr<Model> inner) : inner_(std::move(inner)) {}
  std::string name() const override { return inner_->name(); }
  uint32_t init() override { return inner_->init(); }
  void prepare(Operation& op) override { inner_->prepare(op); }
  bool step(uint32_t s, const Operation& op, uint32_t& next) override { return inner_->step(s, op, next); }
  std::string describe_state(uint32_t s) const override { return inner_->describe_state(s); }
  std::vector<std::vector<Operation>> partition(const std::vector<Operation>& ops) const override {
    return inner_->partition(ops);
  }
  std::unique_ptr<Model> fresh() const override { return std::make_unique<SearchOnly>(inner_->fresh()); }
  bool read_only(const Operation& op) const override { return inner_->read_only(op); }

 private:
  std::unique_ptr<Model> inner_;
};

}  // namespace lockstep::checker
