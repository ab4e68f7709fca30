// Transactional anomaly checking (engine/checker/txn.h): dependencies
// inferred from what reads saw, then cycles.
#include "engine/checker/txn.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>
#include <unordered_map>
#include <unordered_set>

namespace lockstep::checker::txn {

std::string_view model_name(Model m) { return m == Model::kListAppend ? "list-append" : "rw-register"; }

std::string_view consistency_name(Consistency c) {
  switch (c) {
    case Consistency::kReadCommitted: return "read-committed";
    case Consistency::kSnapshotIsolation: return "snapshot-isolation";
    case Consistency::kSerializable: return "serializable";
    case Consistency::kStrictSerializable: return "strict-serializable";
  }
  return "serializable";
}

bool parse_model(std::string_view name, Model& out) {
  if (name == "list-append") {
    out = Model::kListAppend;
  } else if (name == "rw-register") {
    out = Model::kRwRegister;
  } else {
    return false;
  }
  return true;
}

bool parse_consistency(std::string_view name, Consistency& out) {
  for (Consistency c : {Consistency::kReadCommitted, Consistency::kSnapshotIsolation, Consistency::kSerializable,
                        Consistency::kStrictSerializable}) {
    if (consistency_name(c) == name) {
      out = c;
      return true;
    }
  }
  return false;
}

Consistency strongest(const History& h) {
  return h.has_invocations ? Consistency::kStrictSerializable : Consistency::kSerializable;
}

// Adya's isolation levels as Elle reads them (docs/checkers.md): read
// committed (PL-2) rules out G0, G1a, G1b and G1c; snapshot isolation also
// G-single; serializability (PL-3) also G2-item; strict serializability
// also every cycle that needs real-time or process order. A lost update
// (two transactions read one version of a key and both wrote it) is ruled
// out with G-single, which it always implies. Reads no serial
// order can give (internal, incompatible-order, duplicate-elements,
// garbage-read) are ruled out by all four.
std::vector<Consistency> ruled_out_by(std::string_view anomaly) {
  using C = Consistency;
  const bool realtime = anomaly.ends_with("-realtime") || anomaly.ends_with("-process");
  std::string_view base = anomaly;
  if (realtime) base = anomaly.substr(0, anomaly.rfind('-'));
  std::vector<C> all = {C::kReadCommitted, C::kSnapshotIsolation, C::kSerializable, C::kStrictSerializable};
  if (realtime) return {C::kStrictSerializable};
  if (base == "G0" || base == "G1a" || base == "G1b" || base == "G1c") return all;
  if (base == "G-single" || base == "lost-update") return {C::kSnapshotIsolation, C::kSerializable, C::kStrictSerializable};
  if (base == "G2-item") return {C::kSerializable, C::kStrictSerializable};
  return all;  // internal, incompatible-order, duplicate-elements, garbage-read
}

bool forbids(Consistency consistency, std::string_view anomaly) {
  const auto out = ruled_out_by(anomaly);
  return std::find(out.begin(), out.end(), consistency) != out.end();
}

namespace {

constexpr uint8_t kData = kWW | kWR | kRW;

bool is_variant(std::string_view type) { return type.ends_with("-process") || type.ends_with("-realtime"); }
// "G-single-realtime" -> "G-single".
std::string base_type(const std::string& type) { return is_variant(type) ? type.substr(0, type.rfind('-')) : type; }

uint64_t pack(uint32_t key, int64_t value) { return static_cast<uint64_t>(key) << 32 | static_cast<uint32_t>(value); }

struct Writer {
  uint32_t txn = 0;
  bool final = true;  // its transaction's last write to the key
};

class OutOfBudget {};

class Analyzer {
 public:
  Analyzer(const History& h, Model model, const Limits& limits)
      : h_(h), model_(model), limits_(limits), start_(std::chrono::steady_clock::now()) {}

