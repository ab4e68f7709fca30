// Reading transactional histories (engine/checker/txn.h): Jepsen EDN and
// JSON lines, invocations paired with completions per process.
#include <algorithm>
#include <cctype>
#include <string>
#include <unordered_map>

#include "engine/base/json.h"
#include "engine/checker/edn.h"
#include "engine/checker/txn.h"

namespace lockstep::checker::txn {
namespace {

// An operation as read, before pairing.
struct RawOp {
  Txn::Type type = Txn::Type::kOk;
  bool invoke = false;
  int64_t process = INT64_MIN;
  int64_t index = -1;
  size_t line = 0;
  struct RawMop {
    Mop::F f = Mop::F::kRead;
    std::string key;
    bool has_value = false;    // a read's result was given (not nil)
    bool value_is_list = false;
    std::string value;         // append/write value; register read value
    std::vector<std::string> list;
  };
  std::vector<RawMop> mops;
};

class Interner {
 public:
  explicit Interner(std::vector<std::string>& out) : out_(out) {}
  uint32_t operator()(const std::string& s) {
    auto [it, added] = ids_.try_emplace(s, static_cast<uint32_t>(out_.size()));
    if (added) out_.push_back(s);
    return it->second;
  }

 private:
  std::vector<std::string>& out_;
  std::unordered_map<std::string, uint32_t> ids_;
};

bool parse_f(std::string_view f, Mop::F& out) {
  if (f == "append") {
    out = Mop::F::kAppend;
  } else if (f == "r" || f == "read") {
    out = Mop::F::kRead;
  } else if (f == "w" || f == "write") {
    out = Mop::F::kWrite;
  } else {
    return false;
  }
  return true;
}

bool parse_type(std::string_view t, RawOp& op) {
  op.invoke = t == "invoke";
  if (t == "ok" || t == "invoke") {
    op.type = Txn::Type::kOk;
  } else if (t == "fail") {
    op.type = Txn::Type::kFail;
  } else if (t == "info") {
    op.type = Txn::Type::kInfo;
  } else {
    return false;
  }
  return true;
}

// --- EDN ---

std::string edn_mop(const Edn& m, RawOp::RawMop& out) {
  if (!m.is_sequence() || m.items.size() != 3) return "a micro-operation must be [f k v], not " + m.str().substr(0, 60);
  const Edn& f = m.items[0];
  if ((f.type != Edn::Type::kKeyword && f.type != Edn::Type::kSymbol && f.type != Edn::Type::kString) ||
      !parse_f(f.text, out.f)) {
    return "unknown micro-operation " + f.str().substr(0, 40) + " (expected :append, :r or :w)";
  }
  out.key = m.items[1].str();
  const Edn& v = m.items[2];
  if (v.is(Edn::Type::kNil)) return {};
  out.has_value = true;
  if (v.is_sequence()) {
    out.value_is_list = true;
    for (const Edn& e : v.items) out.list.push_back(e.str());
  } else {
    out.value = v.str();
  }
  return {};
}

std::string edn_op(const Edn& e, RawOp& op) {
  if (!e.is(Edn::Type::kMap)) return "an operation must be a map, not " + e.str().substr(0, 60);
  const Edn* type = e.get("type");
  if (!type || type->type != Edn::Type::kKeyword || !parse_type(type->text, op)) {
    return "an operation needs :type :invoke, :ok, :fail or :info";
  }
  if (const Edn* p = e.get("process"); p && p->is(Edn::Type::kInteger)) op.process = p->integer;
  else if (p && !p->is(Edn::Type::kNil)) op.process = INT64_MIN + 1;  // :nemesis and the like: not a client
  if (const Edn* i = e.get("index"); i && i->is(Edn::Type::kInteger)) op.index = i->integer;
  const Edn* value = e.get("value");
  if (!value || !value->is_sequence()) return "an operation needs :value, a vector of micro-operations";
  for (const Edn& m : value->items) {
    RawOp::RawMop mop;
    if (std::string err = edn_mop(m, mop); !err.empty()) return err;
    op.mops.push_back(std::move(mop));
  }
  return {};
}

Status read_edn(std::string_view text, const std::string& name, std::vector<RawOp>& out) {
  EdnReader reader(text);
  while (!reader.done()) {
    const size_t line = reader.line();
    Result<Edn> v = reader.next();
    if (!v.ok()) return Status::InvalidArgument(name + ":" + v.status().message());
    // A history written as one vector of operations.
    const bool many = v->type == Edn::Type::kVector && (v->items.empty() || v->items[0].is(Edn::Type::kMap));
    const std::vector<Edn> one{many ? Edn{} : std::move(*v)};
    const std::vector<Edn>& ops = many ? v->items : one;
    for (size_t i = 0; i < ops.size(); ++i) {
      if (const Edn* f = ops[i].get("f"); f && f->type == Edn::Type::kKeyword && f->text != "txn") continue;
      RawOp op;
      op.line = many ? line : line;
      if (std::string err = edn_op(ops[i], op); !err.empty()) {
        return Status::InvalidArgument(name + ":" + std::to_string(line) + (many ? " (operation " + std::to_string(i + 1) + ")" : "") + ": " + err);
      }
      if (op.process == INT64_MIN + 1) continue;
      out.push_back(std::move(op));
    }
  }
  return Status::Ok();
}

// --- JSON lines ---

std::string json_scalar(const JsonValue& v) {
  return v.type == JsonValue::Type::kString ? "\"" + v.text + "\"" : v.text;
}

std::string json_op(const JsonValue& e, RawOp& op) {
  if (e.type != JsonValue::Type::kObject) return "an operation must be an object";
  if (!parse_type(e.str("type"), op)) return "an operation needs \"type\": \"invoke\", \"ok\", \"fail\" or \"info\"";
  if (const JsonValue* f = e.get("f"); f && f->type == JsonValue::Type::kString && f->text != "txn") {
    return "skip";
  }
  if (const JsonValue* p = e.get("process"); p && p->type == JsonValue::Type::kNumber) {
    op.process = std::stoll(p->text);
  }
  if (const JsonValue* i = e.get("index"); i && i->type == JsonValue::Type::kNumber) op.index = std::stoll(i->text);
  const JsonValue* value = e.get("value");
  if (!value || value->type != JsonValue::Type::kArray) return "an operation needs \"value\", a list of micro-operations";
  for (const JsonValue& m : value->items) {
    if (m.type != JsonValue::Type::kArray || m.items.size() != 3 || m.items[0].type != JsonValue::Type::kString) {
      return "a micro-operation must be [\"f\", key, value]";
    }
    RawOp::RawMop mop;
    if (!parse_f(m.items[0].text, mop.f)) return "unknown micro-operation \"" + m.items[0].text.substr(0, 40) + "\"";
    mop.key = json_scalar(m.items[1]);
    const JsonValue& v = m.items[2];
    if (v.type == JsonValue::Type::kArray) {
      mop.has_value = mop.value_is_list = true;
      for (const JsonValue& x : v.items) mop.list.push_back(json_scalar(x));
    } else if (v.type != JsonValue::Type::kNull) {
      mop.has_value = true;
      mop.value = json_scalar(v);
    }
    op.mops.push_back(std::move(mop));
  }
  return {};
}

Status read_json_lines(std::string_view text, const std::string& name, std::vector<RawOp>& out) {
  size_t line = 0, start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    ++line;
    std::string_view l = text.substr(start, end - start);
    start = end + 1;
    while (!l.empty() && (l.back() == '\r' || l.back() == ' ')) l.remove_suffix(1);
    while (!l.empty() && l.front() == ' ') l.remove_prefix(1);
    if (l.empty()) {
      if (end == text.size()) break;
      continue;
    }
    auto doc = parse_json(l);
    if (!doc.ok()) return Status::InvalidArgument(name + ":" + std::to_string(line) + ": " + doc.status().message());
    RawOp op;
    op.line = line;
    const std::string err = json_op(*doc, op);
    if (err == "skip") continue;
    if (!err.empty()) return Status::InvalidArgument(name + ":" + std::to_string(line) + ": " + err);
    out.push_back(std::move(op));
    if (end == text.size()) break;
  }
  return Status::Ok();
}

// --- Pairing and interning ---

class Builder {
 public:
  Builder(const std::string& name, Model model) : name_(name), model_(model), keys_(h_.keys), values_(h_.values) {}

