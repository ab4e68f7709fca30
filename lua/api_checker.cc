// lockstep.checker (SPEC 5.8): linearizable, sequential and causal checks of
// ls.history events against an ls.model, using the engine's checker.
//
// The built-in models (ls.model.register, kv, counter, queue, set) are the
// engine's own, the ones `lockstep check` uses on recorded files: the
// history's Lua values become atoms (checker::Value::kAtom), interned by
// the scenario's key equality (LuaGuest::encode_key: 1 and 1.0 are one
// value, tables are equal when their contents are) and shown as the
// scenario shows them. A model made with ls.model.new is
// a Model whose step is its Lua step function; its states are interned by
// their canonical encoding, so the search's (linearized set, state) cache
// works for any model whose states are plain values.
#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/checker/checker.h"
#include "engine/checker/history.h"
#include "lua/guest.h"
#include "lua/history_key.h"

namespace lockstep::lua {
namespace {

using checker::Operation;
using checker::Value;

// A Lua error raised by a model's function during a search. The search is
// C++; it is left by this exception and the error becomes a Lua error again
// in check_impl, the one place the two meet.
struct ModelError {
  std::string message;
};

// Calls the function below `nargs` arguments on the stack, protected.
void call_model(lua_State* L, int nargs, int nresults, const char* what) {
  if (lua_pcall(L, nargs, nresults, 0) != LUA_OK) {
    std::string message = std::string("checker: the model's ") + what + " raised: " +
                          (lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : luaL_typename(L, -1));
    lua_pop(L, 1);
    throw ModelError{std::move(message)};
  }
}

class LuaModel final : public checker::Model {
 public:
  LuaModel(lua_State* L, int model_ref, int ops_ref, bool keyed, std::set<std::string> reads)
      : L_(L), model_ref_(model_ref), ops_ref_(ops_ref), keyed_(keyed), reads_(std::move(reads)) {
    lua_newtable(L_);
    states_ref_ = luaL_ref(L_, LUA_REGISTRYINDEX);
  }
  ~LuaModel() override { luaL_unref(L_, LUA_REGISTRYINDEX, states_ref_); }

  std::string name() const override { return "lua"; }

  uint32_t init() override {
    lua_rawgeti(L_, LUA_REGISTRYINDEX, model_ref_);
    lua_getfield(L_, -1, "init");
    const uint32_t id = intern(-1);
    lua_pop(L_, 2);
    return id;
  }

  bool step(uint32_t s, const Operation& op, uint32_t& next) override {
    lua_rawgeti(L_, LUA_REGISTRYINDEX, model_ref_);
    lua_getfield(L_, -1, "step");
    lua_remove(L_, -2);
    lua_rawgeti(L_, LUA_REGISTRYINDEX, states_ref_);
    lua_rawgeti(L_, -1, s + 1);
    lua_remove(L_, -2);
    lua_pushstring(L_, op.f.c_str());
    lua_rawgeti(L_, LUA_REGISTRYINDEX, ops_ref_);
    lua_rawgeti(L_, -1, op.id + 1);
    lua_remove(L_, -2);
    lua_getfield(L_, -1, "input");
    if (op.known) lua_getfield(L_, -2, "output");
    else lua_pushnil(L_);
    lua_remove(L_, -3);
    call_model(L_, 4, 2, "step function");  // ok, new_state
    const bool ok = lua_toboolean(L_, -2);
    next = intern(-1);
    lua_pop(L_, 2);
    return op.known ? ok : true;
  }

  std::string describe_state(uint32_t s) const override {
    lua_rawgeti(L_, LUA_REGISTRYINDEX, states_ref_);
    lua_rawgeti(L_, -1, s + 1);
    std::string out = LuaGuest::of(L_).render_at(L_, -1, 120);
    lua_pop(L_, 2);
    return out;
  }

  std::vector<std::vector<Operation>> partition(const std::vector<Operation>& ops) const override {
    if (!keyed_) return {ops};
    std::map<std::string, std::vector<Operation>> by_key;
    for (const auto& op : ops) by_key[op.key].push_back(op);
    std::vector<std::vector<Operation>> out;
    for (auto& [k, v] : by_key) out.push_back(std::move(v));
    return out;
  }