  Report run(Consistency consistency) {
    Report r;
    r.model = model_;
    r.consistency = consistency;
    r.transactions = h_.txns.size();
    try {
      index_writes();
      check_transactions();
      if (model_ == Model::kListAppend) {
        list_orders();
        list_dependencies();
      } else {
        register_dependencies();
      }
      order_dependencies();
      r.dependencies = deps_.size();
      find_cycles();
    } catch (const OutOfBudget&) {
      r.unknown = true;
      r.unknown_why = why_;
    }
    for (auto& [type, a] : found_) r.anomalies.push_back(std::move(a));
    std::sort(r.anomalies.begin(), r.anomalies.end(), [](const Anomaly& a, const Anomaly& b) {
      return ruled_out_by(a.type).size() > ruled_out_by(b.type).size() ||
             (ruled_out_by(a.type).size() == ruled_out_by(b.type).size() && a.type < b.type);
    });
    for (Consistency c : {Consistency::kReadCommitted, Consistency::kSnapshotIsolation, Consistency::kSerializable,
                          Consistency::kStrictSerializable}) {
      const bool any = std::any_of(r.anomalies.begin(), r.anomalies.end(),
                                   [&](const Anomaly& a) { return forbids(c, a.type); });
      if (any) r.ruled_out.emplace_back(consistency_name(c));
      if (any && c == consistency) r.valid = false;
    }
    if (r.unknown && r.valid) r.valid = false;
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    return r;
  }

 private:
  // --- Budget ---
  void tick() {
    if ((++ticks_ & 0xfff) != 0) return;
    if (limits_.seconds > 0 &&
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count() > limits_.seconds) {
      why_ = "timeout";
      throw OutOfBudget{};
    }
    if (limits_.memory_bytes > 0 && deps_.size() * sizeof(Dependency) * 3 > limits_.memory_bytes) {
      why_ = "memory";
      throw OutOfBudget{};
    }
  }

  bool committed(uint32_t t) const { return h_.txns[t].type != Txn::Type::kFail; }
  std::string name(uint32_t t) const { return "T" + std::to_string(h_.txns[t].index); }
  const std::string& key(uint32_t k) const { return h_.keys[k]; }
  std::string value(int64_t v) const { return v == kNil ? "nil" : h_.values[static_cast<size_t>(v)]; }
  std::string list(const std::vector<int64_t>& l) const {
    std::string out = "[";
    for (size_t i = 0; i < l.size(); ++i) out += (i ? " " : "") + value(l[i]);
    return out + "]";
  }

  void add(uint32_t from, uint32_t to, Edge kind, uint32_t k, int64_t v) {
    if (from == to || !committed(from) || !committed(to)) return;
    tick();
    deps_.push_back({from, to, kind, k, v});
  }

  void report(const std::string& type, std::vector<uint32_t> txns, std::string explanation) {
    if (found_.count(type)) return;  // the first of each type
    Anomaly a;
    a.type = type;
    a.txns = std::move(txns);
    a.explanation = std::move(explanation);
    found_.emplace(type, std::move(a));
  }

  // --- Who wrote what ---
  void index_writes() {
    for (uint32_t t = 0; t < h_.txns.size(); ++t) {
      const auto& mops = h_.txns[t].mops;
      for (size_t i = 0; i < mops.size(); ++i) {
        if (mops[i].f == Mop::F::kRead) continue;
        bool last = true;
        for (size_t j = i + 1; j < mops.size(); ++j) {
          if (mops[j].f != Mop::F::kRead && mops[j].key == mops[i].key) last = false;
        }
        writer_[pack(mops[i].key, mops[i].value)] = {t, last};
      }
    }
  }
  const Writer* writer(uint32_t k, int64_t v) const {
    auto it = writer_.find(pack(k, v));
    return it == writer_.end() ? nullptr : &it->second;
  }

  // --- Inside each transaction: its reads see its own writes, and what
  // it saw first of each key is an external read. ---
  // A transaction's first sight of a key: a read before it appended to
  // the key, or, for a read after its own appends, what that read shows
  // without them (`implied` into implied_; -1: the read itself).
  struct External {
    uint32_t txn;
    size_t mop;
    int64_t implied = -1;
  };
  const std::vector<int64_t>& seen(const External& x) const {
    return x.implied >= 0 ? implied_[static_cast<size_t>(x.implied)] : h_.txns[x.txn].mops[x.mop].list;
  }
  void check_transactions() {
    for (uint32_t t = 0; t < h_.txns.size(); ++t) {
      if (h_.txns[t].type != Txn::Type::kOk) continue;
      if (model_ == Model::kListAppend) {
        check_list_txn(t);
      } else {
        check_register_txn(t);
      }
      note_read_then_write(t);
    }
  }

