// Built-in sequential models. Each interns its states as small ids so the
// search can cache (linearized set, state) pairs cheaply.
#include <algorithm>
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

// A register holding nil or an integer: read, write, cas. State 0 is nil;
// integers are interned through a hash map (the search's hot path).
class RegisterModel final : public Model {
 public:
  enum Code { kRead, kWrite, kCas, kOther };
  explicit RegisterModel(Value initial) : initial_(std::move(initial)) {}
  std::string name() const override { return "register"; }
  uint32_t init() override { return id(initial_); }
  void prepare(Operation& op) const override {
    op.code = (op.f == "read" || op.f == "get") ? kRead
              : (op.f == "write" || op.f == "put") ? kWrite
              : op.f == "cas" ? kCas
                              : kOther;
  }
  bool step(uint32_t s, const Operation& op, uint32_t& next) override {
    switch (op.code) {
      case kRead:
        next = s;
        if (!op.known) return true;
        if (op.output.kind == Value::Kind::kNil) return s == 0;
        return s != 0 && op.output.kind == Value::Kind::kInt && op.output.i == values_[s];
      case kWrite:
        next = id(op.input);
        return true;
      case kCas: {
        const bool swapped = s != 0 && op.input.kind == Value::Kind::kPair && values_[s] == op.input.i;
        next = swapped ? intern(op.input.j) : s;
        if (!op.known) return true;
        return op.output.kind == Value::Kind::kBool && (op.output.i != 0) == swapped;
      }
      default:
        return false;
    }
  }
  std::string describe_state(uint32_t s) const override { return s == 0 ? "nil" : std::to_string(values_[s]); }
  std::unique_ptr<Model> fresh() const override { return std::make_unique<RegisterModel>(initial_); }
  std::vector<std::string> operations() const override { return {"read", "write", "cas", "get", "put"}; }
  bool read_only(const Operation& op) const override { return op.code == kRead; }
  std::optional<std::string> register_initial() const override { return name_of(initial_); }
  bool register_value(const Operation& op, bool& write, std::string& value) const override {
    if (op.code != kRead && op.code != kWrite) return false;
    write = op.code == kWrite;
    // A write of anything but an integer stores nil, as step() does; a read
    // of anything but nil or an integer matches no write.
    value = write ? name_of(op.input) : op.output.kind == Value::Kind::kInt || op.output.kind == Value::Kind::kNil
                                            ? name_of(op.output)
                                            : "unwritable " + op.output.str();
    return true;
  }

 private:
  static std::string name_of(const Value& v) { return v.kind == Value::Kind::kInt ? std::to_string(v.i) : "nil"; }
  uint32_t id(const Value& v) { return v.kind == Value::Kind::kInt ? intern(v.i) : 0; }
  uint32_t intern(int64_t v) {
    auto [it, inserted] = ids_.try_emplace(v, static_cast<uint32_t>(values_.size()));
    if (inserted) values_.push_back(v);
    return it->second;
  }
  Value initial_;
  std::unordered_map<int64_t, uint32_t> ids_;
  std::vector<int64_t> values_{0};  // index 0: nil
};

// Per-key string registers: get ("" when absent), put, append.
class KvModel final : public Model {
 public:
  enum Code { kGet, kPut, kAppend, kOther };
  std::string name() const override { return "kv"; }
  uint32_t init() override { return states_.id(""); }
  void prepare(Operation& op) const override {
    op.code = (op.f == "get" || op.f == "read")    ? kGet
              : (op.f == "put" || op.f == "write") ? kPut
              : op.f == "append"                   ? kAppend
                                                   : kOther;
  }
  bool step(uint32_t s, const Operation& op, uint32_t& next) override {
    switch (op.code) {
      case kGet:
        next = s;
        return !op.known || output(op) == states_.get(s);
      case kPut:
        next = states_.id(op.input.s);
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
    value = "\"" + (write ? op.input.s : output(op)) + "\"";
    return true;
  }
  std::string describe_state(uint32_t s) const override { return "\"" + states_.get(s) + "\""; }
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
  static const std::string& output(const Operation& op) {
    static const std::string absent;
    return op.output.kind == Value::Kind::kString ? op.output.s : absent;
  }
  Interner<std::string> states_;
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
      next = states_.id(v + d);
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

// A FIFO queue of integers: enqueue (input), dequeue (output, nil when empty).
class QueueModel final : public Model {
 public:
  std::string name() const override { return "queue"; }
  uint32_t init() override { return states_.id({}); }
  bool step(uint32_t s, const Operation& op, uint32_t& next) override {
    std::vector<int64_t> q = states_.get(s);
    if (op.f == "enqueue" || op.f == "push") {
      q.push_back(op.input.i);
      next = states_.id(q);
      return true;
    }
    if (op.f == "dequeue" || op.f == "pop") {
      if (q.empty()) {
        next = s;
        return !op.known || op.output.kind == Value::Kind::kNil;
      }
      const int64_t front = q.front();
      q.erase(q.begin());
      next = states_.id(q);
      return !op.known || (op.output.kind == Value::Kind::kInt && op.output.i == front);
    }
    return false;
  }
  std::string describe_state(uint32_t s) const override {
    std::string out = "[";
    for (int64_t v : states_.get(s)) out += (out.size() > 1 ? " " : "") + std::to_string(v);
    return out + "]";
  }
  std::unique_ptr<Model> fresh() const override { return std::make_unique<QueueModel>(); }
  std::vector<std::string> operations() const override { return {"enqueue", "push", "dequeue", "pop"}; }

 private:
  Interner<std::vector<int64_t>> states_;
};

// A set of integers: add, remove, contains (bool output).
class SetModel final : public Model {
 public:
  std::string name() const override { return "set"; }
  uint32_t init() override { return states_.id({}); }
  bool step(uint32_t s, const Operation& op, uint32_t& next) override {
    std::set<int64_t> set = states_.get(s);
    if (op.f == "add") {
      set.insert(op.input.i);
      next = states_.id(set);
      return true;
    }
    if (op.f == "remove") {
      set.erase(op.input.i);
      next = states_.id(set);
      return true;
    }
    if (op.f == "contains" || op.f == "member") {
      next = s;
      return !op.known || (op.output.kind == Value::Kind::kBool && (op.output.i != 0) == (set.count(op.input.i) > 0));
    }
    return false;
  }
  std::string describe_state(uint32_t s) const override {
    std::string out = "#{";
    for (int64_t v : states_.get(s)) out += (out.size() > 2 ? " " : "") + std::to_string(v);
    return out + "}";
  }
  std::unique_ptr<Model> fresh() const override { return std::make_unique<SetModel>(); }
  std::vector<std::string> operations() const override { return {"add", "remove", "contains", "member"}; }
  bool read_only(const Operation& op) const override { return op.f == "contains" || op.f == "member"; }

 private:
  Interner<std::set<int64_t>> states_;
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