  Status add(RawOp& op, int64_t position) {
    if (op.invoke) {
      h_.has_invocations = true;
      if (auto it = pending_.find(op.process); it != pending_.end()) {
        return Status::InvalidArgument(name_ + ":" + std::to_string(op.line) + ": " +
                                       (op.process == INT64_MIN ? std::string("an operation with no :process")
                                                                : "process " + std::to_string(op.process)) +
                                       " invokes again before its invocation at line " +
                                       std::to_string(it->second.first.line) +
                                       " completed (give each concurrent client a :process of its own)");
      }
      pending_[op.process] = {std::move(op), position};
      return Status::Ok();
    }
    Txn t;
    t.type = op.type;
    t.process = op.process;
    t.line = op.line;
    t.complete = position;
    t.invoke = position;
    if (auto it = pending_.find(op.process); it != pending_.end()) {
      t.invoke = it->second.second;
      if (op.index < 0) op.index = it->second.first.index;
      pending_.erase(it);
    }
    t.index = op.index;
    return add_txn(t, op);
  }

  Result<History> finish() {
    std::vector<std::pair<RawOp, int64_t>> left;
    for (auto& [process, p] : pending_) left.push_back(std::move(p));
    std::sort(left.begin(), left.end(), [](const auto& a, const auto& b) { return a.second < b.second; });
    for (auto& p : left) {
      if (Status s = finish_unanswered(p); !s.ok()) return s;
    }
    pending_.clear();
    for (size_t i = 0; i < h_.txns.size(); ++i) {
      if (h_.txns[i].index < 0) h_.txns[i].index = static_cast<int64_t>(i);
    }
    return std::move(h_);
  }