  // A transaction that read a version of a key and then wrote the key:
  // two that read the same version and both wrote it lost an update.
  void note_read_then_write(uint32_t t) {
    std::unordered_map<uint32_t, int64_t> read_first;  // key -> the version its first access read
    std::unordered_map<uint32_t, bool> touched;
    for (const Mop& m : h_.txns[t].mops) {
      const bool first = !touched[m.key];
      touched[m.key] = true;
      if (m.f == Mop::F::kRead) {
        if (first) read_first[m.key] = model_ == Model::kListAppend ? (m.list.empty() ? kNil : m.list.back()) : m.value;
        continue;
      }
      auto r = read_first.find(m.key);
      if (r == read_first.end()) continue;
      auto [it, fresh] = read_then_wrote_.try_emplace(pack(m.key, r->second), t);
      if (!fresh && it->second != t) {
        const uint32_t other = it->second;
        report("lost-update", {other, t},
               name(other) + " and " + name(t) + " both read " + key(m.key) + " at the version " +
                   (r->second == kNil ? std::string("before any write") : "ending in " + value(r->second)) +
                   " and both wrote it: whichever committed second overwrote an update it never saw");
      }
      read_first.erase(r);
    }
  }

  void check_list_txn(uint32_t t) {
    struct State {
      bool exact = false;
      std::vector<int64_t> seen;  // exact: the whole list; else the txn's own appends so far
    };
    std::unordered_map<uint32_t, State> keys;
    const auto& mops = h_.txns[t].mops;
    for (size_t i = 0; i < mops.size(); ++i) {
      const Mop& m = mops[i];
      State& s = keys[m.key];
      if (m.f == Mop::F::kAppend) {
        s.seen.push_back(m.value);
        continue;
      }
      const std::vector<int64_t>& l = m.list;
      bool fits = true;
      if (s.exact) {
        fits = l == s.seen;
      } else if (!s.seen.empty()) {
        fits = l.size() >= s.seen.size() && std::equal(s.seen.begin(), s.seen.end(), l.end() - s.seen.size());
        if (fits) {  // what the key held before this transaction's appends
          implied_.emplace_back(l.begin(), l.end() - static_cast<ptrdiff_t>(s.seen.size()));
          external_[m.key].push_back({t, i, static_cast<int64_t>(implied_.size() - 1)});
        }
      } else {
        external_[m.key].push_back({t, i});
        for (int64_t e : l) {  // a first read that shows an append this transaction makes later
          const Writer* w = writer(m.key, e);
          if (w && w->txn == t) {
            report("internal", {t}, name(t) + " read " + key(m.key) + " = " + list(l) + ", which holds " + value(e) +
                                        ", an element " + name(t) + " itself appends only later");
            break;
          }
        }
      }
      if (!fits) {
        report("internal", {t}, name(t) + " read " + key(m.key) + " = " + list(l) + ", but its own operations before " +
                                    "that read make it " + (s.exact ? list(s.seen) : "[... " + list(s.seen).substr(1)) +
                                    ": a transaction must see its own writes");
      }
      s.exact = true;
      s.seen = l;
    }
  }

  void check_register_txn(uint32_t t) {
    std::unordered_map<uint32_t, int64_t> known;  // key -> the value the txn last read or wrote
    const auto& mops = h_.txns[t].mops;
    for (size_t i = 0; i < mops.size(); ++i) {
      const Mop& m = mops[i];
      auto it = known.find(m.key);
      if (m.f == Mop::F::kWrite) {
        known[m.key] = m.value;
        continue;
      }
      if (it == known.end()) {
        external_[m.key].push_back({t, i});
      } else if (it->second != m.value) {
        report("internal", {t}, name(t) + " read " + key(m.key) + " = " + value(m.value) + " after its own " +
                                    "operations left it " + value(it->second) + ": a transaction must see its own writes");
      }
      known[m.key] = m.value;
    }
  }

