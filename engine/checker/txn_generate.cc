#include "engine/checker/txn_generate.h"

#include <map>
#include <stdexcept>
#include <vector>

#include "engine/base/prng.h"

namespace lockstep::checker::txn {
namespace {

struct PlannedMop {
  char f;         // 'a', 'w', 'r'
  int64_t key;
  int64_t value;  // append/write value
  std::vector<int64_t> list;  // list-append read result
  int64_t read = kNil;        // register read result
};

struct Client {
  enum class Phase { kIdle, kInvoked, kApplied } phase = Phase::kIdle;
  int64_t process = 0;
  std::vector<PlannedMop> txn;
};

class Generator {
 public:
  explicit Generator(const GenerateOptions& o) : o_(o), prng_(o.seed) {
    for (int i = 0; i < std::max(1, o.keys); ++i) active_.push_back(next_key_++);
    clients_.resize(static_cast<size_t>(std::max(1, o.clients)));
    for (size_t c = 0; c < clients_.size(); ++c) clients_[c].process = static_cast<int64_t>(c);
    next_process_ = static_cast<int64_t>(clients_.size());
  }

  std::string run() {
    int64_t invoked = 0, completed = 0;
    bool injected = o_.inject.empty();
    while (completed < o_.transactions) {
      if (!injected && completed >= o_.transactions / 2) {
        inject();
        injected = true;
      }
      Client& c = clients_[prng_.below(clients_.size())];
      switch (c.phase) {
        case Client::Phase::kIdle:
          if (invoked == o_.transactions) break;
          ++invoked;
          plan(c);
          emit(c.process, "invoke", c.txn, false);
          c.phase = Client::Phase::kInvoked;
          break;
        case Client::Phase::kInvoked:
          apply(c.txn);
          c.phase = Client::Phase::kApplied;
          break;
        case Client::Phase::kApplied:
          ++completed;
          if (prng_.unit() < o_.unknown) {
            emit(c.process, "info", c.txn, false);
            c.process = next_process_++;  // as Jepsen does: the process crashed
          } else {
            emit(c.process, "ok", c.txn, true);
          }
          c.phase = Client::Phase::kIdle;
          break;
      }
    }
    if (!injected) inject();
    return out_;
  }

 private:
  bool lists() const { return o_.model == Model::kListAppend; }

  void plan(Client& c) {
    c.txn.clear();
    const int n = 1 + static_cast<int>(prng_.below(static_cast<uint64_t>(std::max(1, o_.mops))));
    for (int i = 0; i < n; ++i) {
      PlannedMop m;
      m.key = active_[prng_.below(active_.size())];
      if (prng_.unit() < o_.reads) {
        m.f = 'r';
      } else {
        m.f = lists() ? 'a' : 'w';
        m.value = ++written_[m.key];
      }
      c.txn.push_back(m);
    }
  }

  // The transaction takes effect now, atomically: reads see the store.
  void apply(std::vector<PlannedMop>& txn) {
    for (PlannedMop& m : txn) {
      if (m.f == 'r') {
        if (lists()) {
          m.list = lists_[m.key];
        } else {
          auto it = registers_.find(m.key);
          m.read = it == registers_.end() ? kNil : it->second;
        }
        continue;
      }
      if (lists()) {
        lists_[m.key].push_back(m.value);
      } else {
        registers_[m.key] = m.value;
      }
      if (++writes_[m.key] == o_.appends_per_key) retire(m.key);
    }
  }

  // A key written often enough gives way to a fresh one (reads stay short).
  void retire(int64_t key) {
    for (int64_t& k : active_) {
      if (k == key) k = next_key_++;
    }
  }

  std::string mop_text(const PlannedMop& m, bool results, const std::string& key) const {
    if (m.f == 'a') return "[:append " + key + " " + std::to_string(m.value) + "]";
    if (m.f == 'w') return "[:w " + key + " " + std::to_string(m.value) + "]";
    if (!results) return "[:r " + key + " nil]";
    if (!lists()) return "[:r " + key + " " + (m.read == kNil ? std::string("nil") : std::to_string(m.read)) + "]";
    std::string l = "[";
    for (size_t i = 0; i < m.list.size(); ++i) l += (i ? " " : "") + std::to_string(m.list[i]);
    return "[:r " + key + " " + l + "]]";
  }

  void emit(int64_t process, const char* type, const std::vector<PlannedMop>& txn, bool results,
            const char* key_prefix = nullptr) {
    std::string v = "[";
    for (size_t i = 0; i < txn.size(); ++i) {
      const std::string key = key_prefix ? ":" + std::string(key_prefix) + std::to_string(txn[i].key)
                                         : std::to_string(txn[i].key);
      v += (i ? " " : "") + mop_text(txn[i], results, key);
    }
    out_ += "{:index " + std::to_string(index_++) + ", :process " + std::to_string(process) + ", :type :" + type +
            ", :f :txn, :value " + v + "]}\n";
  }

