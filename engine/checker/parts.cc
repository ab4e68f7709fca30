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
  CheckResult violation;
};

struct Part {
  std::string key;
  std::unique_ptr<Model> model;
  std::unique_ptr<Search> search;
  uint64_t committed_memory = 0;  // held after its last committed slice
  uint64_t memory = 0;            // held after its last slice run
  std::deque<Slice> uncommitted;  // slices run ahead of the commit order
};

class Decider {
 public:
  Decider(std::vector<Part> parts, CheckResult total, const CheckLimits& limits, Clock::time_point start)
      : parts_(std::move(parts)), total_(std::move(total)), limits_(limits), start_(start) {
    for (size_t i = 0; i < parts_.size(); ++i) {
      ready_.push({0, i});
      order_.push_back(i);
      memory_ += parts_[i].committed_memory = parts_[i].memory = parts_[i].search->memory();
    }
    held_ = memory_;
    total_.memory = std::max(total_.memory, memory_);
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
        const uint64_t before = part.search->explored();
        s.progress = part.search->run(slice_steps(task.round));
        s.explored = part.search->explored() - before;
        s.memory = part.search->memory();
        if (s.progress == Search::Progress::kViolation) s.violation = part.search->violation();
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
  CheckResult total;
  std::vector<Part> searching;
  for (auto& ops_of_part : model.partition(ops)) {
    ++total.parts;
    const std::string key = ops_of_part.empty() ? "" : ops_of_part.front().key;
    auto m = model.fresh();
    // An unknown-outcome read constrains nothing: leave it out.
    for (Operation& op : ops_of_part) m->prepare(op);
    const auto kept = std::remove_if(ops_of_part.begin(), ops_of_part.end(),
                                     [&](const Operation& op) { return !op.known && m->read_only(op); });
    total.dropped += static_cast<size_t>(ops_of_part.end() - kept);
    ops_of_part.erase(kept, ops_of_part.end());
    if (consistency == Consistency::kLinearizable) {
      if (auto decided = check_register_by_zones(ops_of_part, *m)) {
        ++total.by_zones;
        total.explored += decided->explored;
        if (!decided->ok) return failed(std::move(*decided), key, total);
        continue;
      }
    }
    auto search = consistency == Consistency::kLinearizable ? linearizability_search(std::move(ops_of_part), *m)
                                                            : sequential_search(std::move(ops_of_part), *m);
    Part part;
    part.key = key;
    part.model = std::move(m);
    part.search = std::move(search);
    searching.push_back(std::move(part));
  }
  if (limits.seconds > 0 && std::chrono::duration<double>(Clock::now() - start).count() > limits.seconds) {
    return unknown("timeout", total);
  }
  return Decider(std::move(searching), std::move(total), limits, start).run();
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