  // --- list-append: each key's version order is its longest read. ---
  void list_orders() {
    std::unordered_map<uint32_t, std::pair<uint32_t, size_t>> longest;  // key -> (txn, mop)
    for (uint32_t t = 0; t < h_.txns.size(); ++t) {
      if (h_.txns[t].type != Txn::Type::kOk) continue;
      const auto& mops = h_.txns[t].mops;
      for (size_t i = 0; i < mops.size(); ++i) {
        if (mops[i].f != Mop::F::kRead) continue;
        tick();
        if (has_duplicates(t, mops[i])) continue;  // no order of appends gives it
        auto [it, fresh] = longest.try_emplace(mops[i].key, t, i);
        if (!fresh && mops[i].list.size() > read(it->second).list.size()) it->second = {t, i};
      }
    }
    for (auto& [k, at] : longest) order_[k] = read(at).list;
    // Every read must be a prefix of the longest.
    for (uint32_t t = 0; t < h_.txns.size(); ++t) {
      if (h_.txns[t].type != Txn::Type::kOk) continue;
      for (const Mop& m : h_.txns[t].mops) {
        if (m.f != Mop::F::kRead) continue;
        tick();
        const std::vector<int64_t>& o = order_[m.key];
        if (m.list.size() <= o.size() && std::equal(m.list.begin(), m.list.end(), o.begin())) continue;
        if (duplicated_.count(&m)) continue;  // reported as such
        const auto [lt, li] = longest[m.key];
        report("incompatible-order", {lt, t},
               name(lt) + " read " + key(m.key) + " = " + list(o) + " and " + name(t) + " read " + key(m.key) + " = " +
                   list(m.list) + ": neither is a prefix of the other, so no single order of appends gives both");
      }
    }
    // A key no one read, appended once: its order is that one append.
    std::unordered_map<uint32_t, int64_t> single;
    for (const auto& [id, w] : writer_) {
      const uint32_t k = static_cast<uint32_t>(id >> 32);
      if (order_.count(k) || !committed(w.txn)) continue;
      auto [it, fresh] = single.try_emplace(k, static_cast<int64_t>(static_cast<uint32_t>(id)));
      if (!fresh) it->second = kNil;
    }
    for (const auto& [k, v] : single) {
      if (v != kNil) order_[k] = {v};
    }
  }

  const Mop& read(std::pair<uint32_t, size_t> at) const { return h_.txns[at.first].mops[at.second]; }

  bool has_duplicates(uint32_t t, const Mop& m) {
    if (m.list.size() < 2) return false;
    std::vector<int64_t> sorted = m.list;
    std::sort(sorted.begin(), sorted.end());
    auto dup = std::adjacent_find(sorted.begin(), sorted.end());
    if (dup == sorted.end()) return false;
    duplicated_.insert(&m);
    report("duplicate-elements", {t},
           name(t) + " read " + key(m.key) + " = " + list(m.list) + ", which holds " + value(*dup) +
               " more than once, though it was appended once");
    return true;
  }

  void list_dependencies() {
    // ww: consecutive elements of each key's order.
    for (const auto& [k, o] : order_) {
      for (size_t i = 0; i + 1 < o.size(); ++i) {
        const Writer* a = writer(k, o[i]);
        const Writer* b = writer(k, o[i + 1]);
        if (a && b) add(a->txn, b->txn, kWW, k, o[i + 1]);
      }
    }
    // Reads: who wrote what they saw (wr), who wrote what came next (rw).
    std::unordered_map<uint32_t, std::vector<int64_t>> unobserved;  // key -> committed appends no read saw
    for (const auto& [id, w] : writer_) {
      const uint32_t k = static_cast<uint32_t>(id >> 32);
      const int64_t v = static_cast<uint32_t>(id);
      if (h_.txns[w.txn].type != Txn::Type::kOk) continue;
      const auto o = order_.find(k);
      if (o == order_.end() || std::find(o->second.begin(), o->second.end(), v) == o->second.end()) {
        unobserved[k].push_back(v);
      }
    }
    for (auto& [k, list] : unobserved) std::sort(list.begin(), list.end());
    for (const auto& [k, reads] : external_) {
      for (const External& x : reads) list_read(x, unobserved[k]);
    }
  }