  // --- Injected anomalies: transactions on keys of their own (:i0, :i1),
  // invoked together and then completed, so no real-time order joins them.
  struct Pattern {
    std::vector<std::vector<PlannedMop>> txns;
    std::vector<const char*> outcomes;  // "ok" or "fail"
  };
  static PlannedMop A(int64_t k, int64_t v) { return {'a', k, v, {}, kNil}; }
  static PlannedMop W(int64_t k, int64_t v) { return {'w', k, v, {}, kNil}; }
  static PlannedMop R(int64_t k, std::vector<int64_t> l) { return {'r', k, 0, std::move(l), kNil}; }
  static PlannedMop RV(int64_t k, int64_t v) { return {'r', k, 0, {}, v}; }

  Pattern list_pattern(const std::string& a) const {
    const int64_t x = 0, y = 1;
    if (a == "G0") return {{{A(x, 1), A(y, 1)}, {A(x, 2), A(y, 2)}, {R(x, {1, 2}), R(y, {2, 1})}}, {}};
    if (a == "G1a") return {{{A(x, 1)}, {R(x, {1})}}, {"fail", "ok"}};
    if (a == "G1b") return {{{A(x, 1), A(x, 2)}, {R(x, {1})}}, {}};
    if (a == "G1c") return {{{A(x, 1), R(y, {1})}, {A(x, 2), A(y, 1)}, {R(x, {1, 2})}}, {}};
    if (a == "G-single") return {{{A(x, 1), A(y, 1)}, {A(x, 2), R(y, {})}, {R(x, {1, 2})}}, {}};
    if (a == "G2-item") return {{{A(x, 1), R(y, {})}, {A(y, 1), R(x, {})}, {R(x, {1}), R(y, {1})}}, {}};
    if (a == "internal") return {{{R(x, {}), A(x, 1), R(x, {})}}, {}};
    if (a == "lost-update") return {{{R(x, {}), A(x, 1)}, {R(x, {}), A(x, 2)}, {R(x, {1, 2})}}, {}};
    if (a == "incompatible-order") return {{{A(x, 1)}, {A(x, 2)}, {R(x, {1, 2})}, {R(x, {2, 1})}}, {}};
    if (a == "duplicate-elements") return {{{A(x, 1)}, {A(x, 2)}, {R(x, {1, 2, 1})}}, {}};
    throw std::invalid_argument("no list-append pattern for " + a);
  }

  Pattern register_pattern(const std::string& a) const {
    const int64_t x = 0, y = 1;
    if (a == "G1a") return {{{W(x, 1)}, {RV(x, 1)}}, {"fail", "ok"}};
    if (a == "G1b") return {{{W(x, 1), W(x, 2)}, {RV(x, 1)}}, {}};
    if (a == "G1c") return {{{W(x, 1), RV(y, 1)}, {W(y, 1), RV(x, 1)}}, {}};
    if (a == "G2-item") return {{{RV(x, kNil), RV(y, kNil), W(x, 1)}, {RV(x, kNil), RV(y, kNil), W(y, 1)}}, {}};
    if (a == "internal") return {{{W(x, 1), RV(x, 2)}, {W(x, 2)}}, {}};
    if (a == "lost-update") return {{{RV(x, kNil), W(x, 1)}, {RV(x, kNil), W(x, 2)}}, {}};
    throw std::invalid_argument("no rw-register pattern for " + a);
  }

  void inject() {
    const Pattern p = lists() ? list_pattern(o_.inject) : register_pattern(o_.inject);
    std::vector<int64_t> processes;
    for (size_t i = 0; i < p.txns.size(); ++i) {
      processes.push_back(next_process_++);
      emit(processes.back(), "invoke", p.txns[i], false, "i");
    }
    for (size_t i = 0; i < p.txns.size(); ++i) {
      emit(processes[i], i < p.outcomes.size() ? p.outcomes[i] : "ok", p.txns[i], true, "i");
    }
  }

  const GenerateOptions& o_;
  Prng prng_;
  std::vector<Client> clients_;
  int64_t next_process_ = 0;
  std::vector<int64_t> active_;
  int64_t next_key_ = 0;
  std::map<int64_t, int64_t> written_;   // key -> values planned so far
  std::map<int64_t, int64_t> writes_;    // key -> writes applied
  std::map<int64_t, std::vector<int64_t>> lists_;
  std::map<int64_t, int64_t> registers_;
  int64_t index_ = 0;
  std::string out_;
};

}  // namespace

std::string generate_history(const GenerateOptions& options) { return Generator(options).run(); }

}  // namespace lockstep::checker::txn
