// Built-in sequential models, for recorded histories (integers, strings)
// and for scenarios (ls.model: atoms, engine/checker/checker.h). Each
// interns its states as small ids so the search can cache (linearized set,
// state) pairs cheaply.
#include <algorithm>
#include <cstring>
#include <map>
#include <set>
#include <unordered_map>

#include "engine/checker/checker.h"

namespace lockstep::checker {
namespace {

// Interns states of type S (hashable with std::hash, or ordered with std::map).
template <typename S>
class Interner {
 public:
  uint32_t id(const S& s) {
    auto [it, inserted] = ids_.try_emplace(s, static_cast<uint32_t>(states_.size()));
    if (inserted) states_.push_back(s);
    return it->second;
  }
  const S& get(uint32_t id) const { return states_[id]; }

 private:
  std::map<S, uint32_t> ids_;
  std::vector<S> states_;
};

// A value a model stores and compares: an integer, an atom or a boolean
// (kinds never equal each other). Strings and pairs are not cells.
struct Cell {
  Value::Kind kind = Value::Kind::kNil;
  int64_t i = 0;
  bool operator==(const Cell&) const = default;
  bool operator<(const Cell& o) const { return kind != o.kind ? kind < o.kind : i < o.i; }
};
struct CellHash {
  size_t operator()(const Cell& c) const {
    return std::hash<int64_t>()(c.i) ^ (static_cast<size_t>(c.kind) * 0x9e3779b97f4a7c15ull);
  }
};
bool is_cell(const Value& v) {
  return v.kind == Value::Kind::kInt || v.kind == Value::Kind::kAtom || v.kind == Value::Kind::kBool;
}
Cell cell(const Value& v) { return {v.kind, v.i}; }

// How cells read in reports; atoms by the text they came with.
class CellNames {
 public:
  void note(const Value& v) {
    if (v.kind == Value::Kind::kAtom) names_.try_emplace(v.i, v.s);
  }
  std::string operator()(const Cell& c) const {
    switch (c.kind) {
      case Value::Kind::kBool: return c.i ? "true" : "false";
      case Value::Kind::kAtom: {
        auto it = names_.find(c.i);
        return it != names_.end() ? it->second : "#" + std::to_string(c.i);
      }
      default: return std::to_string(c.i);
    }
  }