  void list_read(const External& x, const std::vector<int64_t>& unobserved) {
    const Mop& m = h_.txns[x.txn].mops[x.mop];
    const uint32_t k = m.key;
    const std::vector<int64_t>& l = seen(x);
    for (int64_t e : l) {
      const Writer* w = writer(k, e);
      if (!w) {
        report("garbage-read", {x.txn}, name(x.txn) + " read " + key(k) + " = " + list(l) + ", which holds " +
                                            value(e) + ", though no transaction appended it");
      } else if (h_.txns[w->txn].type == Txn::Type::kFail) {
        report("G1a", {w->txn, x.txn}, name(x.txn) + " read " + key(k) + " = " + list(l) + ", which holds " +
                                           value(e) + ", appended by " + name(w->txn) + ", which failed: an aborted read");
      }
    }
    if (!l.empty()) {
      if (const Writer* w = writer(k, l.back())) {
        add(w->txn, x.txn, kWR, k, l.back());
        if (!w->final && w->txn != x.txn && committed(w->txn)) {
          report("G1b", {w->txn, x.txn}, name(x.txn) + " read " + key(k) + " = " + list(l) + ", ending with " +
                                             value(l.back()) + ", which " + name(w->txn) + " appended before " +
                                             "appending more to " + key(k) + ": an intermediate read");
        }
      }
    }
    const std::vector<int64_t>& o = order_[k];
    const bool prefix = l.size() <= o.size() && std::equal(l.begin(), l.end(), o.begin());
    if (!prefix) return;
    if (l.size() < o.size()) {
      if (const Writer* w = writer(k, o[l.size()])) add(x.txn, w->txn, kRW, k, o[l.size()]);
    }
    // Appends no read saw came after this read, too (at most a few per read).
    size_t n = 0;
    for (int64_t v : unobserved) {
      if (++n > 32) break;
      if (const Writer* w = writer(k, v)) add(x.txn, w->txn, kRW, k, v);
    }
  }

  // --- rw-register: writes are unique; a transaction that read v1 and
  // then wrote v2 puts v1 before v2 in the key's version order. ---
  void register_dependencies() {
    std::unordered_map<uint64_t, std::vector<uint32_t>> readers;  // (key, value) -> external readers
    for (const auto& [k, reads] : external_) {
      for (const External& x : reads) {
        const Mop& m = h_.txns[x.txn].mops[x.mop];
        readers[pack(k, m.value)].push_back(x.txn);
        if (m.value == kNil) continue;
        const Writer* w = writer(k, m.value);
        if (!w) {
          report("garbage-read", {x.txn}, name(x.txn) + " read " + key(k) + " = " + value(m.value) +
                                              ", which no transaction wrote");
          continue;
        }
        if (h_.txns[w->txn].type == Txn::Type::kFail) {
          report("G1a", {w->txn, x.txn}, name(x.txn) + " read " + key(k) + " = " + value(m.value) + ", written by " +
                                             name(w->txn) + ", which failed: an aborted read");
          continue;
        }
        add(w->txn, x.txn, kWR, k, m.value);
        if (!w->final && w->txn != x.txn) {
          report("G1b", {w->txn, x.txn}, name(x.txn) + " read " + key(k) + " = " + value(m.value) + ", which " +
                                             name(w->txn) + " overwrote in the same transaction: an intermediate read");
        }
      }
    }
    // Version order: each transaction's first read of a key before its write to it.
    for (uint32_t t = 0; t < h_.txns.size(); ++t) {
      if (h_.txns[t].type == Txn::Type::kFail) continue;
      std::unordered_map<uint32_t, int64_t> first_read;
      std::unordered_map<uint32_t, bool> wrote;
      for (const Mop& m : h_.txns[t].mops) {
        if (m.f == Mop::F::kRead) {
          if (!wrote[m.key] && m.known) first_read.try_emplace(m.key, m.value);
          continue;
        }
        wrote[m.key] = true;
        auto r = first_read.find(m.key);
        if (r == first_read.end() || r->second == m.value) continue;
        if (r->second != kNil) {
          if (const Writer* w = writer(m.key, r->second)) add(w->txn, t, kWW, m.key, m.value);
        }
        size_t n = 0;
        for (uint32_t reader : readers[pack(m.key, r->second)]) {
          if (++n > 64) break;
          add(reader, t, kRW, m.key, m.value);
        }
        first_read.erase(r);
      }
    }
  }

