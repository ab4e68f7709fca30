#include "vm/timers.h"

#include <algorithm>
#include <functional>
#include <limits>

namespace lockstep::vm {

void Timers::reset() {
  list_.clear();
  list_.emplace_back();  // TimerId 0 is "none"
  heap_.clear();
  now = 0;
}

TimerId Timers::arm(Timer::Kind kind, Pid owner, int64_t ms, uint32_t step, bool queued, Origin origin) {
  const auto id = static_cast<TimerId>(list_.size());
  Timer& t = list_.emplace_back();
  t.kind = kind;
  t.armed = true;
  t.owner = owner;
  ms = std::max<int64_t>(0, ms);
  t.deadline = ms >= std::numeric_limits<int64_t>::max() - now ? std::numeric_limits<int64_t>::max() : now + ms;
  t.armed_step = step;
  t.origin = origin;
  t.queued = queued;
  if (queued && t.deadline > now) {
    heap_.emplace_back(t.deadline, id);
    std::push_heap(heap_.begin(), heap_.end(), std::greater<>());
  }
  return id;
}

bool Timers::pop_due(int64_t& deadline, TimerId& id) {
  if (heap_.empty()) return false;
  std::tie(deadline, id) = heap_.front();
  std::pop_heap(heap_.begin(), heap_.end(), std::greater<>());
  heap_.pop_back();
  return true;
}

std::string Timers::describe() const {
  static constexpr const char* kKinds[] = {"send_after", "sleep", "receive timeout"};
  std::string out = "time " + std::to_string(now) + " ms\n";
  for (TimerId id = 1; id < list_.size(); ++id) {
    const Timer& t = list_[id];
    if (!t.armed) continue;
    out += "T" + std::to_string(id) + " " + kKinds[static_cast<int>(t.kind)] + " of P" + std::to_string(t.owner) +
           " in " + std::to_string(t.deadline - now) + " ms\n";
  }
  return out;
}

}  // namespace lockstep::vm