 private:
  std::unordered_map<int64_t, std::string> names_;
};

// A register holding nil or a cell: read, write, cas. State 0 is nil;
// cells are interned through a hash map (the search's hot path). A write
// of anything else (a string) stores nil.
class RegisterModel final : public Model {
 public:
  enum Code { kRead, kWrite, kCas, kOther };
  explicit RegisterModel(Value initial) : initial_(std::move(initial)) {}
  std::string name() const override { return "register"; }
  uint32_t init() override { return id(initial_); }
  // Values become state ids here, once: a read's output (kNoState for a
  // value no write can store), a write's input, a cas's from and to (from
  // kNoState when it can never match).
  void prepare(Operation& op) override {
    op.code = (op.f == "read" || op.f == "get") ? kRead
              : (op.f == "write" || op.f == "put") ? kWrite
              : op.f == "cas" ? kCas
                              : kOther;
    switch (op.code) {
      case kRead:
        op.prepared[1] = op.output.kind == Value::Kind::kNil ? 0 : is_cell(op.output) ? id(op.output) : kNoState;
        break;
      case kWrite: op.prepared[0] = id(op.input); break;
      case kCas: {
        // [from to] of integers, or of atoms.
        const Value::Kind k = op.input.kind == Value::Kind::kPair       ? Value::Kind::kInt
                              : op.input.kind == Value::Kind::kAtomPair ? Value::Kind::kAtom
                                                                        : Value::Kind::kNil;
        op.prepared[0] = k == Value::Kind::kNil ? kNoState : intern(Cell{k, op.input.i});
        op.prepared[1] = k == Value::Kind::kNil ? kNoState : intern(Cell{k, op.input.j});
        break;
      }
      default: break;
    }
  }
  bool step(uint32_t s, const Operation& op, uint32_t& next) override {
    switch (op.code) {
      case kRead:
        next = s;
        return !op.known || s == op.prepared[1];
      case kWrite:
        next = op.prepared[0];
        return true;
      case kCas: {
        // The from cell is never nil (state 0): a cas on nil never swaps.
        const bool swapped = s == op.prepared[0];
        next = swapped ? op.prepared[1] : s;
        if (!op.known) return true;
        return op.output.kind == Value::Kind::kBool && (op.output.i != 0) == swapped;
      }
      default:
        return false;
    }
  }
  std::string describe_state(uint32_t s) const override { return s == 0 ? "nil" : names_(values_[s]); }
  std::unique_ptr<Model> fresh() const override { return std::make_unique<RegisterModel>(initial_); }
  std::vector<std::string> operations() const override { return {"read", "write", "cas", "get", "put"}; }
  bool read_only(const Operation& op) const override { return op.code == kRead; }
  std::optional<std::string> register_initial() const override { return name_of(initial_); }
  bool register_value(const Operation& op, bool& write, std::string& value) const override {
    if (op.code != kRead && op.code != kWrite) return false;
    write = op.code == kWrite;
    // A write of anything but a cell stores nil, as step() does; a read
    // of anything but nil or a cell matches no write.
    value = write ? name_of(op.input) : is_cell(op.output) || op.output.kind == Value::Kind::kNil
                                            ? name_of(op.output)
                                            : "unwritable " + op.output.str();
    return true;
  }

 private:
  // Distinct cells get distinct names: atoms' texts are distinct (the
  // scenario side makes them so), and an atom read without its text (a
  // check that reports nothing) is named by its id.
  static std::string name_of(const Value& v) {
    if (!is_cell(v)) return "nil";
    if (v.kind == Value::Kind::kAtom) return v.s.empty() ? "\x01#" + std::to_string(v.i) : v.s;
    return v.kind == Value::Kind::kBool ? (v.i ? "true" : "false") : std::to_string(v.i);
  }
  uint32_t id(const Value& v) {
    if (!is_cell(v)) return 0;
    names_.note(v);
    return intern(cell(v));
  }
  uint32_t intern(Cell c) {
    auto [it, inserted] = ids_.try_emplace(c, static_cast<uint32_t>(values_.size()));
    if (inserted) values_.push_back(c);
    return it->second;
  }
  static constexpr uint32_t kNoState = UINT32_MAX;
  Value initial_;
  std::unordered_map<Cell, uint32_t, CellHash> ids_;
  std::vector<Cell> values_{Cell{}};  // index 0: nil
  CellNames names_;
};

// Per-key registers: get, put, append. Values are strings (absent reads
// as "") or atoms (absent is nil); a state is a string, an atom's being
// "\x01" and its id, which no text from a recorded history holds.
class KvModel final : public Model {
 public:
  enum Code { kGet, kPut, kAppend, kOther };
  std::string name() const override { return "kv"; }
  uint32_t init() override { return states_.id(""); }
  // A get's output and a put's input become state ids here, once.
  void prepare(Operation& op) override {
    op.code = (op.f == "get" || op.f == "read")    ? kGet
              : (op.f == "put" || op.f == "write") ? kPut
              : op.f == "append"                   ? kAppend
                                                   : kOther;
    if (op.code == kGet && op.known) op.prepared[1] = states_.id(output(op));
    if (op.code == kPut) op.prepared[0] = states_.id(state_of(op.input));
  }
  bool step(uint32_t s, const Operation& op, uint32_t& next) override {
    switch (op.code) {
      case kGet:
        next = s;
        return !op.known || s == op.prepared[1];
      case kPut:
        next = op.prepared[0];
        return true;
      case kAppend:
        next = states_.id(states_.get(s) + op.input.s);
        return true;
      default:
        return false;
    }
  }
  bool read_only(const Operation& op) const override { return op.code == kGet; }
  std::optional<std::string> register_initial() const override { return "\"\""; }
  bool register_value(const Operation& op, bool& write, std::string& value) const override {
    if (op.code != kGet && op.code != kPut) return false;
    write = op.code == kPut;
    value = text(write ? state_of(op.input) : output(op));
    return true;
  }
  std::string describe_state(uint32_t s) const override { return text(states_.get(s)); }
  std::vector<std::vector<Operation>> partition(const std::vector<Operation>& ops) const override {
    std::map<std::string, std::vector<Operation>> by_key;
    for (const auto& op : ops) by_key[op.key].push_back(op);
    std::vector<std::vector<Operation>> out;
    for (auto& [k, v] : by_key) out.push_back(std::move(v));
    return out;
  }
  std::unique_ptr<Model> fresh() const override { return std::make_unique<KvModel>(); }
  std::vector<std::string> operations() const override { return {"get", "put", "append", "read", "write"}; }