  // --- Each process's order, and real-time order. ---
  void order_dependencies() {
    std::vector<uint32_t> by_invoke;
    for (uint32_t t = 0; t < h_.txns.size(); ++t) {
      if (committed(t)) by_invoke.push_back(t);
    }
    std::sort(by_invoke.begin(), by_invoke.end(),
              [&](uint32_t a, uint32_t b) { return h_.txns[a].invoke < h_.txns[b].invoke; });
    std::unordered_map<int64_t, uint32_t> last;  // process -> its latest transaction
    for (uint32_t t : by_invoke) {
      const int64_t p = h_.txns[t].process;
      if (p == INT64_MIN) continue;
      if (auto it = last.find(p); it != last.end()) add(it->second, t, kProcess, 0, kNil);
      last[p] = t;
    }
    if (!h_.has_invocations) return;
    // Real time: a transaction follows every one that completed before it
    // began. Only those not already known to precede another completed one
    // are linked (the rest follow by transitivity): the frontier stays as
    // small as the history's concurrency.
    struct Event {
      int64_t at;
      bool complete;
      uint32_t txn;
    };
    std::vector<Event> events;
    for (uint32_t t : by_invoke) {
      events.push_back({h_.txns[t].invoke, false, t});
      if (h_.txns[t].complete >= 0) events.push_back({h_.txns[t].complete, true, t});
    }
    std::sort(events.begin(), events.end(), [](const Event& a, const Event& b) {
      return a.at < b.at || (a.at == b.at && a.complete < b.complete);
    });
    std::vector<uint32_t> frontier;
    std::vector<std::vector<uint32_t>> preceded(h_.txns.size());  // txn -> frontier members at its invocation
    for (const Event& e : events) {
      if (!e.complete) {
        preceded[e.txn] = frontier;
        for (uint32_t f : frontier) add(f, e.txn, kRealtime, 0, kNil);
        continue;
      }
      // e.txn completes: those it follows leave the frontier.
      const std::vector<uint32_t>& before = preceded[e.txn];
      frontier.erase(std::remove_if(frontier.begin(), frontier.end(),
                                    [&](uint32_t f) { return std::find(before.begin(), before.end(), f) != before.end(); }),
                     frontier.end());
      frontier.push_back(e.txn);
      std::vector<uint32_t>().swap(preceded[e.txn]);
    }
  }

  // --- Cycles ---
  void build_graph() {
    const size_t n = h_.txns.size();
    first_.assign(n + 1, 0);
    for (const Dependency& d : deps_) ++first_[d.from + 1];
    for (size_t i = 0; i < n; ++i) first_[i + 1] += first_[i];
    out_.assign(deps_.size(), 0);
    std::vector<uint32_t> fill(first_.begin(), first_.end() - 1);
    for (uint32_t i = 0; i < deps_.size(); ++i) out_[fill[deps_[i].from]++] = i;
  }

  // Tarjan's strongly connected components, without recursion.
  void components() {
    const uint32_t n = static_cast<uint32_t>(h_.txns.size());
    constexpr uint32_t kUnseen = UINT32_MAX;
    std::vector<uint32_t> index(n, kUnseen), low(n, 0), stack;
    std::vector<bool> on(n, false);
    comp_.assign(n, kUnseen);
    uint32_t next = 0, comps = 0;
    struct Frame {
      uint32_t v, edge;
    };
    std::vector<Frame> calls;
    for (uint32_t root = 0; root < n; ++root) {
      if (index[root] != kUnseen) continue;
      calls.push_back({root, first_[root]});
      index[root] = low[root] = next++;
      stack.push_back(root);
      on[root] = true;
      while (!calls.empty()) {
        tick();
        Frame& f = calls.back();
        if (f.edge < first_[f.v + 1]) {
          const uint32_t w = deps_[out_[f.edge++]].to;
          if (index[w] == kUnseen) {
            index[w] = low[w] = next++;
            stack.push_back(w);
            on[w] = true;
            calls.push_back({w, first_[w]});
          } else if (on[w]) {
            low[f.v] = std::min(low[f.v], index[w]);
          }
          continue;
        }
        const uint32_t v = f.v;
        calls.pop_back();
        if (!calls.empty()) low[calls.back().v] = std::min(low[calls.back().v], low[v]);
        if (low[v] != index[v]) continue;
        size_t size = 0;
        for (uint32_t w = UINT32_MAX; w != v;) {
          w = stack.back();
          stack.pop_back();
          on[w] = false;
          comp_[w] = comps;
          ++size;
        }
        comp_size_.push_back(size);
        ++comps;
      }
    }
  }