 private:
  // An invocation that never completed: possibly committed, results unknown.
  Status finish_unanswered(std::pair<RawOp, int64_t>& p) {
    Txn t;
    t.type = Txn::Type::kInfo;
    t.process = p.first.process;
    t.line = p.first.line;
    t.invoke = p.second;
    t.index = p.first.index;
    p.first.type = Txn::Type::kInfo;
    return add_txn(t, p.first);
  }

  Status add_txn(Txn& t, const RawOp& op) {
    const bool ok = t.type == Txn::Type::kOk;
    for (const RawOp::RawMop& rm : op.mops) {
      Mop m;
      m.f = rm.f;
      m.key = keys_(rm.key);
      const std::string where = name_ + ":" + std::to_string(t.line) + ": ";
      if (rm.f == Mop::F::kRead) {
        m.known = ok;
        if (model_ == Model::kListAppend && rm.has_value && !rm.value_is_list) {
          return Status::InvalidArgument(where + "a list-append read must give a list, not " + rm.value);
        }
        if (model_ == Model::kRwRegister && rm.value_is_list) {
          return Status::InvalidArgument(where + "an rw-register read gives one value, not a list");
        }
        if (ok) {
          for (const std::string& e : rm.list) m.list.push_back(values_(e));
          m.value = rm.has_value && !rm.value_is_list ? values_(rm.value) : kNil;
        }
      } else {
        if (model_ == Model::kListAppend && rm.f != Mop::F::kAppend) {
          return Status::InvalidArgument(where + "list-append transactions append (:append) and read (:r); a write (:w) is rw-register's");
        }
        if (model_ == Model::kRwRegister && rm.f != Mop::F::kWrite) {
          return Status::InvalidArgument(where + "rw-register transactions write (:w) and read (:r); an append is list-append's");
        }
        if (!rm.has_value || rm.value_is_list) return Status::InvalidArgument(where + "an append or write needs one value");
        m.value = values_(rm.value);
        const uint64_t id = static_cast<uint64_t>(m.key) << 32 | static_cast<uint32_t>(m.value);
        auto [it, fresh] = written_.try_emplace(id, t.line);
        if (!fresh) {
          return Status::InvalidArgument(where + (model_ == Model::kListAppend ? "appends " : "writes ") + rm.value +
                                         " to " + rm.key + ", as line " + std::to_string(it->second) +
                                         " did: the checker needs each value " +
                                         (model_ == Model::kListAppend ? "appended" : "written") +
                                         " to a key at most once, to tell who wrote what a read saw");
        }
      }
      t.mops.push_back(std::move(m));
    }
    h_.txns.push_back(std::move(t));
    return Status::Ok();
  }

  const std::string& name_;
  Model model_;
  History h_;
  Interner keys_, values_;
  std::unordered_map<int64_t, std::pair<RawOp, int64_t>> pending_;  // process -> its invocation, position
  std::unordered_map<uint64_t, size_t> written_;                    // (key, value) -> line
};

}  // namespace

Result<History> parse_history(std::string_view text, const std::string& name, Model model) {
  size_t first = 0;
  while (first < text.size() && (std::isspace(static_cast<unsigned char>(text[first])) || text[first] == ',')) ++first;
  std::vector<RawOp> ops;
  const bool json = first < text.size() && text[first] == '{' && text.find("\"type\"") != std::string_view::npos &&
                    text.find(":type") == std::string_view::npos;
  if (Status s = json ? read_json_lines(text, name, ops) : read_edn(text, name, ops); !s.ok()) return s;
  Builder b(name, model);
  for (size_t i = 0; i < ops.size(); ++i) {
    if (Status s = b.add(ops[i], static_cast<int64_t>(i)); !s.ok()) return s;
  }
  return b.finish();
}

}  // namespace lockstep::checker::txn