 private:
  // What a get returned: nil (absent) reads as "".
  std::string output(const Operation& op) const { return state_of(op.output); }
  std::string state_of(const Value& v) const {
    if (v.kind == Value::Kind::kString) return v.s;
    if (v.kind != Value::Kind::kAtom) return "";
    names_.try_emplace(v.i, v.s);
    std::string st(1 + sizeof v.i, '\x01');
    std::memcpy(st.data() + 1, &v.i, sizeof v.i);
    return st;
  }
  std::string text(const std::string& st) const {
    if (st.size() != 1 + sizeof(int64_t) || st[0] != '\x01') return "\"" + st + "\"";
    int64_t id;
    std::memcpy(&id, st.data() + 1, sizeof id);
    auto it = names_.find(id);
    return it != names_.end() ? it->second : "#" + std::to_string(id);
  }
  Interner<std::string> states_;
  mutable std::unordered_map<int64_t, std::string> names_;  // atoms' texts
};

// A counter: add / increment (input), read (output).
class CounterModel final : public Model {
 public:
  explicit CounterModel(int64_t initial) : initial_(initial) {}
  std::string name() const override { return "counter"; }
  uint32_t init() override { return states_.id(initial_); }
  bool step(uint32_t s, const Operation& op, uint32_t& next) override {
    const int64_t v = states_.get(s);
    if (op.f == "read" || op.f == "get") {
      next = s;
      return !op.known || (op.output.kind == Value::Kind::kInt && op.output.i == v);
    }
    if (op.f == "add" || op.f == "increment" || op.f == "incr") {
      const int64_t d = op.input.kind == Value::Kind::kInt ? op.input.i : 1;
      // Exact arithmetic: a sum past 64 bits is a value no read can show,
      // so no linearization goes through it (never a wrapped value).
      int64_t sum = 0;
      if (__builtin_add_overflow(v, d, &sum)) return false;
      next = states_.id(sum);
      return true;
    }
    return false;
  }
  std::string describe_state(uint32_t s) const override { return std::to_string(states_.get(s)); }
  std::unique_ptr<Model> fresh() const override { return std::make_unique<CounterModel>(initial_); }
  std::vector<std::string> operations() const override { return {"read", "get", "add", "increment", "incr"}; }
  bool read_only(const Operation& op) const override { return op.f == "read" || op.f == "get"; }