  std::unique_ptr<Model> fresh() const override {
    return std::make_unique<LuaModel>(L_, model_ref_, ops_ref_, keyed_, reads_);
  }

  // The operations the model declares as reads (`reads = {...}`).
  bool read_only(const Operation& op) const override { return reads_.count(op.f) > 0; }

 private:
  uint32_t intern(int idx) {
    idx = lua_absindex(L_, idx);
    const std::string key = lua_isnil(L_, idx) ? std::string("\x01nil", 4) : LuaGuest::of(L_).encode_key(L_, idx);
    auto [it, inserted] = ids_.try_emplace(key, static_cast<uint32_t>(ids_.size()));
    if (inserted) {
      lua_rawgeti(L_, LUA_REGISTRYINDEX, states_ref_);
      lua_pushvalue(L_, idx);
      lua_rawseti(L_, -2, it->second + 1);
      lua_pop(L_, 1);
    }
    return it->second;
  }

  lua_State* L_;
  int model_ref_, ops_ref_, states_ref_;
  bool keyed_;
  std::set<std::string> reads_;
  std::unordered_map<std::string, uint32_t> ids_;
};

// Lua values as atoms: one id per value (by encode_key), and a text per id
// that no other id shares.
class Atoms {
 public:
  // Without `texts`, values are interned but not rendered (their texts
  // empty): equal values still get equal ids.
  explicit Atoms(bool texts = true) : texts_wanted_(texts) {}
  Value atom(lua_State* L, int idx) {
    const int64_t id = intern(L, idx);
    return Value::atom(id, text(id));
  }
  // {from, to} (a cas): a pair of atoms.
  Value pair(lua_State* L, int idx) {
    idx = lua_absindex(L, idx);
    lua_rawgeti(L, idx, 1);
    lua_rawgeti(L, idx, 2);
    const int64_t a = intern(L, -2);
    const int64_t b = intern(L, -1);
    lua_pop(L, 2);
    return Value::atom_pair(a, b, texts_wanted_ ? "[" + text(a) + " " + text(b) + "]" : std::string());
  }

 private:
  const std::string& text(int64_t id) const {
    static const std::string nil = "nil";
    return id < 0 ? nil : texts_[static_cast<size_t>(id)];
  }

  // The value's id (-1 for nil). Without texts, integers (and floats with
  // an integral value, the same key in Lua) and strings are looked up by
  // value, without building their encoded key.
  int64_t intern(lua_State* L, int idx) {
    const int type = lua_type(L, idx);
    if (type == LUA_TNIL) return -1;
    if (!texts_wanted_ && type == LUA_TSTRING) {
      size_t len;
      const char* s = lua_tolstring(L, idx, &len);
      return id_of(strings_, std::string(s, len));
    }
    if (!texts_wanted_ && type == LUA_TNUMBER) {
      lua_Integer n;
      if (lua_isinteger(L, idx)) return id_of(integers_, lua_tointeger(L, idx));
      const lua_Number d = lua_tonumber(L, idx);
      if (lua_numbertointeger(d, &n) && static_cast<lua_Number>(n) == d) return id_of(integers_, n);
    }
    LuaGuest& g = LuaGuest::of(L);
    const bool nan = type == LUA_TNUMBER && lua_tonumber(L, idx) != lua_tonumber(L, idx);
    const std::string key = nan ? "nan" + std::to_string(texts_.size()) : g.encode_key(L, idx);  // NaN ~= NaN
    auto [it, fresh] = ids_.try_emplace(key, static_cast<int64_t>(texts_.size()));
    if (fresh && !texts_wanted_) texts_.emplace_back();
    if (fresh && texts_wanted_) {
      std::string text = g.render_at(L, idx, 60);
      if (!used_.insert(text).second) text += " #" + std::to_string(it->second);
      used_.insert(text);
      texts_.push_back(std::move(text));
    }
    return it->second;
  }
  template <typename Map, typename Key>
  int64_t id_of(Map& map, Key&& key) {
    auto [it, fresh] = map.try_emplace(std::forward<Key>(key), static_cast<int64_t>(texts_.size()));
    if (fresh) texts_.emplace_back();
    return it->second;
  }

