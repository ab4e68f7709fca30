// lockstep.checker.txn (docs/checkers.md "Transactions"): an ls.history of
// transactions checked for the isolation level it keeps, by the engine's
// transactional checker (engine/checker/txn.h), the one `lockstep check
// --model list-append | rw-register` uses on recorded files: the events are
// written as the EDN that command reads, so a scenario and a file get the
// same verdict and explanation.
#include <cctype>
#include <string>

#include "engine/checker/txn.h"
#include "lua/guest.h"

namespace lockstep::lua {
namespace {

namespace txn = checker::txn;

// A key or element as EDN: a name-like string as a keyword (:x), an
// integer as itself, any other string quoted.
bool edn_scalar(lua_State* L, int idx, std::string& out) {
  if (lua_isinteger(L, idx)) {
    out = std::to_string(lua_tointeger(L, idx));
    return true;
  }
  if (lua_type(L, idx) != LUA_TSTRING) return false;
  size_t n = 0;
  const char* s = lua_tolstring(L, idx, &n);
  bool name = n > 0 && (std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_');
  for (size_t i = 0; name && i < n; ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    name = std::isalnum(c) || c == '_' || c == '-';
  }
  if (name) {
    out = ":" + std::string(s, n);
    return true;
  }
  out = "\"";
  for (size_t i = 0; i < n; ++i) {
    if (s[i] == '"' || s[i] == '\\') out += '\\';
    out += s[i] == '\n' ? ' ' : s[i];
  }
  out += "\"";
  return true;
}

// One micro-operation {f, key, value} as EDN; false with `why` if it is not one.
bool edn_mop(lua_State* L, int m, std::string& out, std::string& why) {
  if (lua_type(L, m) != LUA_TTABLE) {
    why = "a micro-operation must be a table {f, key, value}";
    return false;
  }
  lua_rawgeti(L, m, 1);
  lua_rawgeti(L, m, 2);
  lua_rawgeti(L, m, 3);
  const int f = lua_gettop(L) - 2, k = f + 1, v = f + 2;
  std::string fs = lua_type(L, f) == LUA_TSTRING ? lua_tostring(L, f) : "";
  std::string key, value;
  if (fs != "append" && fs != "r" && fs != "w") {
    why = "a micro-operation's f must be \"append\", \"r\" or \"w\"";
  } else if (!edn_scalar(L, k, key)) {
    why = "a key must be a string or an integer";
  } else if (lua_isnil(L, v)) {
    value = "nil";
  } else if (lua_type(L, v) == LUA_TTABLE) {
    value = "[";
    const auto n = static_cast<lua_Integer>(lua_rawlen(L, v));
    for (lua_Integer i = 1; i <= n && why.empty(); ++i) {
      lua_rawgeti(L, v, i);
      std::string e;
      if (!edn_scalar(L, -1, e)) why = "a list read's elements must be strings or integers";
      value += (i > 1 ? " " : "") + e;
      lua_pop(L, 1);
    }
    value += "]";
  } else if (!edn_scalar(L, v, value)) {
    why = "a value must be a string, an integer, a list of them (a read of a list) or nil";
  }
  lua_pop(L, 3);
  if (!why.empty()) return false;
  out += "[:" + fs + " " + key + " " + value + "]";
  return true;
}

// The events (ls.history's) as EDN lines: {:index i, :type :ok, :process p, :value [...]}.
std::string edn_history(lua_State* L, int events) {
  std::string out;
  const auto n = static_cast<lua_Integer>(lua_rawlen(L, events));
  for (lua_Integer i = 1; i <= n; ++i) {
    lua_rawgeti(L, events, i);
    const int e = lua_gettop(L);
    lua_getfield(L, e, "type");
    const std::string type = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "";
    if (type != "invoke" && type != "ok" && type != "fail" && type != "info") {
      luaL_error(L, "checker.txn: event %d has type \"%s\" (invoke, ok, fail or info expected)", static_cast<int>(i),
                 type.c_str());
    }
    lua_getfield(L, e, "process");
    int64_t process = i;
    if (auto handle = LuaGuest::of(L).to_handle(L, -1)) process = static_cast<int64_t>(handle->id);
    else if (lua_isinteger(L, -1)) process = lua_tointeger(L, -1);
    lua_getfield(L, e, "value");
    const int v = lua_gettop(L);
    std::string mops = "[", why;
    if (lua_type(L, v) == LUA_TTABLE) {
      const auto m = static_cast<lua_Integer>(lua_rawlen(L, v));
      for (lua_Integer j = 1; j <= m; ++j) {
        lua_rawgeti(L, v, j);
        if (j > 1) mops += " ";
        if (!edn_mop(L, lua_gettop(L), mops, why)) {
          luaL_error(L, "checker.txn: event %d, micro-operation %d: %s", static_cast<int>(i), static_cast<int>(j),
                     why.c_str());
        }
        lua_pop(L, 1);
      }
    } else if (type == "invoke" || type == "ok") {
      luaL_error(L, "checker.txn: event %d's value must be a list of micro-operations {f, key, value}",
                 static_cast<int>(i));
    }
    mops += "]";
    out += "{:index " + std::to_string(i) + ", :type :" + type + ", :process " + std::to_string(process) +
           ", :value " + mops + "}\n";
    lua_settop(L, e - 1);
  }
  return out;
}

// txn(events, {model = "list-append" | "rw-register", consistency = ...})
// -> ok, {valid, consistency, anomalies = {{type, explanation, transactions}}, ruled_out, text}
int l_txn(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  txn::Model model = txn::Model::kListAppend;
  std::string consistency;
  if (!lua_isnoneornil(L, 2)) {
    luaL_checktype(L, 2, LUA_TTABLE);
    lua_getfield(L, 2, "model");
    if (!lua_isnil(L, -1) && (lua_type(L, -1) != LUA_TSTRING || !txn::parse_model(lua_tostring(L, -1), model))) {
      return luaL_error(L, "checker.txn: model must be \"list-append\" or \"rw-register\"");
    }
    lua_getfield(L, 2, "consistency");
    if (lua_type(L, -1) == LUA_TSTRING) consistency = lua_tostring(L, -1);
    else if (!lua_isnil(L, -1)) return luaL_error(L, "checker.txn: consistency must be a string");
    lua_pop(L, 2);
  }
  const std::string text = edn_history(L, 1);
  auto h = txn::parse_history(text, "history", model);
  if (!h.ok()) return luaL_error(L, "checker.txn: %s", h.status().message().c_str());
  txn::Consistency c = txn::strongest(*h);
  if (!consistency.empty() && !txn::parse_consistency(consistency, c)) {
    return luaL_error(L, "checker.txn: consistency must be read-committed, snapshot-isolation, serializable or "
                         "strict-serializable, not \"%s\"", consistency.c_str());
  }
  const txn::Report r = txn::check(*h, model, c);
  lua_pushboolean(L, r.valid);
  lua_createtable(L, 0, 6);
  lua_pushboolean(L, r.valid);
  lua_setfield(L, -2, "valid");
  lua_pushstring(L, std::string(txn::consistency_name(c)).c_str());
  lua_setfield(L, -2, "consistency");
  lua_pushinteger(L, static_cast<lua_Integer>(r.transactions));
  lua_setfield(L, -2, "transactions");
  lua_createtable(L, static_cast<int>(r.anomalies.size()), 0);
  for (size_t i = 0; i < r.anomalies.size(); ++i) {
    const txn::Anomaly& a = r.anomalies[i];
    lua_createtable(L, 0, 4);
    lua_pushstring(L, a.type.c_str());
    lua_setfield(L, -2, "type");
    lua_pushstring(L, a.explanation.c_str());
    lua_setfield(L, -2, "explanation");
    lua_pushboolean(L, txn::forbids(c, a.type));
    lua_setfield(L, -2, "forbidden");
    lua_createtable(L, static_cast<int>(a.txns.size()), 0);
    for (size_t j = 0; j < a.txns.size(); ++j) {
      lua_pushinteger(L, h->txns[a.txns[j]].index);
      lua_rawseti(L, -2, static_cast<lua_Integer>(j + 1));
    }
    lua_setfield(L, -2, "transactions");  // the events' indexes (each transaction's completion)
    lua_rawseti(L, -2, static_cast<lua_Integer>(i + 1));
  }
  lua_setfield(L, -2, "anomalies");
  lua_createtable(L, static_cast<int>(r.ruled_out.size()), 0);
  for (size_t i = 0; i < r.ruled_out.size(); ++i) {
    lua_pushstring(L, r.ruled_out[i].c_str());
    lua_rawseti(L, -2, static_cast<lua_Integer>(i + 1));
  }
  lua_setfield(L, -2, "ruled_out");
  const std::string report = txn::report_text("history", *h, r);
  lua_pushlstring(L, report.data(), report.size());
  lua_setfield(L, -2, "text");
  return 2;
}

}  // namespace

void open_txn_checker(lua_State* L) {
  lua_pushcfunction(L, l_txn);
  lua_setfield(L, -2, "txn");
}

}  // namespace lockstep::lua
