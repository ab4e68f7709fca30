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

// Clients that invoke, take effect and complete in an order the seed
// picks, against one register per key; with `violation`, one read past
// the middle returns a value provably stale.
class Generator {
 public:
  explicit Generator(const GenerateOptions& o)
      : o_(o), prng_(o.seed), kv_(o.model == "kv"), keys_(kv_ ? std::max(1, o.keys) : 1),
        clients_(static_cast<size_t>(std::max(1, o.clients))), state_(keys_, 0), stale_(keys_),
        injected_(!o.violation) {
    for (size_t c = 0; c < clients_.size(); ++c) clients_[c].process = static_cast<int64_t>(c);
    next_process_ = static_cast<int64_t>(clients_.size());
  }

  std::vector<HistoryEvent> run() {
    while (completed_ < o_.operations) {
      Client& c = clients_[prng_.below(clients_.size())];
      switch (c.phase) {
        case Client::Phase::kIdle: invoke(c); break;
        case Client::Phase::kInvoked: apply(c); break;
        case Client::Phase::kApplied: complete(c); break;
      }
    }
    return std::move(events_);
  }

 private:
  void invoke(Client& c) {
    if (invoked_ == o_.operations) return;
    ++invoked_;
    c.read = prng_.unit() < o_.reads;
    c.key = static_cast<int>(prng_.below(static_cast<uint64_t>(keys_)));
    c.invoked = static_cast<int64_t>(events_.size());
    if (!c.read) {
      c.value = next_value_++;
      overwrote_.push_back(0);
      ok_at_.push_back(-1);
    }
    emit(HistoryEvent::Type::kInvoke, c, c.read ? Value::nil() : shown(c.value));
    c.phase = Client::Phase::kInvoked;
  }

  // The operation takes effect now.
  void apply(Client& c) {
    if (c.read) {
      c.value = state_[c.key];
      if (!injected_ && completed_ >= o_.operations / 2) {
        for (const auto& [v, at] : stale_[c.key]) {
          if (at < c.invoked) {
            c.value = v;
            injected_ = true;
            break;
          }
        }
      }
    } else {
      overwrote_[c.value] = state_[c.key];
      state_[c.key] = c.value;
    }
    c.phase = Client::Phase::kApplied;
  }

  void complete(Client& c) {
    ++completed_;
    const bool lost = prng_.unit() < o_.unknown;
    if (lost) {
      emit(HistoryEvent::Type::kInfo, c, Value::nil());
      c.process = next_process_++;  // as Jepsen does: the process crashed
    } else {
      emit(HistoryEvent::Type::kOk, c, shown(c.value));
    }
    // A value is provably stale once a write that began after it was
    // written (ok) has completed (ok): any read invoked later must not
    // return it.
    if (!c.read && !lost) {
      const int64_t now = static_cast<int64_t>(events_.size()) - 1;
      ok_at_[c.value] = now;
      const int64_t old = overwrote_[c.value];
      if (old == 0 || (ok_at_[old] >= 0 && ok_at_[old] < c.invoked)) stale_[c.key].push_back({old, now});
      if (stale_[c.key].size() > 64) stale_[c.key].erase(stale_[c.key].begin());
    }
    c.phase = Client::Phase::kIdle;
  }

  void emit(HistoryEvent::Type type, const Client& c, Value value) {
    HistoryEvent e;
    e.type = type;
    e.process = c.process;
    e.f = kv_ ? (c.read ? "get" : "put") : (c.read ? "read" : "write");
    if (kv_) e.key = std::to_string(c.key);
    e.value = std::move(value);
    e.position = static_cast<int64_t>(events_.size());
    events_.push_back(std::move(e));
  }

  Value shown(int64_t v) const {
    if (v == 0) return kv_ ? Value::string("") : Value::nil();
    return kv_ ? Value::string("v" + std::to_string(v)) : Value::integer(v);
  }

  const GenerateOptions& o_;
  Prng prng_;
  const bool kv_;
  const int keys_;
  std::vector<Client> clients_;
  int64_t next_process_ = 0;
  std::vector<int64_t> state_;  // per key; 0: nil / absent
  // Per key: values overwritten by a write that has completed, with the
  // event index of that completion (a read invoked later must not see them).
  std::vector<std::vector<std::pair<int64_t, int64_t>>> stale_;
  std::vector<int64_t> overwrote_{0};  // by write value: the value it replaced
  std::vector<int64_t> ok_at_{-1};     // by write value: its ok completion (-1: none yet, or lost)
  int64_t next_value_ = 1, invoked_ = 0, completed_ = 0;
  bool injected_;
  std::vector<HistoryEvent> events_;
};

}  // namespace

std::vector<HistoryEvent> generate_history(const GenerateOptions& o) { return Generator(o).run(); }

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
