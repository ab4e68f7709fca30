// Guest values: the deterministic key order, message copies, literal
// rendering, and deterministic pairs/next.
//
// Rendering (used for the event log of recorded runs) must not allocate in
// the guest heap: a recorded run has to make exactly the allocations the
// fast run made, or arena offsets (and so object-key order) could drift.
// It therefore works on the stack only and builds C++ strings.
#include <algorithm>
#include <array>
#include <charconv>
#include <cinttypes>
#include <cstring>

#include "engine/base/hash.h"
#include "lua/guest.h"

namespace lockstep::lua {
namespace {

// A key's place in the total order, readable without touching the Lua heap.
struct KeyInfo {
  int cls = 0;  // 0 number, 1 string, 2 boolean, 3 handle, 4 other object
  bool is_int = false;
  int64_t i = 0;
  double d = 0;
  const char* s = nullptr;
  size_t len = 0;
  uint64_t ord = 0;  // handle (kind << 56 | id) or arena offset
  int slot = 0;      // where the key sits (stack index or array position)
};

KeyInfo key_info(LuaGuest& g, lua_State* L, int idx) {
  KeyInfo k;
  switch (lua_type(L, idx)) {
    case LUA_TNUMBER:
      k.cls = 0;
      if (lua_isinteger(L, idx)) {
        k.is_int = true;
        k.i = lua_tointeger(L, idx);
        k.d = static_cast<double>(k.i);
      } else {
        k.d = lua_tonumber(L, idx);
      }
      break;
    case LUA_TSTRING:
      k.cls = 1;
      k.s = lua_tolstring(L, idx, &k.len);  // a string: no conversion, no allocation
      break;
    case LUA_TBOOLEAN:
      k.cls = 2;
      k.ord = lua_toboolean(L, idx);
      break;
    default:
      if (auto h = g.to_handle(L, idx)) {
        k.cls = 3;
        k.ord = (static_cast<uint64_t>(h->kind) << 56) | h->id;
      } else {
        k.cls = 4;
        k.ord = g.object_order(lua_topointer(L, idx));
      }
  }
  return k;
}

int compare(const KeyInfo& a, const KeyInfo& b) {
  if (a.cls != b.cls) return a.cls < b.cls ? -1 : 1;
  switch (a.cls) {
    case 0:
      if (a.is_int && b.is_int) return a.i < b.i ? -1 : a.i > b.i;
      return a.d < b.d ? -1 : a.d > b.d;
    case 1: {
      int c = std::memcmp(a.s, b.s, std::min(a.len, b.len));
      if (c != 0) return c < 0 ? -1 : 1;
      return a.len < b.len ? -1 : a.len > b.len;
    }
    default:
      return a.ord < b.ord ? -1 : a.ord > b.ord;
  }
}

bool is_identifier(const char* s, size_t n) {
  static const char* const kKeywords[] = {"and",   "break", "do",     "else", "elseif", "end",
                                          "false", "for",   "function", "goto", "if", "in",
                                          "local", "nil",   "not",    "or",   "repeat", "return",
                                          "then",  "true",  "until",  "while"};
  if (n == 0 || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  for (size_t i = 1; i < n; ++i) {
    if (!(std::isalnum(static_cast<unsigned char>(s[i])) || s[i] == '_')) return false;
  }
  for (const char* kw : kKeywords) {
    if (std::strlen(kw) == n && std::memcmp(kw, s, n) == 0) return false;
  }
  return true;
}

void quote(std::string& out, const char* s, size_t n, size_t budget) {
  out += '"';
  for (size_t i = 0; i < n; ++i) {
    if (out.size() > budget) break;
    unsigned char c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          out += '\\';
          out += std::to_string(c);
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

void render_number(std::string& out, lua_State* L, int idx) {
  char buf[64];
  if (lua_isinteger(L, idx)) {
    std::snprintf(buf, sizeof buf, "%" PRId64, static_cast<int64_t>(lua_tointeger(L, idx)));
  } else {
    double d = lua_tonumber(L, idx);
    std::snprintf(buf, sizeof buf, "%.14g", d);
    if (std::strspn(buf, "-0123456789") == std::strlen(buf)) std::strcat(buf, ".0");
  }
  out += buf;
}

struct Renderer {
  LuaGuest& g;
  lua_State* L;
  size_t budget;
  std::string out;

  void value(int idx, int depth) {
    idx = lua_absindex(L, idx);
    if (out.size() > budget) return;
    switch (lua_type(L, idx)) {
      case LUA_TNIL: out += "nil"; return;
      case LUA_TBOOLEAN: out += lua_toboolean(L, idx) ? "true" : "false"; return;
      case LUA_TNUMBER: render_number(out, L, idx); return;
      case LUA_TSTRING: {
        size_t n;
        const char* s = lua_tolstring(L, idx, &n);
        quote(out, s, n, budget);
        return;
      }
      case LUA_TTABLE: table(idx, depth); return;
      case LUA_TFUNCTION: out += "function"; return;
      case LUA_TTHREAD: out += "thread"; return;
      default:
        if (auto h = g.to_handle(L, idx)) {
          switch (h->kind) {
            case HandleKind::kPid: out += "P" + std::to_string(h->id); return;
            case HandleKind::kRef: out += "#Ref<" + std::to_string(h->id) + ">"; return;
            case HandleKind::kTimer: out += "#Timer<" + std::to_string(h->id) + ">"; return;
            case HandleKind::kAtomics: out += "#Atomics<" + std::to_string(h->id) + ">"; return;
            case HandleKind::kTable: out += "#Table<" + std::to_string(h->id) + ">"; return;
          }
        }
        out += "userdata";
    }
  }

  void table(int idx, int depth) {
    if (depth >= 4) {
      out += "{...}";
      return;
    }
    // Each entry is rendered to its own string during the native traversal
    // (no Lua allocation), then the entries are sorted by key.
    const lua_Integer n = static_cast<lua_Integer>(lua_rawlen(L, idx));
    std::vector<std::pair<KeyInfo, std::string>> rest;
    std::string seq;
    lua_pushnil(L);
    while (lua_next(L, idx) != 0) {
      if (lua_isinteger(L, -2)) {
        lua_Integer k = lua_tointeger(L, -2);
        if (k >= 1 && k <= n) {
          lua_pop(L, 1);
          continue;  // rendered in order below
        }
      }
      KeyInfo k = key_info(g, L, -2);
      std::string entry;
      {
        Renderer sub{g, L, budget, {}};
        if (k.cls == 1 && is_identifier(k.s, k.len)) {
          sub.out.assign(k.s, k.len);
        } else {
          sub.out += '[';
          sub.value(-2, depth + 1);
          sub.out += ']';
        }
        sub.out += " = ";
        sub.value(-1, depth + 1);
        entry = std::move(sub.out);
      }
      rest.emplace_back(k, std::move(entry));
      lua_pop(L, 1);
    }
    std::sort(rest.begin(), rest.end(), [](const auto& a, const auto& b) { return compare(a.first, b.first) < 0; });
    out += '{';
    bool first = true;
    for (lua_Integer i = 1; i <= n; ++i) {
      if (out.size() > budget) break;
      if (!first) out += ", ";
      first = false;
      lua_rawgeti(L, idx, i);
      value(-1, depth + 1);
      lua_pop(L, 1);
    }
    for (const auto& [k, entry] : rest) {
      if (out.size() > budget) break;
      if (!first) out += ", ";
      first = false;
      out += entry;
    }
    out += '}';
  }
};

}  // namespace

// Pushes a new sequence holding the keys of the table at `idx` in the
// deterministic order. The allocations it makes depend only on the number
// of keys, never on the native (hash-seed dependent) order.
int push_sorted_keys(LuaGuest& g, lua_State* L, int idx, bool* by_ids) {
  idx = lua_absindex(L, idx);
  int n = 0;
  lua_pushnil(L);
  while (lua_next(L, idx) != 0) {
    lua_pop(L, 1);
    ++n;
  }
  lua_createtable(L, n, 0);  // native order first
  const int raw = lua_gettop(L);
  int i = 0;
  lua_pushnil(L);
  while (lua_next(L, idx) != 0) {
    lua_pop(L, 1);
    lua_pushvalue(L, -1);
    lua_rawseti(L, raw, ++i);
  }
  std::vector<KeyInfo> keys;
  keys.reserve(n);
  for (int j = 1; j <= n; ++j) {
    lua_rawgeti(L, raw, j);
    KeyInfo k = key_info(g, L, -1);
    k.slot = j;
    keys.push_back(k);
    lua_pop(L, 1);  // the string stays alive in `raw`
  }
  std::sort(keys.begin(), keys.end(), [](const KeyInfo& a, const KeyInfo& b) { return compare(a, b) < 0; });
  if (by_ids) {
    for (size_t j = 1; j < keys.size() && !*by_ids; ++j) {
      const KeyInfo &a = keys[j - 1], &b = keys[j];
      *by_ids = a.cls == b.cls && (a.cls == 4 || (a.cls == 3 && a.ord >> 56 == b.ord >> 56));
    }
  }
  lua_createtable(L, n, 0);
  for (int j = 0; j < n; ++j) {
    lua_rawgeti(L, raw, keys[j].slot);
    lua_rawseti(L, -2, j + 1);
  }
  lua_remove(L, raw);
  return n;
}

namespace {

// A table whose keys are exactly 1..n (none missing, no others): the shape
// of most messages. Counted in the native order, which cannot change the
// answer.
bool is_sequence(lua_State* L, int idx, lua_Integer& n) {
  n = static_cast<lua_Integer>(lua_rawlen(L, idx));
  lua_Integer keys = 0;
  lua_pushnil(L);
  while (lua_next(L, idx) != 0) {
    lua_pop(L, 1);
    const bool is_int = lua_isinteger(L, -1);  // never a string that reads as one
    const lua_Integer k = is_int ? lua_tointeger(L, -1) : 0;
    if (!is_int || k < 1 || k > n || ++keys > n) {
      lua_pop(L, 1);
      return false;
    }
  }
  return keys == n;
}

void copy_rec(LuaGuest& g, lua_State* L, int idx, int depth, std::vector<const void*>& path,
              const char* what) {
  idx = lua_absindex(L, idx);
  if (lua_type(L, idx) != LUA_TTABLE) {
    lua_pushvalue(L, idx);
    return;
  }
  const void* p = lua_topointer(L, idx);
  if (std::find(path.begin(), path.end(), p) != path.end()) {
    luaL_error(L, "%s contains a cycle (a table inside itself); messages must be trees", what);
  }
  if (depth > 100) luaL_error(L, "%s is nested more than 100 tables deep", what);
  path.push_back(p);
  luaL_checkstack(L, 8, "copying a message");
  // The copy is built in the deterministic key order, so its own layout
  // (and what it allocates) never depends on the hash seed.
  lua_Integer len = 0;
  if (is_sequence(L, idx, len)) {
    lua_createtable(L, static_cast<int>(len), 0);
    const int out = lua_gettop(L);
    for (lua_Integer j = 1; j <= len; ++j) {
      if (lua_rawgeti(L, idx, j) == LUA_TTABLE) {
        copy_rec(g, L, -1, depth + 1, path, what);
        lua_rawseti(L, out, j);
        lua_pop(L, 1);
      } else {
        lua_rawseti(L, out, j);  // anything but a table is shared as it is
      }
    }
  } else {
    // The keys sit on the stack while they are sorted.
    int n = 0;
    lua_pushnil(L);
    while (lua_next(L, idx) != 0) {
      lua_pop(L, 1);
      ++n;
    }
    luaL_checkstack(L, n + 8, "copying a message");
    const int first = lua_gettop(L) + 1;
    lua_pushnil(L);
    while (lua_next(L, idx) != 0) {
      lua_pop(L, 1);
      lua_pushvalue(L, -1);
    }
    std::vector<KeyInfo> keys(static_cast<size_t>(n));
    for (int j = 0; j < n; ++j) {
      keys[j] = key_info(g, L, first + j);
      keys[j].slot = first + j;
    }
    std::sort(keys.begin(), keys.end(), [](const KeyInfo& a, const KeyInfo& b) { return compare(a, b) < 0; });
    int narr = 0;
    for (const KeyInfo& k : keys) narr += k.is_int && k.i == narr + 1;
    lua_createtable(L, narr, n - narr);
    const int out = lua_gettop(L);
    for (const KeyInfo& k : keys) {
      copy_rec(g, L, k.slot, depth + 1, path, what);  // key'
      lua_pushvalue(L, k.slot);
      lua_rawget(L, idx);                         // value
      copy_rec(g, L, -1, depth + 1, path, what);  // value'
      lua_remove(L, -2);
      lua_rawset(L, out);
    }
    lua_replace(L, first);
    lua_settop(L, first);
  }
  if (lua_getmetatable(L, idx)) lua_setmetatable(L, -2);
  path.pop_back();
}

// pairs iterator: upvalue 1 = sorted keys, upvalue 2 = position.
int sorted_next(lua_State* L) {
  lua_Integer pos = lua_tointeger(L, lua_upvalueindex(2));
  for (;;) {
    ++pos;
    if (lua_rawgeti(L, lua_upvalueindex(1), pos) == LUA_TNIL) return 0;
    lua_pushvalue(L, -1);
    if (lua_rawget(L, 1) != LUA_TNIL) {
      lua_pushinteger(L, pos);
      lua_replace(L, lua_upvalueindex(2));
      return 2;
    }
    lua_pop(L, 2);  // removed during traversal: skip
  }
}

int det_pairs(lua_State* L) {
  luaL_checkany(L, 1);
  if (luaL_getmetafield(L, 1, "__pairs") != LUA_TNIL) {
    lua_pushvalue(L, 1);
    lua_call(L, 1, 3);
    return 3;
  }
  luaL_checktype(L, 1, LUA_TTABLE);
  bool by_ids = false;
  push_sorted_keys(LuaGuest::of(L), L, 1, &by_ids);
  if (by_ids) LuaGuest::of(L).note_ids_read();
  lua_pushinteger(L, 0);
  lua_pushcclosure(L, sorted_next, 2);
  lua_pushvalue(L, 1);
  lua_pushnil(L);
  return 3;
}

// next(t, k): the key after k in the deterministic order. Sorted keys are
// cached per table (weakly) so a full traversal costs O(n log n).
int det_next(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_settop(L, 2);
  LuaGuest& g = LuaGuest::of(L);
  const int cache = lua_upvalueindex(1);
  bool by_ids = false;
  if (lua_isnil(L, 2)) {
    push_sorted_keys(g, L, 1, &by_ids);  // 3
    lua_pushvalue(L, 1);
    lua_pushvalue(L, 3);
    lua_rawset(L, cache);
  } else if (lua_pushvalue(L, 1), lua_rawget(L, cache) == LUA_TNIL) {
    lua_pop(L, 1);
    push_sorted_keys(g, L, 1, &by_ids);
  }
  if (by_ids) g.note_ids_read();
  const int keys = 3;
  lua_Integer pos = 0;
  if (!lua_isnil(L, 2)) {
    KeyInfo want = key_info(g, L, 2);
    lua_Integer lo = 1, hi = static_cast<lua_Integer>(lua_rawlen(L, keys));
    while (lo <= hi) {  // binary search for the current key
      lua_Integer mid = (lo + hi) / 2;
      lua_rawgeti(L, keys, mid);
      int c = compare(key_info(g, L, -1), want);
      lua_pop(L, 1);
      if (c == 0) {
        pos = mid;
        break;
      }
      if (c < 0) lo = mid + 1;
      else hi = mid - 1;
    }
    if (pos == 0) {
      // A stale cache (keys added since): rebuild once and look again.
      lua_settop(L, 2);
      push_sorted_keys(g, L, 1, &by_ids);
      if (by_ids) g.note_ids_read();
      lua_pushvalue(L, 1);
      lua_pushvalue(L, 3);
      lua_rawset(L, cache);
      const auto m = static_cast<lua_Integer>(lua_rawlen(L, keys));
      for (lua_Integer i = 1; i <= m && pos == 0; ++i) {
        lua_rawgeti(L, keys, i);
        if (compare(key_info(g, L, -1), want) == 0) pos = i;
        lua_pop(L, 1);
      }
      if (pos == 0) return luaL_error(L, "invalid key to 'next'");
    }
  }
  const auto n = static_cast<lua_Integer>(lua_rawlen(L, keys));
  for (lua_Integer i = pos + 1; i <= n; ++i) {
    lua_rawgeti(L, keys, i);
    lua_pushvalue(L, -1);
    if (lua_rawget(L, 1) != LUA_TNIL) return 2;
    lua_pop(L, 2);
  }
  lua_pushnil(L);
  return 1;
}

void put_be64(std::string& out, uint64_t v) {
  char bytes[8];
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>((v >> (8 * (7 - i))) & 0xff);
  out.append(bytes, sizeof bytes);
}

// Order-preserving bits of a double: byte order of the result = numeric order.
uint64_t ordered_bits(double d) {
  if (d == 0) d = 0;  // -0.0 == 0.0
  uint64_t bits;
  std::memcpy(&bits, &d, sizeof bits);
  return (bits >> 63) ? ~bits : bits | (1ull << 63);
}

void encode_rec(LuaGuest& g, lua_State* L, int idx, std::string& out, int depth) {
  idx = lua_absindex(L, idx);
  switch (lua_type(L, idx)) {
    case LUA_TNUMBER: {
      out.reserve(out.size() + 17);
      out += '\x10';
      if (lua_isinteger(L, idx)) {
        const lua_Integer i = lua_tointeger(L, idx);
        put_be64(out, ordered_bits(static_cast<double>(i)));
        put_be64(out, static_cast<uint64_t>(i) ^ (1ull << 63));
      } else {
        const double d = lua_tonumber(L, idx);
        if (d != d) luaL_error(L, "NaN cannot be used as a key");
        put_be64(out, ordered_bits(d));
        // A float with an integral value is the same key as that integer (as in Lua).
        const bool integral = d >= -9.2233720368547758e18 && d < 9.2233720368547758e18 &&
                              static_cast<double>(static_cast<int64_t>(d)) == d;
        put_be64(out, integral ? static_cast<uint64_t>(static_cast<int64_t>(d)) ^ (1ull << 63) : 0);
      }
      return;
    }
    case LUA_TSTRING: {
      out += '\x20';
      size_t n;
      const char* s = lua_tolstring(L, idx, &n);
      for (const char* end = s + n; s != end;) {  // each NUL escaped, so the terminator stays unique
        const char* nul = static_cast<const char*>(std::memchr(s, '\0', static_cast<size_t>(end - s)));
        if (!nul) {
          out.append(s, end);
          break;
        }
        out.append(s, nul + 1);
        out += '\xff';
        s = nul + 1;
      }
      out.append(2, '\0');
      return;
    }
    case LUA_TBOOLEAN:
      out += '\x30';
      out += lua_toboolean(L, idx) ? '\x01' : '\x00';
      return;
    case LUA_TTABLE: {
      if (depth > 32) luaL_error(L, "key is nested too deeply (or contains a cycle)");
      out += '\x50';
      const auto n = static_cast<lua_Integer>(lua_rawlen(L, idx));
      for (lua_Integer i = 1; i <= n; ++i) {
        lua_rawgeti(L, idx, i);
        encode_rec(g, L, -1, out, depth + 1);
        lua_pop(L, 1);
      }
      out += '\x01';  // end of the sequence part; then other keys in order
      std::vector<std::pair<KeyInfo, std::string>> rest;
      lua_pushnil(L);
      while (lua_next(L, idx) != 0) {
        if (lua_isinteger(L, -2)) {
          const lua_Integer k = lua_tointeger(L, -2);
          if (k >= 1 && k <= n) {
            lua_pop(L, 1);
            continue;
          }
        }
        std::string entry;
        encode_rec(g, L, -2, entry, depth + 1);
        encode_rec(g, L, -1, entry, depth + 1);
        rest.emplace_back(key_info(g, L, -2), std::move(entry));
        lua_pop(L, 1);
      }
      std::sort(rest.begin(), rest.end(), [](const auto& a, const auto& b) { return compare(a.first, b.first) < 0; });
      for (const auto& [k, e] : rest) out += e;
      out += '\x00';
      return;
    }
    default:
      if (auto h = g.to_handle(L, idx)) {  // vm/ets.h reads this format back (key_handles)
        out += '\x40';
        out += static_cast<char>(h->kind);
        put_be64(out, h->id);
      } else {
        out += '\x60';
        put_be64(out, g.object_order(lua_topointer(L, idx)));
      }
  }
}

}  // namespace

std::string LuaGuest::encode_key(lua_State* L, int idx) {
  if (lua_isnoneornil(L, idx)) luaL_argerror(L, idx, "a key cannot be nil");
  std::string out;
  if (lua_type(L, idx) == LUA_TTABLE) out.reserve(64);  // grown once, not at each element
  encode_rec(*this, L, idx, out, 0);
  return out;
}

int LuaGuest::compare_keys(lua_State* L, int a, int b) {
  return compare(key_info(*this, L, a), key_info(*this, L, b));
}

std::string LuaGuest::render_at(lua_State* L, int idx, size_t budget) {
  Renderer r{*this, L, budget, {}};
  r.value(idx, 0);
  if (r.out.size() > budget) {
    r.out.resize(budget);
    r.out += "...";
  }
  return r.out;
}

std::string LuaGuest::render(vm::ValueRef v) {
  if (v == 0) return "nil";
  push_value(aux_, v);
  std::string s = render_at(aux_, -1);
  lua_pop(aux_, 1);
  return s;
}

void LuaGuest::push_copy(lua_State* L, int idx, const char* what) {
  copy_path_.clear();
  copy_rec(*this, L, idx, 0, copy_path_, what);
}

// Installs the deterministic pairs and next over the stock ones.
void install_deterministic_iteration(lua_State* L) {
  lua_pushcfunction(L, det_pairs);
  lua_setglobal(L, "pairs");
  lua_newtable(L);  // cache: table -> sorted keys, weak keys
  lua_createtable(L, 0, 1);
  lua_pushliteral(L, "k");
  lua_setfield(L, -2, "__mode");
  lua_setmetatable(L, -2);
  lua_pushcclosure(L, det_next, 1);
  lua_setglobal(L, "next");
}

// What the VM asks of a message or a tuple (tags, shapes, counters).
bool LuaGuest::tuple_integer(vm::ValueRef tuple, int64_t pos, int64_t& out) {
  push_value(aux_, tuple);
  lua_rawgeti(aux_, -1, pos);
  const bool ok = lua_isinteger(aux_, -1);
  if (ok) out = lua_tointeger(aux_, -1);
  lua_pop(aux_, 2);
  return ok;
}

vm::RefId LuaGuest::message_tag(vm::ValueRef v) {
  push_value(aux_, v);
  vm::RefId tag = 0;
  if (lua_type(aux_, -1) == LUA_TTABLE) {
    lua_rawgeti(aux_, -1, 1);
    if (auto h = to_handle(aux_, -1); h && h->kind == HandleKind::kRef) tag = h->id;
    lua_pop(aux_, 1);
  }
  lua_pop(aux_, 1);
  return tag;
}

namespace {
// The type of the value at `idx`, and its content when it is a scalar
// (handles by kind only: their ids follow creation order).
uint64_t scalar_shape(lua_State* L, int idx) {
  // The hash of each type's name, made once (a shape is asked for at
  // every receive when coverage is on).
  static const auto type_hashes = [L] {
    std::array<uint64_t, LUA_NUMTYPES + 1> out{};
    for (int t = LUA_TNONE; t < LUA_NUMTYPES; ++t) out[t + 1] = fnv1a(lua_typename(L, t));
    return out;
  }();
  const int type = lua_type(L, idx);
  uint64_t h = type_hashes[type + 1];
  switch (type) {
    case LUA_TSTRING: {
      size_t n = 0;
      const char* s = lua_tolstring(L, idx, &n);
      return fnv1a(std::string_view(s, std::min<size_t>(n, 64)), h);
    }
    case LUA_TNUMBER: {
      if (!lua_isinteger(L, idx)) return h;
      char digits[24];
      const auto end = std::to_chars(digits, digits + sizeof digits, lua_tointeger(L, idx)).ptr;
      return fnv1a(std::string_view(digits, static_cast<size_t>(end - digits)), h);
    }
    case LUA_TBOOLEAN:
      return h + static_cast<uint64_t>(lua_toboolean(L, idx));
    default:
      return h;
  }
}
}  // namespace

uint64_t LuaGuest::message_shape(vm::ValueRef v) {
  push_value(aux_, v);
  uint64_t shape = scalar_shape(aux_, -1);
  if (lua_type(aux_, -1) == LUA_TTABLE) {
    lua_rawgeti(aux_, -1, 1);
    shape = fnv1a("table", scalar_shape(aux_, -1));
    lua_pop(aux_, 1);
  }
  lua_pop(aux_, 1);
  return shape;
}

void LuaGuest::set_tuple_integer(vm::ValueRef tuple, int64_t pos, int64_t v) {
  push_value(aux_, tuple);
  lua_pushinteger(aux_, v);
  lua_rawseti(aux_, -2, pos);
  lua_pop(aux_, 1);
}

int64_t LuaGuest::tuple_size(vm::ValueRef tuple) {
  push_value(aux_, tuple);
  const auto n = static_cast<int64_t>(lua_rawlen(aux_, -1));
  lua_pop(aux_, 1);
  return n;
}

void LuaGuest::set_tuple_element(vm::ValueRef tuple, int64_t pos, vm::ValueRef value) {
  push_value(aux_, tuple);
  push_value(aux_, value);  // a private copy, stored by the binding: the tuple takes it over
  lua_rawseti(aux_, -2, pos);
  lua_pop(aux_, 1);
  release(value);
}

}  // namespace lockstep::lua