  bool texts_wanted_;
  std::unordered_map<std::string, int64_t> ids_;
  std::unordered_map<lua_Integer, int64_t> integers_;  // without texts
  std::unordered_map<std::string, int64_t> strings_;   // without texts
  std::vector<std::string> texts_;
  std::set<std::string> used_;
};

// What a built-in model is given for the value at idx of an event of
// operation f (invoke: its input; completion: its output). Booleans stay
// booleans (a cas's or contains's answer), the counter takes integers.
Value builtin_value(lua_State* L, int idx, const std::string& model, const std::string& f, bool invoke, Atoms& atoms,
                    std::string* key) {
  const int type = lua_type(L, idx);
  if (type == LUA_TNIL) return Value::nil();
  if (type == LUA_TBOOLEAN) return Value::boolean(lua_toboolean(L, idx));
  if (model == "counter") {
    if (lua_isinteger(L, idx)) return Value::integer(lua_tointeger(L, idx));
    lua_Integer n;  // a float with an integral value counts as that integer
    if (type == LUA_TNUMBER && lua_numbertointeger(lua_tonumber(L, idx), &n) &&
        static_cast<lua_Number>(n) == lua_tonumber(L, idx)) {
      return Value::integer(n);
    }
    if (invoke) luaL_error(L, "checker: the counter model counts integers, not %s", LuaGuest::of(L).render_at(L, idx).c_str());
    return atoms.atom(L, idx);  // a read of something else: matches no count
  }
  if (model == "kv" && invoke) {
    // put {key, value}; get key (or {key}).
    const bool put = f == "put" || f == "write";
    if (type == LUA_TTABLE) lua_rawgeti(L, idx, 1);
    else lua_pushvalue(L, idx);
    *key = lua_type(L, -1) == LUA_TSTRING ? string_at(L, -1) : LuaGuest::of(L).render_at(L, -1, 200);
    lua_pop(L, 1);
    if (!put || type != LUA_TTABLE) return Value::nil();
    lua_rawgeti(L, idx, 2);
    const Value v = lua_isnil(L, -1) ? Value::nil() : atoms.atom(L, -1);
    lua_pop(L, 1);
    return v;
  }
  if (f == "cas" && invoke && type == LUA_TTABLE) return atoms.pair(L, idx);
  return atoms.atom(L, idx);
}

// A readable Value for reports (tables are rendered).
Value to_value(lua_State* L, int idx) {
  switch (lua_type(L, idx)) {
    case LUA_TNIL: return Value::nil();
    case LUA_TBOOLEAN: return Value::boolean(lua_toboolean(L, idx));
    case LUA_TNUMBER:
      if (lua_isinteger(L, idx)) return Value::integer(lua_tointeger(L, idx));
      return Value::string(LuaGuest::of(L).render_at(L, idx));
    case LUA_TSTRING: return Value::string(lua_tostring(L, idx));
    default: return Value::string(LuaGuest::of(L).render_at(L, idx));
  }
}

// Processes that are neither pids nor integers (a string, a table), by
// content: each its own number, apart from pids and integers.
class ProcessNames {
 public:
  int64_t id(lua_State* L, int idx) {
    auto [it, fresh] = ids_.try_emplace(LuaGuest::of(L).encode_key(L, idx), kFirst - static_cast<int64_t>(ids_.size()));
    return it->second;
  }