  // The shortest path from `from` to `to` inside one component over edges
  // whose kind is in `mask`; its edges, or nothing.
  std::optional<std::vector<uint32_t>> path(uint32_t from, uint32_t to, uint8_t mask) {
    if (stamp_.empty()) {
      stamp_.assign(h_.txns.size(), 0);
      via_.assign(h_.txns.size(), 0);
    }
    ++round_;
    std::vector<uint32_t> queue{from};
    stamp_[from] = round_;
    const uint32_t c = comp_[from];
    for (size_t q = 0; q < queue.size(); ++q) {
      const uint32_t v = queue[q];
      if (v == to) {
        std::vector<uint32_t> edges;
        for (uint32_t x = to; x != from; x = deps_[via_[x]].from) edges.push_back(via_[x]);
        std::reverse(edges.begin(), edges.end());
        return edges;
      }
      for (uint32_t i = first_[v]; i < first_[v + 1]; ++i) {
        tick();
        const Dependency& d = deps_[out_[i]];
        if (!(d.kind & mask) || comp_[d.to] != c || stamp_[d.to] == round_) continue;
        stamp_[d.to] = round_;
        via_[d.to] = out_[i];
        queue.push_back(d.to);
      }
    }
    return std::nullopt;
  }

  // The name of a cycle by its edges (Adya's, with Elle's suffixes).
  static std::string classify(const std::vector<Dependency>& cycle) {
    size_t rw = 0, wr = 0;
    bool realtime = false, process = false;
    for (const Dependency& d : cycle) {
      rw += d.kind == kRW;
      wr += d.kind == kWR;
      realtime |= d.kind == kRealtime;
      process |= d.kind == kProcess;
    }
    std::string base = rw == 0 ? (wr == 0 ? "G0" : "G1c") : rw == 1 ? "G-single" : "G2-item";
    return base + (realtime ? "-realtime" : process ? "-process" : "");
  }

  void find_cycles() {
    build_graph();
    components();
    // Searches: the kind of the edge a cycle must contain, and what the
    // rest of it may use; without, then with process, then real-time order.
    struct Search {
      uint8_t start, path;
    };
    const Search base[] = {{kWW, kWW}, {kWR, kWW | kWR}, {kRW, kWW | kWR}, {kRW, kData}};
    for (uint8_t extra : {uint8_t{0}, uint8_t{kProcess}, uint8_t{kProcess | kRealtime}}) {
      for (const Search& s : base) search(s.start | extra, s.path | extra, extra);
    }
  }

  void search(uint8_t start, uint8_t mask, uint8_t extra) {
    constexpr size_t kTriesPerComponent = 48;
    std::vector<size_t> tries(comp_size_.size(), 0);
    std::map<std::string, std::vector<Dependency>> best;
    for (uint32_t i = 0; i < deps_.size(); ++i) {
      const Dependency& d = deps_[i];
      if (!(d.kind & start) || comp_[d.from] != comp_[d.to] || comp_size_[comp_[d.from]] < 2) continue;
      if (tries[comp_[d.from]]++ >= kTriesPerComponent) continue;
      auto p = path(d.to, d.from, mask);
      if (!p) continue;
      std::vector<Dependency> cycle{d};
      for (uint32_t e : *p) cycle.push_back(deps_[e]);
      const std::string type = classify(cycle);
      if (extra && !is_variant(type)) continue;  // found without the extra order already
      auto& b = best[type];
      if (b.empty() || cycle.size() < b.size()) b = std::move(cycle);
    }
    for (auto& [type, cycle] : best) {
      // A variant is news only where its anomaly was not found without
      // process or real-time order (which rules out more models).
      const std::string base = base_type(type);
      if (found_.count(type) || (is_variant(type) && (found_.count(base) || found_.count(base + "-process")))) continue;
      Anomaly a;
      a.type = type;
      for (const Dependency& d : cycle) a.txns.push_back(d.from);
      a.cycle = cycle;
      a.explanation = explain(cycle, type);
      found_.emplace(type, std::move(a));
    }
  }

