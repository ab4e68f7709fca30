#include "engine/checker/generate.h"

#include <algorithm>

#include "engine/base/prng.h"

namespace lockstep::checker {
namespace {

struct Client {
  enum class Phase { kIdle, kInvoked, kApplied } phase = Phase::kIdle;
  int64_t process = 0;
  bool read = false;
  int key = 0;
  int64_t value = 0;     // written, or read (0: nil)
  int64_t invoked = 0;   // event index of the invocation
};

}  // namespace

std::vector<HistoryEvent> generate_history(const GenerateOptions& o) {
  Prng prng(o.seed);
  const bool kv = o.model == "kv";
  const int keys = kv ? std::max(1, o.keys) : 1;
  std::vector<Client> clients(static_cast<size_t>(std::max(1, o.clients)));
  for (size_t c = 0; c < clients.size(); ++c) clients[c].process = static_cast<int64_t>(c);
  int64_t next_process = static_cast<int64_t>(clients.size());
  std::vector<int64_t> state(keys, 0);  // 0: nil / absent
  // Per key: values overwritten by a write that has completed, with the
  // event index of that completion (a read invoked later must not see them).
  std::vector<std::vector<std::pair<int64_t, int64_t>>> stale(keys);
  std::vector<int64_t> overwrote{0};  // by write value: the value it replaced
  std::vector<int64_t> ok_at{-1};     // by write value: its ok completion (-1: none yet, or lost)
  int64_t next_value = 1, invoked = 0, completed = 0;
  bool injected = !o.violation;
  std::vector<HistoryEvent> events;
  auto emit = [&](HistoryEvent::Type type, const Client& c, Value value) {
    HistoryEvent e;
    e.type = type;
    e.process = c.process;
    e.f = kv ? (c.read ? "get" : "put") : (c.read ? "read" : "write");
    if (kv) e.key = std::to_string(c.key);
    e.value = std::move(value);
    e.position = static_cast<int64_t>(events.size());
    events.push_back(std::move(e));
  };
  auto shown = [&](int64_t v) {
    if (v == 0) return kv ? Value::string("") : Value::nil();
    return kv ? Value::string("v" + std::to_string(v)) : Value::integer(v);
  };
  while (completed < o.operations) {
    Client& c = clients[prng.below(clients.size())];
    switch (c.phase) {
      case Client::Phase::kIdle:
        if (invoked == o.operations) break;
        ++invoked;
        c.read = prng.unit() < o.reads;
        c.key = static_cast<int>(prng.below(static_cast<uint64_t>(keys)));
        c.invoked = static_cast<int64_t>(events.size());
        if (!c.read) {
          c.value = next_value++;
          overwrote.push_back(0);
          ok_at.push_back(-1);
        }
        emit(HistoryEvent::Type::kInvoke, c, c.read ? Value::nil() : shown(c.value));
        c.phase = Client::Phase::kInvoked;
        break;
      case Client::Phase::kInvoked:  // takes effect now
        if (c.read) {
          c.value = state[c.key];
          if (!injected && completed >= o.operations / 2) {
            for (const auto& [v, at] : stale[c.key]) {
              if (at < c.invoked) {
                c.value = v;
                injected = true;
                break;
              }
            }
          }
        } else {
          overwrote[c.value] = state[c.key];
          state[c.key] = c.value;
        }
        c.phase = Client::Phase::kApplied;
        break;
      case Client::Phase::kApplied: {
        ++completed;
        const bool lost = prng.unit() < o.unknown;
        if (lost) {
          emit(HistoryEvent::Type::kInfo, c, Value::nil());
          c.process = next_process++;  // as Jepsen does: the process crashed
        } else {
          emit(HistoryEvent::Type::kOk, c, shown(c.value));
        }
        // A value is provably stale once a write that began after it was
        // written (ok) has completed (ok): any read invoked later must not
        // return it.
        if (!c.read && !lost) {
          const int64_t now = static_cast<int64_t>(events.size()) - 1;
          ok_at[c.value] = now;
          const int64_t old = overwrote[c.value];
          if (old == 0 || (ok_at[old] >= 0 && ok_at[old] < c.invoked)) stale[c.key].push_back({old, now});
          if (stale[c.key].size() > 64) stale[c.key].erase(stale[c.key].begin());
        }
        c.phase = Client::Phase::kIdle;
        break;
      }
    }
  }
  return events;
}

std::string to_jepsen_text(const std::vector<HistoryEvent>& events, const std::string& model) {
  static const char* kTypes[] = {"invoke", "ok", "fail", "info"};
  std::string out;
  auto value = [](const Value& v) {
    switch (v.kind) {
      case Value::Kind::kNil: return std::string("nil");
      case Value::Kind::kString: return "\"" + v.s + "\"";
      default: return v.str();
    }
  };
  for (const HistoryEvent& e : events) {
    const char* type = kTypes[static_cast<int>(e.type)];
    if (model == "kv") {
      out += "{:process " + std::to_string(e.process) + ", :type :" + type + ", :f :" + e.f + ", :key \"" + e.key +
             "\", :value " + value(e.value) + "}\n";
    } else {
      out += "INFO  jepsen.util - " + std::to_string(e.process) + "\t:" + type + "\t:" + e.f + "\t" +
             (e.type == HistoryEvent::Type::kInfo ? ":timed-out" : value(e.value)) + "\n";
    }
  }
  return out;
}

}  // namespace lockstep::checker
