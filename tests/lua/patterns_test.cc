// The bounded pattern functions give what Lua's own give (results and
// error messages), and poll while they work, so a pattern that backtracks
// for ever can be stopped.
#include "lua/patterns.h"

#include <gtest/gtest.h>

#include <lua.hpp>

#include <random>
#include <string>
#include <vector>

namespace {

int g_polls = 0;
void count_poll(lua_State*) { ++g_polls; }

// Runs the call in a state and renders everything it returned (or its error).
constexpr const char* kHarness = R"(
local function render(ok, ...)
  local out = { tostring(ok) }
  for i = 1, select("#", ...) do
    local v = select(i, ...)
    out[#out + 1] = math.type(v) or type(v)
    out[#out + 1] = type(v) == "table" and "{}" or tostring(v)
  end
  return table.concat(out, "|")
end
local function all_matches(s, p, init)
  local got = {}
  for a, b, c in string.gmatch(s, p, init) do
    got[#got + 1] = tostring(a) .. "," .. tostring(b) .. "," .. tostring(c)
    if #got > 100 then break end
  end
  return table.concat(got, ";")
end
local calls = 0
local function replace(...)
  calls = calls + 1
  if calls % 3 == 0 then return false end
  return "<" .. table.concat({ ... }, ",") .. ">"
end
local lookup = setmetatable({}, { __index = function(_, k) return k == "a" and "A" or nil end })
return function(kind, s, p, init, extra)
  if kind == "find" then return render(pcall(string.find, s, p, init, extra)) end
  if kind == "match" then return render(pcall(string.match, s, p, init)) end
  if kind == "gmatch" then return render(pcall(all_matches, s, p, init)) end
  if kind == "gsub_s" then return render(pcall(string.gsub, s, p, extra, init)) end
  if kind == "gsub_f" then calls = 0 return render(pcall(string.gsub, s, p, replace, init)) end
  if kind == "gsub_t" then return render(pcall(string.gsub, s, p, lookup, init)) end
  error("unknown kind " .. kind)
end
)";

class Both {
 public:
  Both() {
    for (int i = 0; i < 2; ++i) {
      L_[i] = luaL_newstate();
      luaL_openlibs(L_[i]);
      if (i == 1) lockstep::lua::install_bounded_patterns(L_[i], count_poll);
      if (luaL_dostring(L_[i], kHarness) != LUA_OK) ADD_FAILURE() << lua_tostring(L_[i], -1);
      ref_[i] = luaL_ref(L_[i], LUA_REGISTRYINDEX);
    }
  }
  ~Both() {
    lua_close(L_[0]);
    lua_close(L_[1]);
  }
  // The stock and the bounded result of one call.
  std::pair<std::string, std::string> run(const std::string& kind, const std::string& s, const std::string& p,
                                          long long init, const std::string& extra) {
    std::string out[2];
    for (int i = 0; i < 2; ++i) {
      lua_State* L = L_[i];
      lua_rawgeti(L, LUA_REGISTRYINDEX, ref_[i]);
      lua_pushstring(L, kind.c_str());
      lua_pushlstring(L, s.data(), s.size());
      lua_pushlstring(L, p.data(), p.size());
      lua_pushinteger(L, init);
      if (kind == "find") lua_pushboolean(L, !extra.empty());
      else lua_pushlstring(L, extra.data(), extra.size());
      if (lua_pcall(L, 5, 1, 0) != LUA_OK) ADD_FAILURE() << lua_tostring(L, -1);
      out[i] = lua_tostring(L, -1);
      lua_pop(L, 1);
    }
    return {out[0], out[1]};
  }

 private:
  lua_State* L_[2];
  int ref_[2];
};

TEST(Patterns, GiveLuasResultsOnKnownCases) {
  Both both;
  const std::vector<std::string> patterns = {
      "", "a", "^a", "a$", "^$", ".", "a*", "a+", "a-", "a?", "a-b", "(a)(b)", "()a()", "(a*(.)%w(%s*))",
      "%d+", "%D+", "[%a_][%w_]*", "[^%s]+", "[a-c]+", "[]]", "[^]]", "[a-]", "[%]]", "%bxy", "%b()", "%f[%w]%w+",
      "%f[%W]", "(a)%1", "((a)%2)", "(h)(e)(l)(l)(o)", "$^", "x$y", "%", "%g", "[a", "[^", "(", ")", "%1", "(()",
      "%f", "%fa", "%b", "%bx", "%z", "a%", "[%", "(.-)%-(.-)", "^(%w+)=(%w+)$", ".-b", "(.)%1", "[%d%.]+",
      "[\0-\31]", std::string("a\0b", 3), std::string("[\0]", 3)};
  const std::vector<std::string> subjects = {"",     "a",      "aab",        "hello world", "x(a(b)c)y", "key=val",
                                             "1.5e3", "abcabc", "  spaced  ", "THE (quick) fox",
                                             std::string("a\0b", 3)};
  const std::vector<std::string> replacements = {"<%0>", "%1", "%%", "%2-%1", "%9", "%z", "x", "%", "%11"};
  for (const auto& p : patterns) {
    for (const auto& s : subjects) {
      for (long long init : {1LL, 0LL, -2LL, 3LL, 100LL}) {
        for (const std::string kind : {"find", "match", "gmatch", "gsub_f", "gsub_t"}) {
          auto [stock, ours] = both.run(kind, s, p, kind.rfind("gsub", 0) == 0 ? init + 1 : init, "");
          EXPECT_EQ(stock, ours) << kind << " s=" << s << " p=" << p << " init=" << init;
        }
        auto [stock, ours] = both.run("find", s, p, init, "plain");
        EXPECT_EQ(stock, ours) << "plain find s=" << s << " p=" << p;
      }
      for (const auto& r : replacements) {
        auto [stock, ours] = both.run("gsub_s", s, p, 100, r);
        EXPECT_EQ(stock, ours) << "gsub s=" << s << " p=" << p << " r=" << r;
      }
    }
  }
}

TEST(Patterns, GiveLuasResultsOnRandomPatterns) {
  const std::vector<std::string> pieces = {
      ".",  "%a", "%d", "%s", "%w", "%x", "%p", "%A", "%%", "a", "b", "c", "(",  ")", "()", "[abc]", "[^a]",
      "[a-c]", "[%d_]", "*", "+", "-", "?", "%1", "%2", "%b()", "%f[%w]", "%f[%s]", "^", "$", "[", "]", "%", "x",
      "%z", "%b", "%f", "[a-]", "[]", "[^%d]", "%3", "%0", "%g", "%u"};
  const std::string alphabet = "abc 1(_)x%";
  std::mt19937 rng(20261123);
  Both both;
  for (int i = 0; i < 50000; ++i) {
    std::string p, s, r;
    const int np = static_cast<int>(rng() % 7);
    for (int k = 0; k < np; ++k) p += pieces[rng() % pieces.size()];
    const int ns = static_cast<int>(rng() % 13);
    for (int k = 0; k < ns; ++k) s += alphabet[rng() % alphabet.size()];
    const long long init = static_cast<long long>(rng() % 9) - 3;
    static const char* kKinds[] = {"find", "match", "gmatch", "gsub_s", "gsub_f", "gsub_t"};
    const std::string kind = kKinds[rng() % 6];
    if (kind == "gsub_s") r = std::vector<std::string>{"<%0>", "%1", "%2", "[%%]", "%x"}[rng() % 5];
    if (kind == "find" && rng() % 4 == 0) r = "plain";
    auto [stock, ours] = both.run(kind, s, p, kind.rfind("gsub", 0) == 0 ? (init < 0 ? 100 : init) : init, r);
    ASSERT_EQ(stock, ours) << kind << " s='" << s << "' p='" << p << "' init=" << init << " r=" << r;
  }
}

TEST(Patterns, PollWhileBacktracking) {
  lua_State* L = luaL_newstate();
  luaL_openlibs(L);
  lockstep::lua::install_bounded_patterns(L, count_poll);
  g_polls = 0;
  // 2^16 steps between polls: a small match never polls, a backtracking
  // one polls as it goes (and here finishes: 18 a's are few enough).
  ASSERT_EQ(luaL_dostring(L, "return ('abc'):find('b')"), LUA_OK);
  EXPECT_EQ(g_polls, 0);
  ASSERT_EQ(luaL_dostring(L, "return (('a'):rep(18)):find(('a*'):rep(6) .. 'b')"), LUA_OK);
  EXPECT_TRUE(lua_isnil(L, -1));
  EXPECT_GT(g_polls, 10);
  // A long needle that nearly matches everywhere polls too.
  g_polls = 0;
  ASSERT_EQ(luaL_dostring(L, "return (('a'):rep(200000)):find(('a'):rep(5000) .. 'b', 1, true)"), LUA_OK);
  EXPECT_GT(g_polls, 10);
  lua_close(L);
}

// A poll that raises stops the match: what the guest does past iter_timeout.
TEST(Patterns, APollThatRaisesStopsTheMatch) {
  lua_State* L = luaL_newstate();
  luaL_openlibs(L);
  lockstep::lua::install_bounded_patterns(L, [](lua_State* T) {
    if (++g_polls == 3) luaL_error(T, "stopped");
  });
  g_polls = 0;
  ASSERT_NE(luaL_dostring(L, "return (('a'):rep(40)):find(('a*'):rep(40) .. 'b')"), LUA_OK);
  EXPECT_NE(std::string(lua_tostring(L, -1)).find("stopped"), std::string::npos);
  EXPECT_EQ(g_polls, 3);
  lua_close(L);
}

}  // namespace