  // --- Words ---
  std::string why(const Dependency& d) const {
    const std::string a = name(d.from), b = name(d.to), k = key(d.key);
    switch (d.kind) {
      case kWW:
        if (model_ == Model::kListAppend) {
          const auto& o = order_.at(d.key);
          const auto at = std::find(o.begin(), o.end(), d.value);
          const std::string prev = at == o.begin() || at == o.end() ? "?" : value(*(at - 1));
          return a + " appended " + prev + " to " + k + " and " + b + " appended " + value(d.value) +
                 " right after it (reads of " + k + " show " + prev + " before " + value(d.value) + ")";
        }
        return b + " read " + k + " as " + a + " wrote it and then wrote " + value(d.value) + " over it";
      case kWR:
        return model_ == Model::kListAppend
                   ? b + " read " + k + " ending in " + value(d.value) + ", which " + a + " appended"
                   : b + " read " + k + " = " + value(d.value) + ", which " + a + " wrote";
      case kRW:
        return model_ == Model::kListAppend
                   ? a + " read " + k + " without " + value(d.value) + ", which " + b + " appended after what " + a +
                         " saw"
                   : a + " read a version of " + k + " that " + b + "'s write of " + value(d.value) + " came after";
      case kProcess:
        return a + " and " + b + " ran in process " + std::to_string(h_.txns[d.from].process) + ", " + a + " first";
      case kRealtime:
        return a + " completed (line " + std::to_string(h_.txns[d.from].line) + ") before " + b + " began";
    }
    return {};
  }

  std::string explain(const std::vector<Dependency>& cycle, const std::string& type) const {
    static const char* kKind[] = {"", "ww", "wr", "", "rw", "", "", "", "process", "", "", "", "", "", "", "", "realtime"};
    std::string out;
    for (const Dependency& d : cycle) {
      out += name(d.from) + " < " + name(d.to) + " (" + kKind[d.kind] + "): " + why(d) + ".\n";
    }
    const std::string first = name(cycle.front().from);
    out += "So " + first + " must come before itself: a " + type + " cycle";
    const std::string base = base_type(type);
    if (base == "G0") out += " (write-write dependencies only)";
    if (base == "G1c") out += " (write-write and write-read dependencies: circular information flow)";
    if (base == "G-single") out += " (one read-write anti-dependency: a read skew)";
    if (base == "G2-item") out += " (two or more read-write anti-dependencies: a write skew)";
    return out + ".";
  }

  const History& h_;
  Model model_;
  Limits limits_;
  std::chrono::steady_clock::time_point start_;
  uint64_t ticks_ = 0;
  std::string why_;
  std::unordered_map<uint64_t, Writer> writer_;
  std::unordered_map<uint32_t, std::vector<External>> external_;      // key -> external reads
  std::unordered_map<uint32_t, std::vector<int64_t>> order_;          // list-append: key -> version order
  std::vector<std::vector<int64_t>> implied_;                         // list-append: External::implied
  std::unordered_set<const Mop*> duplicated_;                         // list-append reads holding an element twice
  std::unordered_map<uint64_t, uint32_t> read_then_wrote_;           // (key, version) -> a txn that read it, then wrote
  std::vector<Dependency> deps_;
  std::vector<uint32_t> first_, out_;                                 // edges by source (CSR)
  std::vector<uint32_t> comp_;
  std::vector<size_t> comp_size_;
  std::vector<uint32_t> stamp_, via_;
  uint32_t round_ = 0;
  std::map<std::string, Anomaly> found_;
};

}  // namespace

Report check(const History& h, Model model, Consistency consistency, const Limits& limits) {
  return Analyzer(h, model, limits).run(consistency);
}

}  // namespace lockstep::checker::txn
