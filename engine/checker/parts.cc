// check(): a history's independent parts (kv: one per key) decided a slice
// at a time, on one thread or several, with one answer.
//
// Every part's search runs in rounds of slices (small at first, so an easy
// part's verdict is not kept waiting by a hard one; larger later, so
// switching costs nothing), the parts in order within a round. The first
// slice in that order to find a violation decides. With several threads the
// slices are taken in the same order but run ahead, and their results are
// committed in it: the verdict, the part named, the steps counted and the
// peak memory are those of one thread, and the threads stop once the
// deciding slice is committed.
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <new>
#include <queue>
#include <thread>

#include "engine/checker/checker.h"
#include "engine/checker/register_zones.h"
#include "engine/checker/search.h"

namespace lockstep::checker {
namespace {

using Clock = std::chrono::steady_clock;

constexpr uint64_t kFirstSlice = 1 << 12, kLastSlice = 1 << 18;

uint64_t slice_steps(uint32_t round) { return round >= 6 ? kLastSlice : kFirstSlice << round; }

CheckResult unknown(const char* why, CheckResult total) {
  total.ok = false;
  total.verdict = CheckResult::Verdict::kUnknown;
  total.unknown = why;
  total.explanation = std::string("no verdict: the check reached its ") +
                      (total.unknown == "timeout" ? "time" : "memory") + " bound";
  return total;
}

// A part's violation, reported with what the whole check counted.
CheckResult failed(CheckResult r, const std::string& key, const CheckResult& total) {
  if (!key.empty()) {
    r.partition = key;
    r.explanation = "key \"" + key + "\": " + r.explanation;
  }
  r.explored += total.explored;
  r.parts = total.parts;
  r.dropped = total.dropped;
  r.by_zones = total.by_zones;
  r.memory = total.memory;
  return r;
}

struct Slice {
  Search::Progress progress = Search::Progress::kRunning;
  uint64_t explored = 0, memory = 0;
  size_t dropped = 0;   // the first slice: unknown-outcome reads left out
  bool by_zones = false;  // the first slice: decided by the register procedure
  CheckResult violation;
};

// A part is set up by its first slice, so a bad part early in the order
// decides before the later ones are even prepared.
struct Part {
  std::string key;
  std::vector<Operation> ops;  // until its first slice
  std::unique_ptr<Model> model;
  std::unique_ptr<Search> search;
  uint64_t committed_memory = 0;  // held after its last committed slice
  uint64_t memory = 0;            // held after its last slice run
  std::deque<Slice> uncommitted;  // slices run ahead of the commit order
};

class Decider {
 public:
  Decider(std::vector<Part> parts, const Model& model, Consistency consistency, const CheckLimits& limits,
          Clock::time_point start)
      : parts_(std::move(parts)), model_(model), consistency_(consistency), limits_(limits), start_(start) {
    total_.parts = parts_.size();
    for (size_t i = 0; i < parts_.size(); ++i) {
      ready_.push({0, i});
      order_.push_back(i);
    }
  }

  CheckResult run() {
    if (parts_.empty()) return total_;
    const size_t threads = std::clamp<size_t>(limits_.jobs, 1, parts_.size());
    std::vector<std::thread> helpers;
    for (size_t t = 1; t < threads; ++t) helpers.emplace_back([this] { work(); });
    work();
    for (auto& t : helpers) t.join();
    return std::move(result_);
  }

 private:
  struct Task {
    uint32_t round;
    size_t part;
    bool operator>(const Task& o) const { return round != o.round ? round > o.round : part > o.part; }
  };

  bool out_of_time() const {
    return limits_.seconds > 0 && std::chrono::duration<double>(Clock::now() - start_).count() > limits_.seconds;
  }

  void finish(CheckResult r) {
    result_ = std::move(r);
    done_ = true;
  }

  // One thread: the next slice in round order, until the check is decided.
  void work() {
    std::unique_lock lock(mu_);
    while (!done_) {
      if (ready_.empty()) {
        wake_.wait(lock);
        continue;
      }
      const Task task = ready_.top();
      ready_.pop();
      Part& part = parts_[task.part];
      lock.unlock();
      Slice s;
      bool exhausted = false;
      try {
        const bool decided = task.round == 0 && set_up(part, s);
        if (!decided) {
          const uint64_t before = part.search->explored();
          s.progress = part.search->run(slice_steps(task.round));
          s.explored = part.search->explored() - before;
          s.memory = part.search->memory();
          if (s.progress == Search::Progress::kViolation) s.violation = part.search->violation();
        }
        if (s.progress == Search::Progress::kConsistent) {
          part.search.reset();
          part.model.reset();
        }
      } catch (const std::bad_alloc&) {
        exhausted = true;
      }
      lock.lock();
      if (exhausted) {
        if (!done_) finish(unknown("memory", total_));
        break;
      }
      held_ = held_ - part.memory + s.memory;
      part.memory = s.memory;
      if (s.progress == Search::Progress::kRunning) ready_.push({task.round + 1, task.part});
      part.uncommitted.push_back(std::move(s));
      commit();
      // Slices run ahead hold memory too: the bound counts what is held.
      if (!done_ && limits_.memory_bytes > 0 && held_ > limits_.memory_bytes) finish(unknown("memory", total_));
      if (!done_ && out_of_time()) finish(unknown("timeout", total_));
      wake_.notify_all();
    }
    wake_.notify_all();
  }