 private:
  int64_t initial_;
  Interner<int64_t> states_;
};

// A FIFO queue of cells: enqueue (input), dequeue (output, nil when empty).
class QueueModel final : public Model {
 public:
  std::string name() const override { return "queue"; }
  uint32_t init() override { return states_.id({}); }
  bool step(uint32_t s, const Operation& op, uint32_t& next) override {
    std::vector<Cell> q = states_.get(s);
    if (op.f == "enqueue" || op.f == "push") {
      names_.note(op.input);
      q.push_back(cell(op.input));
      next = states_.id(q);
      return true;
    }
    if (op.f == "dequeue" || op.f == "pop") {
      if (q.empty()) {
        next = s;
        return !op.known || op.output.kind == Value::Kind::kNil;
      }
      const Cell front = q.front();
      q.erase(q.begin());
      next = states_.id(q);
      return !op.known || (is_cell(op.output) && cell(op.output) == front);
    }
    return false;
  }
  std::string describe_state(uint32_t s) const override {
    std::string out = "[";
    for (const Cell& v : states_.get(s)) out += (out.size() > 1 ? " " : "") + names_(v);
    return out + "]";
  }
  std::unique_ptr<Model> fresh() const override { return std::make_unique<QueueModel>(); }
  std::vector<std::string> operations() const override { return {"enqueue", "push", "dequeue", "pop"}; }

 private:
  Interner<std::vector<Cell>> states_;
  CellNames names_;
};

// A set of cells: add, remove, contains (bool output).
class SetModel final : public Model {
 public:
  std::string name() const override { return "set"; }
  uint32_t init() override { return states_.id({}); }
  bool step(uint32_t s, const Operation& op, uint32_t& next) override {
    std::set<Cell> set = states_.get(s);
    if (op.f == "add") {
      names_.note(op.input);
      set.insert(cell(op.input));
      next = states_.id(set);
      return true;
    }
    if (op.f == "remove") {
      set.erase(cell(op.input));
      next = states_.id(set);
      return true;
    }
    if (op.f == "contains" || op.f == "member") {
      next = s;
      return !op.known ||
             (op.output.kind == Value::Kind::kBool && (op.output.i != 0) == (set.count(cell(op.input)) > 0));
    }
    return false;
  }
  std::string describe_state(uint32_t s) const override {
    std::string out = "#{";
    for (const Cell& v : states_.get(s)) out += (out.size() > 2 ? " " : "") + names_(v);
    return out + "}";
  }
  std::unique_ptr<Model> fresh() const override { return std::make_unique<SetModel>(); }
  std::vector<std::string> operations() const override { return {"add", "remove", "contains", "member"}; }
  bool read_only(const Operation& op) const override { return op.f == "contains" || op.f == "member"; }

 private:
  Interner<std::set<Cell>> states_;
  CellNames names_;
};

}  // namespace

std::unique_ptr<Model> make_register_model(Value initial) { return std::make_unique<RegisterModel>(std::move(initial)); }
std::unique_ptr<Model> make_kv_model() { return std::make_unique<KvModel>(); }
std::unique_ptr<Model> make_counter_model(int64_t initial) { return std::make_unique<CounterModel>(initial); }
std::unique_ptr<Model> make_queue_model() { return std::make_unique<QueueModel>(); }
std::unique_ptr<Model> make_set_model() { return std::make_unique<SetModel>(); }

std::unique_ptr<Model> make_model(const std::string& name, const Value& initial) {
  if (name == "register" || name == "cas_register") return make_register_model(initial);
  if (name == "kv") return make_kv_model();
  if (name == "counter") return make_counter_model(initial.kind == Value::Kind::kInt ? initial.i : 0);
  if (name == "queue") return make_queue_model();
  if (name == "set") return make_set_model();
  return nullptr;
}

Status check_operations(const std::vector<Operation>& ops, const Model& model) {
  const std::vector<std::string> known = model.operations();
  if (known.empty()) return Status::Ok();
  for (const Operation& op : ops) {
    if (std::find(known.begin(), known.end(), op.f) != known.end()) continue;
    std::string list;
    for (const std::string& k : known) list += (list.empty() ? "" : ", ") + k;
    return Status::InvalidArgument("operation \"" + op.f + "\" (" + op.str() + ") is unknown to the " + model.name() +
                                   " model, which knows " + list);
  }
  return Status::Ok();
}

}  // namespace lockstep::checker
