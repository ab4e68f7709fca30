// A scripted guest for VM tests: each fake process is a list of actions;
// action i runs at the process's i-th resume, sees the reply to its
// previous operation and posts the next one. Values are integers.
#pragma once

#include <functional>
#include <map>

#include "engine/scheduler.h"
#include "engine/strategy.h"
#include "vm/vm.h"

namespace lockstep::vm::testing {

class FakeGuest;
using Action = std::function<void(Vm&, Reply&, FakeGuest&)>;

class FakeGuest final : public Guest {
 public:
  // Values are integers; ValueRef i holds values_[i].
  ValueRef value(int64_t v) {
    values_.push_back(v);
    refs_.push_back(1);
    return static_cast<ValueRef>(values_.size() - 1);
  }
  ValueRef script(std::vector<Action> actions) {
    scripts_.push_back(std::move(actions));
    return value(-static_cast<int64_t>(scripts_.size()));  // a body
  }
  ValueRef matcher(std::function<bool(const Message&)> f) {
    matchers_.push_back(std::move(f));
    return value(1000000 + static_cast<int64_t>(matchers_.size()) - 1);
  }
  int64_t payload(const Message& m) const { return values_[m.value]; }

  ResumeResult resume(Pid pid, Reply& reply) override {
    if (reply.kind == Reply::Kind::kStart) {
      script_of_[pid] = static_cast<size_t>(-values_[reply.value] - 1);
      pos_[pid] = 0;
    }
    if (reply.kind == Reply::Kind::kMessage) received[pid].push_back(reply.message);
    replies[pid].push_back(reply.kind);
    auto& actions = scripts_[script_of_[pid]];
    ResumeResult r;
    if (pos_[pid] >= actions.size()) {
      r.how = ResumeResult::How::kReturned;
      return r;
    }
    raise_ = false;
    actions[pos_[pid]++](*vm, reply, *this);
    if (raise_) {
      r.how = ResumeResult::How::kRaised;
      r.error = value(-999);
      r.message = "raised";
    } else if (!vm->posted()) {
      r.how = ResumeResult::How::kReturned;  // a last action that posts nothing ends the process
    }
    return r;
  }
  bool match(ValueRef matcher, Message& msg, std::string&) override {
    ++match_calls;
    return matchers_[values_[matcher] - 1000000](msg);
  }
  void retain(ValueRef v) override { ++refs_[v]; }
  void release(ValueRef v) override { --refs_[v]; }
  std::string render(ValueRef v) override { return std::to_string(values_[v]); }
  void hash_value(ValueRef v, StateHasher& h) override { h.i64(values_[v]); }
  // A process's continuation: which script, and how far it has got.
  void hash_process(Pid pid, StateHasher& h) override {
    h.u64(script_of_.count(pid) ? script_of_[pid] : 0).u64(pos_.count(pid) ? pos_[pid] : 0);
  }

  void raise() { raise_ = true; }

  Vm* vm = nullptr;
  std::map<Pid, std::vector<Message>> received;
  std::map<Pid, std::vector<Reply::Kind>> replies;
  int match_calls = 0;

 private:
  std::vector<int64_t> values_{0};
  std::vector<int> refs_{0};
  std::vector<std::vector<Action>> scripts_;
  std::vector<std::function<bool(const Message&)>> matchers_;
  std::map<Pid, size_t> script_of_, pos_;
  bool raise_ = false;
};

struct VmRun {
  FakeGuest guest;
  Vm vm;
  explicit VmRun(VmOptions o = {}) : vm(guest, o) { guest.vm = &vm; }
  IterationResult go(uint64_t seed = 1, uint64_t max_steps = 10000) {
    auto s = make_random_strategy({});
    s->begin_iteration(seed, {});
    IterationLimits limits;
    limits.max_steps = max_steps;
    return run_iteration(vm, *s, limits, nullptr);
  }
};

inline Action send_to(Pid to, int64_t v) {
  return [to, v](Vm& vm, Reply&, FakeGuest& g) { vm.post_send({to, 0}, g.value(v)); };
}
inline Action receive_any() {
  return [](Vm& vm, Reply&, FakeGuest&) { vm.post_receive(0, -1); };
}

}  // namespace lockstep::vm::testing