  // A part's first slice: its own model, its operations resolved, its
  // unknown-outcome reads left out (they constrain nothing); then the
  // register procedure decides it, or a search is made. True when decided.
  bool set_up(Part& part, Slice& s) {
    part.model = model_.fresh();
    for (Operation& op : part.ops) part.model->prepare(op);
    const auto kept = std::remove_if(part.ops.begin(), part.ops.end(),
                                     [&](const Operation& op) { return !op.known && part.model->read_only(op); });
    s.dropped = static_cast<size_t>(part.ops.end() - kept);
    part.ops.erase(kept, part.ops.end());
    if (consistency_ == Consistency::kLinearizable) {
      if (auto decided = check_register_by_zones(part.ops, *part.model)) {
        s.by_zones = true;
        s.explored = decided->explored;
        s.progress = decided->ok ? Search::Progress::kConsistent : Search::Progress::kViolation;
        if (!decided->ok) s.violation = std::move(*decided);
        part.ops = {};
        return true;
      }
    }
    part.search = consistency_ == Consistency::kLinearizable ? linearizability_search(std::move(part.ops), *part.model)
                                                             : sequential_search(std::move(part.ops), *part.model);
    part.ops = {};
    return false;
  }

  // Takes the slices run so far in the one-thread order, as far as it can.
  void commit() {
    while (!done_) {
      if (at_ == order_.size()) {
        if (survivors_.empty()) return finish(std::move(total_));
        order_.swap(survivors_);
        survivors_.clear();
        at_ = 0;
      }
      const size_t index = order_[at_];
      Part& part = parts_[index];
      if (part.uncommitted.empty()) return;
      Slice s = std::move(part.uncommitted.front());
      part.uncommitted.pop_front();
      total_.explored += s.explored;
      total_.dropped += s.dropped;
      total_.by_zones += s.by_zones;
      if (s.progress == Search::Progress::kViolation) {
        s.violation.explored = 0;
        return finish(failed(std::move(s.violation), part.key, total_));
      }
      memory_ = memory_ - part.committed_memory + s.memory;
      part.committed_memory = s.memory;
      total_.memory = std::max(total_.memory, memory_);
      ++at_;
      if (s.progress == Search::Progress::kConsistent) {
        memory_ -= s.memory;
        continue;
      }
      if (limits_.memory_bytes > 0 && memory_ > limits_.memory_bytes) return finish(unknown("memory", total_));
      survivors_.push_back(index);
    }
  }

  std::vector<Part> parts_;
  const Model& model_;
  const Consistency consistency_;
  CheckResult total_;
  const CheckLimits limits_;
  const Clock::time_point start_;

  std::mutex mu_;
  std::condition_variable wake_;
  std::priority_queue<Task, std::vector<Task>, std::greater<>> ready_;
  // The commit order: this round's parts, at_ the next one; the parts still
  // searching after it go to the next round.
  std::vector<size_t> order_, survivors_;
  size_t at_ = 0;
  uint64_t memory_ = 0;  // held by the searches, as of the slices committed
  uint64_t held_ = 0;    // held by the searches now
  bool done_ = false;
  CheckResult result_;
};

CheckResult check_parts(const std::vector<Operation>& ops, Model& model, Consistency consistency,
                        const CheckLimits& limits) {
  const auto start = Clock::now();
  std::vector<Part> parts;
  for (auto& ops_of_part : model.partition(ops)) {
    Part part;
    part.key = ops_of_part.empty() ? "" : ops_of_part.front().key;
    part.ops = std::move(ops_of_part);
    parts.push_back(std::move(part));
  }
  return Decider(std::move(parts), model, consistency, limits, start).run();
}

}  // namespace

CheckResult check(const std::vector<Operation>& ops, Model& model, Consistency consistency,
                  const CheckLimits& limits) {
  try {
    return check_parts(ops, model, consistency, limits);
  } catch (const std::bad_alloc&) {
    return unknown("memory", CheckResult{});
  }
}

}  // namespace lockstep::checker
