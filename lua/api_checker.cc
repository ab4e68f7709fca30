// lockstep.checker (SPEC 5.8): linearizable, sequential and causal checks of
// ls.history events against an ls.model, using the engine's checker with a
// Model whose step is the Lua model's step function. States are interned by
// their canonical encoding, so the search's (linearized set, state) cache
// works for any model whose states are plain values.
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/checker/checker.h"
#include "lua/guest.h"

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
  LuaModel(lua_State* L, int model_ref, int ops_ref, bool keyed)
      : L_(L), model_ref_(model_ref), ops_ref_(ops_ref), keyed_(keyed) {
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
    return std::make_unique<LuaModel>(L_, model_ref_, ops_ref_, keyed_);
  }

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
  std::unordered_map<std::string, uint32_t> ids_;
};

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

bool is_read(const std::string& f) { return f == "read" || f == "get" || f == "contains"; }

enum class Mode { kLinearizable, kSequential, kCausal };

// check(events, model) -> true, info | false, info
int check_body(lua_State* L, Mode mode) {
  luaL_checktype(L, 1, LUA_TTABLE);
  luaL_checktype(L, 2, LUA_TTABLE);
  if (lua_getfield(L, 2, "step") != LUA_TFUNCTION) return luaL_argerror(L, 2, "a model (ls.model.*)");
  lua_pop(L, 1);
  const bool keyed = lua_getfield(L, 2, "key") == LUA_TFUNCTION;
  const int key_fn = lua_gettop(L);

  lua_newtable(L);  // per-op data: {input = ..., output = ...}
  const int data = lua_gettop(L);
  std::vector<Operation> ops;
  std::vector<bool> dropped;
  std::map<std::string, size_t> open;  // process -> op
  const auto n = static_cast<lua_Integer>(lua_rawlen(L, 1));
  for (lua_Integer i = 1; i <= n; ++i) {
    lua_rawgeti(L, 1, i);
    const int e = lua_gettop(L);
    lua_getfield(L, e, "type");
    const std::string type = luaL_optstring(L, -1, "");
    lua_getfield(L, e, "f");
    const std::string f = lua_isnil(L, -1) ? "" : LuaGuest::of(L).render_at(L, -1);
    const std::string fname = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : f;
    lua_getfield(L, e, "process");
    const std::string process = LuaGuest::of(L).render_at(L, -1);
    int64_t client = 0;
    if (auto h = LuaGuest::of(L).to_handle(L, -1)) client = static_cast<int64_t>(h->id);
    else if (lua_isinteger(L, -1)) client = lua_tointeger(L, -1);
    lua_getfield(L, e, "index");
    const int64_t index = lua_isinteger(L, -1) ? lua_tointeger(L, -1) : i;
    lua_getfield(L, e, "value");
    const int value = lua_gettop(L);
    if (type == "invoke") {
      if (open.count(process)) {
        return luaL_error(L, "checker: event %d: %s invokes again before its previous operation completed",
                          static_cast<int>(i), process.c_str());
      }
      Operation op;
      op.client = client;
      op.call = index;
      op.f = fname;
      op.input = to_value(L, value);
      op.id = static_cast<int64_t>(ops.size());
      if (keyed) {
        lua_pushvalue(L, key_fn);
        lua_pushvalue(L, e + 2);  // f
        lua_pushvalue(L, value);
        call_model(L, 2, 1, "key function");
        op.key = LuaGuest::of(L).render_at(L, -1, 200);
        lua_pop(L, 1);
      }
      lua_createtable(L, 0, 2);
      lua_pushvalue(L, value);
      lua_setfield(L, -2, "input");
      lua_rawseti(L, data, op.id + 1);
      open[process] = ops.size();
      ops.push_back(std::move(op));
      dropped.push_back(false);
    } else if (type == "ok" || type == "fail" || type == "info") {
      auto it = open.find(process);
      if (it == open.end()) {
        return luaL_error(L, "checker: event %d: %s completes an operation it never invoked", static_cast<int>(i),
                          process.c_str());
      }
      Operation& op = ops[it->second];
      open.erase(it);
      if (type == "ok") {
        op.ret = index;
        op.output = to_value(L, value);
        lua_rawgeti(L, data, op.id + 1);
        lua_pushvalue(L, value);
        lua_setfield(L, -2, "output");
        lua_pop(L, 1);
      } else if (type == "fail") {
        dropped[static_cast<size_t>(op.id)] = true;  // took no effect
      } else {
        op.known = false;
      }
    } else {
      return luaL_error(L, "checker: event %d has type \"%s\" (invoke, ok, fail or info expected)",
                        static_cast<int>(i), type.c_str());
    }
    lua_settop(L, e - 1);
  }
  for (auto& [p, idx] : open) ops[idx].known = false;  // never completed
  std::vector<Operation> kept;
  for (size_t i = 0; i < ops.size(); ++i) {
    if (dropped[i]) continue;
    if (!ops[i].known) ops[i].ret = checker::kNever;
    kept.push_back(ops[i]);
  }

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
    LuaModel model(L, model_ref.ref, ops_ref.ref, keyed);
    if (mode == Mode::kCausal) {
      // Per process: its own operations and every update, in an order that
      // respects each process's program order.
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
    } else {
      r = checker::check(kept, model,
                         mode == Mode::kLinearizable ? checker::Consistency::kLinearizable
                                                     : checker::Consistency::kSequential);
    }
  }

  lua_pushboolean(L, r.ok);
  lua_createtable(L, 0, 5);
  lua_pushboolean(L, r.ok);
  lua_setfield(L, -2, "valid");
  lua_pushinteger(L, static_cast<lua_Integer>(kept.size()));
  lua_setfield(L, -2, "operations");
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

const luaL_Reg kCheckerLib[] = {
    {"linearizable", l_linearizable},
    {"sequential", l_sequential},
    {"causal", l_causal},
    {nullptr, nullptr},
};

}  // namespace

void open_checker_api(lua_State* L) {
  luaL_newlib(L, kCheckerLib);
  lua_setfield(L, -2, "checker");
}

}  // namespace lockstep::lua