 private:
  static constexpr int64_t kFirst = -(int64_t{1} << 62);
  std::unordered_map<std::string, int64_t> ids_;
};

// Reads the type, f and process of the event at `e` (the i-th) into `h`,
// pushing 3 values; raises naming `who` for an unknown type. `texts`: with
// the process's text (h.who), which only reports show. A process that is
// neither a pid nor an integer is numbered by `names`, or raises without.
void read_event(lua_State* L, int e, lua_Integer i, const char* who, checker::HistoryEvent& h, ProcessNames* names,
                bool texts = true) {
  lua_getfield(L, e, "type");
  const std::string type = luaL_optstring(L, -1, "");
  if (type == "invoke") h.type = checker::HistoryEvent::Type::kInvoke;
  else if (type == "ok") h.type = checker::HistoryEvent::Type::kOk;
  else if (type == "fail") h.type = checker::HistoryEvent::Type::kFail;
  else if (type == "info") h.type = checker::HistoryEvent::Type::kInfo;
  else {
    luaL_error(L, "%s: event %d has type \"%s\" (invoke, ok, fail or info expected)", who, static_cast<int>(i),
               type.c_str());
  }
  lua_getfield(L, e, "f");
  h.f = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1)
        : lua_isnil(L, -1)             ? ""
                                       : LuaGuest::of(L).render_at(L, -1);
  lua_getfield(L, e, "process");
  if (texts) h.who = LuaGuest::of(L).render_at(L, -1);
  if (auto handle = LuaGuest::of(L).to_handle(L, -1)) h.process = static_cast<int64_t>(handle->id);
  else if (lua_isinteger(L, -1)) h.process = lua_tointeger(L, -1);
  else if (lua_isnil(L, -1)) luaL_error(L, "%s: event %d has no process (a pid, an integer or another value)", who, static_cast<int>(i));
  else if (names) h.process = names->id(L, -1);
  else {
    luaL_error(L, "%s: event %d's process %s is neither a pid nor an integer", who, static_cast<int>(i),
               LuaGuest::of(L).render_at(L, -1).c_str());
  }
}

bool is_read(const std::string& f) { return f == "read" || f == "get" || f == "contains"; }

enum class Mode { kLinearizable, kSequential, kCausal };

// The result table, from a check's outcome.
int push_result(lua_State* L, const checker::CheckResult& r, size_t operations) {
  lua_pushboolean(L, r.ok);
  lua_createtable(L, 0, 6);
  lua_pushboolean(L, r.ok);
  lua_setfield(L, -2, "valid");
  lua_pushinteger(L, static_cast<lua_Integer>(operations));
  lua_setfield(L, -2, "operations");
  lua_pushinteger(L, static_cast<lua_Integer>(r.dropped));
  lua_setfield(L, -2, "dropped");
  lua_pushinteger(L, static_cast<lua_Integer>(r.by_zones));
  lua_setfield(L, -2, "decided_by_zones");
  if (!r.ok) {
    lua_pushstring(L, r.explanation.c_str());
    lua_setfield(L, -2, "explanation");
    lua_pushinteger(L, static_cast<lua_Integer>(r.longest_prefix.size()));
    lua_setfield(L, -2, "linearized");
    lua_createtable(L, static_cast<int>(r.stuck.size()), 0);
    for (size_t i = 0; i < r.stuck.size(); ++i) {
      lua_pushstring(L, r.stuck[i].str().c_str());
      lua_rawseti(L, -2, static_cast<lua_Integer>(i + 1));
    }
    lua_setfield(L, -2, "stuck");
    if (!r.partition.empty()) {
      lua_pushstring(L, r.partition.c_str());
      lua_setfield(L, -2, "key");
    }
  }
  return 2;
}

// Checks `kept` against `model` as `mode` asks.
checker::CheckResult run_check(const std::vector<Operation>& kept, checker::Model& model, Mode mode) {
  if (mode != Mode::kCausal) {
    return checker::check(kept, model,
                          mode == Mode::kLinearizable ? checker::Consistency::kLinearizable
                                                      : checker::Consistency::kSequential);
  }
  // Per process: its own operations and every update, in an order that
  // respects each process's program order.
  checker::CheckResult r;
  std::map<int64_t, bool> clients;
  for (const auto& op : kept) clients[op.client] = true;
  for (const auto& [c, unused] : clients) {
    std::vector<Operation> view;
    for (const auto& op : kept) {
      if (op.client == c || !is_read(op.f)) view.push_back(op);
    }
    r = checker::check(view, model, checker::Consistency::kSequential);
    if (!r.ok) {
      r.explanation = "in the view of client " + std::to_string(c) + ": " + r.explanation;
      break;
    }
  }
  return r;
}

// The events paired into operations (engine/checker/history.h); raises on
// a history that does not pair.
std::vector<Operation> paired_operations(lua_State* L, const std::vector<checker::HistoryEvent>& events) {
  if (events.empty()) return {};
  auto paired = checker::pair_history(events);
  if (!paired.ok()) luaL_error(L, "%s", paired.status().message().c_str());
  return std::move(*paired);
}

// An error naming the first operation the model does not know.
void check_known(lua_State* L, const std::vector<Operation>& kept, const std::vector<std::string>& known,
                 const std::string& model_name) {
  for (const Operation& op : kept) {
    if (std::find(known.begin(), known.end(), op.f) != known.end()) continue;
    std::string list;
    for (const std::string& k : known) list += (list.empty() ? "" : ", ") + k;
    luaL_error(L, "checker: operation \"%s\" (event %d) is unknown to the %s model, which knows %s", op.f.c_str(),
               static_cast<int>(op.invoke_event + 1), model_name.c_str(), list.c_str());
  }
}

// Event i of the history at index 1 (read_event: type, f at e + 2,
// process; then its position), the event table left at `e` and its value
// on top of the stack; the caller pops back to e - 1. `named`: with the
// name errors give it (a first reading that reports nothing goes without).
checker::HistoryEvent read_history_event(lua_State* L, lua_Integer i, bool named, ProcessNames& names, int& e) {
  lua_rawgeti(L, 1, i);
  e = lua_gettop(L);
  checker::HistoryEvent h;
  if (named) h.where = "checker: event " + std::to_string(i);
  read_event(L, e, i, "checker", h, &names, named);
  lua_getfield(L, e, "index");
  h.position = lua_isinteger(L, -1) ? lua_tointeger(L, -1) : i;
  lua_getfield(L, e, "value");
  return h;
}

// A built-in model: the engine's, on the history's values as atoms. A
// history that checks out shows none of the texts a report needs (each
// value rendered, each event named), so it is read without them first;
// only one that fails (or does not pair) is read again with them, and
// that second reading decides what is reported. A history checked before
// that passed is not checked again (LuaGuest::passed_checks).
int check_builtin(lua_State* L, Mode mode, const std::string& name) {
  constexpr size_t kRemembered = 16384;
  auto& passed = LuaGuest::of(L).passed_checks();
  const std::optional<std::string> key = history_key(L, static_cast<char>(mode), name);
  if (key) {
    if (auto it = passed.find(*key); it != passed.end()) {
      checker::CheckResult r;
      r.dropped = it->second.dropped;
      r.by_zones = it->second.by_zones;
      return push_result(L, r, it->second.operations);
    }
  }
  for (const bool texts : {false, true}) {
    Atoms atoms(texts);
    ProcessNames names;
    lua_getfield(L, 2, "init");
    const Value initial = builtin_value(L, -1, name, "", false, atoms, nullptr);
    lua_pop(L, 1);
    std::unique_ptr<checker::Model> model = checker::make_model(name, initial);
    if (!model) return luaL_argerror(L, 2, ("no built-in model named \"" + name + "\"").c_str());
    std::vector<checker::HistoryEvent> events;
    const auto n = static_cast<lua_Integer>(lua_rawlen(L, 1));
    for (lua_Integer i = 1; i <= n; ++i) {
      int e;
      checker::HistoryEvent h = read_history_event(L, i, texts, names, e);
      const bool invoke = h.type == checker::HistoryEvent::Type::kInvoke;
      h.value = builtin_value(L, lua_gettop(L), name, h.f, invoke, atoms, &h.key);
      events.push_back(std::move(h));
      lua_settop(L, e - 1);
    }
    std::vector<Operation> kept;
    if (texts || events.empty()) {
      kept = paired_operations(L, events);
    } else {
      auto paired = checker::pair_history(events);
      if (!paired.ok()) continue;  // raised with its texts
      kept = std::move(*paired);
    }
    std::vector<std::string> known = model->operations();
    if (name == "kv") known.erase(std::remove(known.begin(), known.end(), "append"), known.end());  // strings only
    check_known(L, kept, known, name);
    const checker::CheckResult r = run_check(kept, *model, mode);
    if (r.ok && key) {
      if (passed.size() >= kRemembered) passed.clear();
      passed.emplace(*key, LuaGuest::PassedCheck{kept.size(), r.dropped, r.by_zones});
    }
    if (r.ok || texts) return push_result(L, r, kept.size());
  }
  return 0;  // not reached: the second reading returns
}

// The events at index 1 as the engine pairs them (engine/checker/history.h);
// each event's Lua value goes into the table at `values`, by event, for the
// model's step function. `key_fn`: the model's key function, or 0.
std::vector<checker::HistoryEvent> read_model_events(lua_State* L, int values, int key_fn) {
  std::vector<checker::HistoryEvent> events;
  ProcessNames names;
  const auto n = static_cast<lua_Integer>(lua_rawlen(L, 1));
  for (lua_Integer i = 1; i <= n; ++i) {
    int e;
    checker::HistoryEvent h = read_history_event(L, i, true, names, e);
    const int value = lua_gettop(L);
    h.value = to_value(L, value);
    if (key_fn != 0 && h.type == checker::HistoryEvent::Type::kInvoke) {
      lua_pushvalue(L, key_fn);
      lua_pushvalue(L, e + 2);  // f
      lua_pushvalue(L, value);
      call_model(L, 2, 1, "key function");
      h.key = LuaGuest::of(L).render_at(L, -1, 200);
      lua_pop(L, 1);
    }
    lua_pushvalue(L, value);
    lua_rawseti(L, values, i);
    events.push_back(std::move(h));
    lua_settop(L, e - 1);
  }
  return events;
}

// The strings of list field `field` of the model (at index 2); `present`
// says whether the model has such a list.
std::vector<std::string> model_names(lua_State* L, const char* field, bool& present) {
  std::vector<std::string> out;
  present = lua_getfield(L, 2, field) == LUA_TTABLE;
  if (present) {
    for (lua_Integer k = 1; lua_rawgeti(L, -1, k) == LUA_TSTRING; ++k) {
      out.emplace_back(lua_tostring(L, -1));
      lua_pop(L, 1);
    }
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
  return out;
}

// Per operation, for the model: {input = ..., output = ...} (a cas the
// pairing decided carries that boolean); pushed on the stack.
void push_model_operations(lua_State* L, const std::vector<Operation>& kept, int values) {
  lua_createtable(L, static_cast<int>(kept.size()), 0);
  const int data = lua_gettop(L);
  for (const Operation& op : kept) {
    lua_createtable(L, 0, 2);
    lua_rawgeti(L, values, op.invoke_event + 1);
    lua_setfield(L, -2, "input");
    if (op.known && op.complete_event >= 0) {
      if (op.output.kind == Value::Kind::kBool) lua_pushboolean(L, op.output.i != 0);
      else lua_rawgeti(L, values, op.complete_event + 1);
      lua_setfield(L, -2, "output");
    }
    lua_rawseti(L, data, op.id + 1);
  }
}

// check(events, model) -> true, info | false, info
int check_body(lua_State* L, Mode mode) {
  luaL_checktype(L, 1, LUA_TTABLE);
  luaL_checktype(L, 2, LUA_TTABLE);
  if (lua_getfield(L, 2, "builtin") == LUA_TSTRING) {
    const std::string name = lua_tostring(L, -1);
    lua_pop(L, 1);
    return check_builtin(L, mode, name);
  }
  lua_pop(L, 1);
  if (lua_getfield(L, 2, "step") != LUA_TFUNCTION) return luaL_argerror(L, 2, "a model (ls.model.*)");
  lua_pop(L, 1);
  const bool keyed = lua_getfield(L, 2, "key") == LUA_TFUNCTION;
  const int key_fn = lua_gettop(L);
  lua_newtable(L);
  const int values = lua_gettop(L);
  const std::vector<Operation> kept = paired_operations(L, read_model_events(L, values, keyed ? key_fn : 0));
  // A model that lists its operations (the built-ins) rejects others.
  bool lists_ops = false;
  const std::vector<std::string> known = model_names(L, "ops", lists_ops);
  if (lists_ops) {
    lua_getfield(L, 2, "name");
    const std::string model_name = lua_isstring(L, -1) ? lua_tostring(L, -1) : "custom";
    lua_pop(L, 1);
    check_known(L, kept, known, model_name);
  }
  // Operations that never change the state: with an unknown outcome they
  // constrain nothing (docs/checkers.md).
  bool lists_reads = false;
  const std::vector<std::string> read_ops = model_names(L, "reads", lists_reads);
  std::set<std::string> reads(read_ops.begin(), read_ops.end());
  push_model_operations(L, kept, values);
  const int data = lua_gettop(L);

  // Registry references, released however the search ends.
  struct Ref {
    lua_State* L;
    int ref;
    ~Ref() { luaL_unref(L, LUA_REGISTRYINDEX, ref); }
  };
  lua_pushvalue(L, 2);
  const Ref model_ref{L, luaL_ref(L, LUA_REGISTRYINDEX)};
  lua_pushvalue(L, data);
  const Ref ops_ref{L, luaL_ref(L, LUA_REGISTRYINDEX)};
  checker::CheckResult r;
  {
    LuaModel model(L, model_ref.ref, ops_ref.ref, keyed, std::move(reads));
    r = run_check(kept, model, mode);
  }
  return push_result(L, r, kept.size());
}

int check_impl(lua_State* L, Mode mode) {
  std::string error;
  try {
    return check_body(L, mode);
  } catch (const ModelError& e) {
    error = e.message;
  }
  return luaL_error(L, "%s", error.c_str());
}

int l_linearizable(lua_State* L) { return check_impl(L, Mode::kLinearizable); }
int l_sequential(lua_State* L) { return check_impl(L, Mode::kSequential); }
int l_causal(lua_State* L) { return check_impl(L, Mode::kCausal); }

// _history_json(events) -> the events as JSON lines (the engine's writer,
// engine/checker/history.h). Values must be nil, integers, strings,
// booleans or {a, b} pairs of integers; processes pids or integers.
int l_history_json(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  std::vector<checker::HistoryEvent> events;
  const auto n = static_cast<lua_Integer>(lua_rawlen(L, 1));
  for (lua_Integer i = 1; i <= n; ++i) {
    lua_rawgeti(L, 1, i);
    const int e = lua_gettop(L);
    checker::HistoryEvent h;
    read_event(L, e, i, "to_json_lines", h, nullptr);
    lua_getfield(L, e, "value");
    const int v = lua_gettop(L);
    switch (lua_type(L, v)) {
      case LUA_TNIL: break;
      case LUA_TBOOLEAN: h.value = Value::boolean(lua_toboolean(L, v)); break;
      case LUA_TSTRING: h.value = Value::string(lua_tostring(L, v)); break;
      case LUA_TNUMBER:
        if (!lua_isinteger(L, v)) goto unwritable;
        h.value = Value::integer(lua_tointeger(L, v));
        break;
      case LUA_TTABLE:
        lua_rawgeti(L, v, 1);
        lua_rawgeti(L, v, 2);
        if (lua_rawlen(L, v) != 2 || !lua_isinteger(L, -2) || !lua_isinteger(L, -1)) goto unwritable;
        h.value = Value::pair(lua_tointeger(L, -2), lua_tointeger(L, -1));
        break;
      default:
      unwritable:
        return luaL_error(L,
                          "to_json_lines: event %d's value %s cannot be written (nil, integers, strings, booleans "
                          "or {a, b} pairs of integers)",
                          static_cast<int>(i), LuaGuest::of(L).render_at(L, v).c_str());
    }
    events.push_back(std::move(h));
    lua_settop(L, e - 1);
  }
  const std::string out = checker::write_json_lines(events);
  lua_pushlstring(L, out.data(), out.size());
  return 1;
}

const luaL_Reg kCheckerLib[] = {
    {"linearizable", l_linearizable},
    {"sequential", l_sequential},
    {"causal", l_causal},
    {nullptr, nullptr},
};

}  // namespace

void open_checker_api(lua_State* L) {
  luaL_newlib(L, kCheckerLib);
  open_txn_checker(L);
  lua_setfield(L, -2, "checker");
  lua_pushcfunction(L, l_history_json);
  lua_setfield(L, -2, "_history_json");
}

}  // namespace lockstep::lua
