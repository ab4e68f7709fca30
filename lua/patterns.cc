// Lua 5.4's pattern language (manual section 6.4.1), matched with a bound
// on the work between two calls of the poll function. Results and error
// messages are those of the stock string library; tests/lua compares the
// two on a corpus and on random patterns.
#include "lua/patterns.h"

#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace lockstep::lua {
namespace {

constexpr int kMaxCaptures = 32;   // LUA_MAXCAPTURES
constexpr int kMaxDepth = 200;     // MAXCCALLS: "pattern too complex"
constexpr ptrdiff_t kUnfinished = -1;
constexpr ptrdiff_t kPosition = -2;
constexpr char kEsc = '%';
constexpr const char* kSpecials = "^$*+?.([%-";
// Matching steps between polls: a few hundred microseconds of work.
constexpr uint32_t kPollEvery = 1u << 16;

inline int uchar(char c) { return static_cast<unsigned char>(c); }

struct Capture {
  const char* init;
  ptrdiff_t len;
};

// Plain data only: poll() may leave these frames without unwinding them.
struct MatchState {
  const char* src_init;
  const char* src_end;
  const char* p_end;
  lua_State* L;
  PatternPoll poll;
  uint32_t ticks;
  int depth;  // recursion left before "pattern too complex"
  int level;  // captures opened so far
  Capture capture[kMaxCaptures];
};

inline void tick(MatchState* ms, uint32_t n = 1) {
  ms->ticks += n;
  if (ms->ticks >= kPollEvery) {
    ms->ticks = 0;
    ms->poll(ms->L);
  }
}

const char* match(MatchState* ms, const char* s, const char* p);

int check_capture(MatchState* ms, int l) {
  l -= '1';
  if (l < 0 || l >= ms->level || ms->capture[l].len == kUnfinished) {
    return luaL_error(ms->L, "invalid capture index %%%d", l + 1);
  }
  return l;
}

int capture_to_close(MatchState* ms) {
  int level = ms->level;
  for (level--; level >= 0; level--) {
    if (ms->capture[level].len == kUnfinished) return level;
  }
  return luaL_error(ms->L, "invalid pattern capture");
}

// The end of the single-character class starting at p.
const char* class_end(MatchState* ms, const char* p) {
  switch (*p++) {
    case kEsc:
      if (p == ms->p_end) luaL_error(ms->L, "malformed pattern (ends with '%%')");
      return p + 1;
    case '[':
      if (*p == '^') p++;
      do {  // the first character is never the closing ']'
        if (p == ms->p_end) luaL_error(ms->L, "malformed pattern (missing ']')");
        if (*(p++) == kEsc && p < ms->p_end) p++;  // an escape such as %]
      } while (*p != ']');
      return p + 1;
    default:
      return p;
  }
}

bool match_class(int c, int cl) {
  bool res;
  switch (std::tolower(cl)) {
    case 'a': res = std::isalpha(c); break;
    case 'c': res = std::iscntrl(c); break;
    case 'd': res = std::isdigit(c); break;
    case 'g': res = std::isgraph(c); break;
    case 'l': res = std::islower(c); break;
    case 'p': res = std::ispunct(c); break;
    case 's': res = std::isspace(c); break;
    case 'u': res = std::isupper(c); break;
    case 'w': res = std::isalnum(c); break;
    case 'x': res = std::isxdigit(c); break;
    case 'z': res = c == 0; break;  // deprecated, still in Lua 5.4
    default: return cl == c;
  }
  return std::isupper(cl) ? !res : res;
}

// p is at '[', ec at the class's closing ']'.
bool match_bracket_class(int c, const char* p, const char* ec) {
  bool sig = true;
  if (*(p + 1) == '^') {
    sig = false;
    p++;
  }
  while (++p < ec) {
    if (*p == kEsc) {
      p++;
      if (match_class(c, uchar(*p))) return sig;
    } else if (*(p + 1) == '-' && p + 2 < ec) {
      p += 2;
      if (uchar(*(p - 2)) <= c && c <= uchar(*p)) return sig;
    } else if (uchar(*p) == c) {
      return sig;
    }
  }
  return !sig;
}

bool single_match(MatchState* ms, const char* s, const char* p, const char* ep) {
  if (s >= ms->src_end) return false;
  const int c = uchar(*s);
  switch (*p) {
    case '.': return true;
    case kEsc: return match_class(c, uchar(*(p + 1)));
    case '[': return match_bracket_class(c, p, ep - 1);
    default: return uchar(*p) == c;
  }
}

const char* match_balance(MatchState* ms, const char* s, const char* p) {
  if (p >= ms->p_end - 1) luaL_error(ms->L, "malformed pattern (missing arguments to '%%b')");
  if (s >= ms->src_end || *s != *p) return nullptr;
  const char b = *p, e = *(p + 1);
  int open = 1;
  while (++s < ms->src_end) {
    tick(ms);
    if (*s == e) {
      if (--open == 0) return s + 1;
    } else if (*s == b) {
      open++;
    }
  }
  return nullptr;
}

const char* max_expand(MatchState* ms, const char* s, const char* p, const char* ep) {
  ptrdiff_t i = 0;
  while (single_match(ms, s + i, p, ep)) {
    i++;
    tick(ms);
  }
  for (; i >= 0; i--) {  // the longest repetition first
    if (const char* res = match(ms, s + i, ep + 1)) return res;
  }
  return nullptr;
}

const char* min_expand(MatchState* ms, const char* s, const char* p, const char* ep) {
  for (;;) {
    if (const char* res = match(ms, s, ep + 1)) return res;
    if (!single_match(ms, s, p, ep)) return nullptr;
    s++;
  }
}

const char* start_capture(MatchState* ms, const char* s, const char* p, ptrdiff_t what) {
  const int level = ms->level;
  if (level >= kMaxCaptures) luaL_error(ms->L, "too many captures");
  ms->capture[level].init = s;
  ms->capture[level].len = what;
  ms->level = level + 1;
  const char* res = match(ms, s, p);
  if (!res) ms->level--;
  return res;
}

const char* end_capture(MatchState* ms, const char* s, const char* p) {
  const int l = capture_to_close(ms);
  ms->capture[l].len = s - ms->capture[l].init;
  const char* res = match(ms, s, p);
  if (!res) ms->capture[l].len = kUnfinished;
  return res;
}

const char* match_capture(MatchState* ms, const char* s, int l) {
  l = check_capture(ms, l);
  const size_t len = static_cast<size_t>(ms->capture[l].len);
  if (static_cast<size_t>(ms->src_end - s) >= len && std::memcmp(ms->capture[l].init, s, len) == 0) {
    return s + len;
  }
  return nullptr;
}

const char* match(MatchState* ms, const char* s, const char* p) {
  if (ms->depth-- == 0) luaL_error(ms->L, "pattern too complex");
  for (;;) {
    tick(ms);
    if (p == ms->p_end) break;
    switch (*p) {
      case '(':
        s = *(p + 1) == ')' ? start_capture(ms, s, p + 2, kPosition) : start_capture(ms, s, p + 1, kUnfinished);
        break;
      case ')':
        s = end_capture(ms, s, p + 1);
        break;
      case '$':
        if (p + 1 != ms->p_end) goto single;  // a '$' not at the end is a plain character
        s = s == ms->src_end ? s : nullptr;
        break;
      case kEsc:
        switch (*(p + 1)) {
          case 'b':
            s = match_balance(ms, s, p + 2);
            if (s) {
              p += 4;
              continue;
            }
            break;
          case 'f': {
            p += 2;
            if (*p != '[') luaL_error(ms->L, "missing '[' after '%%f' in pattern");
            const char* ep = class_end(ms, p);
            const char previous = s == ms->src_init ? '\0' : *(s - 1);
            const char current = s < ms->src_end ? *s : '\0';
            if (!match_bracket_class(uchar(previous), p, ep - 1) && match_bracket_class(uchar(current), p, ep - 1)) {
              p = ep;
              continue;
            }
            s = nullptr;
            break;
          }
          case '0': case '1': case '2': case '3': case '4':
          case '5': case '6': case '7': case '8': case '9':
            s = match_capture(ms, s, uchar(*(p + 1)));
            if (s) {
              p += 2;
              continue;
            }
            break;
          default:
            goto single;
        }
        break;
      default:
      single: {
        const char* ep = class_end(ms, p);
        if (!single_match(ms, s, p, ep)) {
          if (*ep == '*' || *ep == '?' || *ep == '-') {  // zero repetitions are fine
            p = ep + 1;
            continue;
          }
          s = nullptr;
        } else {
          switch (*ep) {
            case '?':
              if (const char* res = match(ms, s + 1, ep + 1)) {
                s = res;
              } else {
                p = ep + 1;
                continue;
              }
              break;
            case '+': s = max_expand(ms, s + 1, p, ep); break;
            case '*': s = max_expand(ms, s, p, ep); break;
            case '-': s = min_expand(ms, s, p, ep); break;
            default:
              s++;
              p = ep;
              continue;
          }
        }
        break;
      }
    }
    break;
  }
  ms->depth++;
  return s;
}

// ---------------------------------------------------------------------------
// Captures to Lua values

size_t get_one_capture(MatchState* ms, int i, const char* s, const char* e, const char** cap) {
  if (i >= ms->level) {
    if (i != 0) luaL_error(ms->L, "invalid capture index %%%d", i + 1);
    *cap = s;  // no captures: the whole match
    return static_cast<size_t>(e - s);
  }
  const ptrdiff_t len = ms->capture[i].len;
  *cap = ms->capture[i].init;
  if (len == kUnfinished) luaL_error(ms->L, "unfinished capture");
  if (len == kPosition) lua_pushinteger(ms->L, (ms->capture[i].init - ms->src_init) + 1);
  return static_cast<size_t>(len);
}

void push_one_capture(MatchState* ms, int i, const char* s, const char* e) {
  const char* cap;
  const size_t len = get_one_capture(ms, i, s, e, &cap);
  if (static_cast<ptrdiff_t>(len) != kPosition) lua_pushlstring(ms->L, cap, len);
}

int push_captures(MatchState* ms, const char* s, const char* e) {
  const int n = (ms->level == 0 && s) ? 1 : ms->level;
  luaL_checkstack(ms->L, n, "too many captures");
  for (int i = 0; i < n; i++) push_one_capture(ms, i, s, e);
  return n;
}

// ---------------------------------------------------------------------------
// The library functions

PatternPoll poll_of(lua_State* L) {
  return *static_cast<PatternPoll*>(lua_touserdata(L, lua_upvalueindex(1)));
}

void prepare(MatchState* ms, lua_State* L, PatternPoll poll, const char* s, size_t ls, const char* p, size_t lp) {
  ms->L = L;
  ms->poll = poll;
  ms->ticks = 0;
  ms->depth = kMaxDepth;
  ms->src_init = s;
  ms->src_end = s + ls;
  ms->p_end = p + lp;
  ms->level = 0;
}

inline void restart(MatchState* ms) {
  ms->level = 0;
  ms->depth = kMaxDepth;
}

size_t relative_position(lua_Integer pos, size_t len) {
  if (pos > 0) return static_cast<size_t>(pos);
  if (pos == 0) return 1;
  if (pos < -static_cast<lua_Integer>(len)) return 1;
  return len + static_cast<size_t>(pos) + 1;
}

bool no_specials(const char* p, size_t l) {
  size_t upto = 0;
  do {  // the pattern may hold '\0's: look at each piece
    if (std::strpbrk(p + upto, kSpecials)) return false;
    upto += std::strlen(p + upto) + 1;
  } while (upto <= l);
  return true;
}

// memmem, polling: a long needle that almost matches everywhere costs
// length(haystack) x length(needle).
const char* find_plain(MatchState* ms, const char* s1, size_t l1, const char* s2, size_t l2) {
  if (l2 == 0) return s1;
  if (l2 > l1) return nullptr;
  l2--;  // the first character is found by memchr
  l1 -= l2;
  const uint32_t cost = 1 + static_cast<uint32_t>(l2 / 64 < kPollEvery ? l2 / 64 : kPollEvery);
  const char* init;
  while (l1 > 0 && (init = static_cast<const char*>(std::memchr(s1, *s2, l1))) != nullptr) {
    tick(ms, cost);
    init++;
    if (std::memcmp(init, s2 + 1, l2) == 0) return init - 1;
    l1 -= static_cast<size_t>(init - s1);
    s1 = init;
  }
  return nullptr;
}

int find_or_match(lua_State* L, bool find) {
  size_t ls, lp;
  const char* s = luaL_checklstring(L, 1, &ls);
  const char* p = luaL_checklstring(L, 2, &lp);
  const size_t init = relative_position(luaL_optinteger(L, 3, 1), ls) - 1;
  if (init > ls) {
    luaL_pushfail(L);
    return 1;
  }
  MatchState ms;
  if (find && (lua_toboolean(L, 4) || no_specials(p, lp))) {
    prepare(&ms, L, poll_of(L), s, ls, p, lp);
    if (const char* at = find_plain(&ms, s + init, ls - init, p, lp)) {
      lua_pushinteger(L, (at - s) + 1);
      lua_pushinteger(L, static_cast<lua_Integer>((at - s) + lp));
      return 2;
    }
  } else {
    const char* s1 = s + init;
    const bool anchor = *p == '^';
    if (anchor) {
      p++;
      lp--;
    }
    prepare(&ms, L, poll_of(L), s, ls, p, lp);
    do {
      restart(&ms);
      if (const char* e = match(&ms, s1, p)) {
        if (find) {
          lua_pushinteger(L, (s1 - s) + 1);
          lua_pushinteger(L, e - s);
          return push_captures(&ms, nullptr, nullptr) + 2;
        }
        return push_captures(&ms, s1, e);
      }
    } while (s1++ < ms.src_end && !anchor);
  }
  luaL_pushfail(L);
  return 1;
}

int str_find(lua_State* L) { return find_or_match(L, true); }
int str_match(lua_State* L) { return find_or_match(L, false); }

struct GmatchState {
  const char* src;
  const char* p;
  const char* lastmatch;  // the end of the last match: an empty match there is skipped
  MatchState ms;
};

int gmatch_next(lua_State* L) {
  auto* gm = static_cast<GmatchState*>(lua_touserdata(L, lua_upvalueindex(3)));
  gm->ms.L = L;
  for (const char* src = gm->src; src <= gm->ms.src_end; src++) {
    restart(&gm->ms);
    const char* e = match(&gm->ms, src, gm->p);
    if (e && e != gm->lastmatch) {
      gm->src = gm->lastmatch = e;
      return push_captures(&gm->ms, src, e);
    }
  }
  return 0;
}

int str_gmatch(lua_State* L) {
  size_t ls, lp;
  const char* s = luaL_checklstring(L, 1, &ls);
  const char* p = luaL_checklstring(L, 2, &lp);
  size_t init = relative_position(luaL_optinteger(L, 3, 1), ls) - 1;
  const PatternPoll poll = poll_of(L);
  lua_settop(L, 2);  // the strings stay alive as the iterator's upvalues
  auto* gm = static_cast<GmatchState*>(lua_newuserdatauv(L, sizeof(GmatchState), 0));
  if (init > ls) init = ls + 1;  // past the end: no match
  prepare(&gm->ms, L, poll, s, ls, p, lp);
  gm->src = s + init;
  gm->p = p;
  gm->lastmatch = nullptr;
  lua_pushcclosure(L, gmatch_next, 3);
  return 1;
}

void add_replacement_string(MatchState* ms, luaL_Buffer* b, const char* s, const char* e) {
  lua_State* L = ms->L;
  size_t l;
  const char* news = lua_tolstring(L, 3, &l);
  const char* p;
  while ((p = static_cast<const char*>(std::memchr(news, kEsc, l))) != nullptr) {
    luaL_addlstring(b, news, static_cast<size_t>(p - news));
    p++;
    if (*p == kEsc) {
      luaL_addchar(b, *p);
    } else if (*p == '0') {
      luaL_addlstring(b, s, static_cast<size_t>(e - s));
    } else if (std::isdigit(uchar(*p))) {
      const char* cap;
      const size_t len = get_one_capture(ms, *p - '1', s, e, &cap);
      if (static_cast<ptrdiff_t>(len) == kPosition) luaL_addvalue(b);
      else luaL_addlstring(b, cap, len);
    } else {
      luaL_error(L, "invalid use of '%c' in replacement string", kEsc);
    }
    l -= static_cast<size_t>(p + 1 - news);
    news = p + 1;
  }
  luaL_addlstring(b, news, l);
}

// Adds the replacement of the match s..e; false when the original is kept.
bool add_value(MatchState* ms, luaL_Buffer* b, const char* s, const char* e, int type) {
  lua_State* L = ms->L;
  switch (type) {
    case LUA_TFUNCTION: {
      lua_pushvalue(L, 3);
      const int n = push_captures(ms, s, e);
      lua_call(L, n, 1);
      break;
    }
    case LUA_TTABLE:
      push_one_capture(ms, 0, s, e);
      lua_gettable(L, 3);
      break;
    default:  // a number or a string
      add_replacement_string(ms, b, s, e);
      return true;
  }
  if (!lua_toboolean(L, -1)) {
    lua_pop(L, 1);
    luaL_addlstring(b, s, static_cast<size_t>(e - s));
    return false;
  }
  if (!lua_isstring(L, -1)) luaL_error(L, "invalid replacement value (a %s)", luaL_typename(L, -1));
  luaL_addvalue(b);
  return true;
}

int str_gsub(lua_State* L) {
  size_t srcl, lp;
  const char* src = luaL_checklstring(L, 1, &srcl);
  const char* p = luaL_checklstring(L, 2, &lp);
  const char* lastmatch = nullptr;
  const int type = lua_type(L, 3);
  const lua_Integer max_s = luaL_optinteger(L, 4, static_cast<lua_Integer>(srcl) + 1);
  const bool anchor = *p == '^';
  luaL_argexpected(L, type == LUA_TNUMBER || type == LUA_TSTRING || type == LUA_TFUNCTION || type == LUA_TTABLE, 3,
                   "string/function/table");
  const PatternPoll poll = poll_of(L);
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  if (anchor) {
    p++;
    lp--;
  }
  MatchState ms;
  prepare(&ms, L, poll, src, srcl, p, lp);
  lua_Integer n = 0;
  bool changed = false;
  while (n < max_s) {
    restart(&ms);
    const char* e = match(&ms, src, p);
    if (e && e != lastmatch) {
      n++;
      changed = add_value(&ms, &b, src, e, type) || changed;
      src = lastmatch = e;
    } else if (src < ms.src_end) {
      luaL_addchar(&b, *src++);
    } else {
      break;
    }
    if (anchor) break;
  }
  if (!changed) {
    lua_pushvalue(L, 1);
  } else {
    luaL_addlstring(&b, src, static_cast<size_t>(ms.src_end - src));
    luaL_pushresult(&b);
  }
  lua_pushinteger(L, n);
  return 2;
}

}  // namespace

void install_bounded_patterns(lua_State* L, PatternPoll poll) {
  static const luaL_Reg kFunctions[] = {
      {"find", str_find}, {"match", str_match}, {"gmatch", str_gmatch}, {"gsub", str_gsub}, {nullptr, nullptr}};
  lua_getglobal(L, "string");
  *static_cast<PatternPoll*>(lua_newuserdatauv(L, sizeof(PatternPoll), 0)) = poll;
  luaL_setfuncs(L, kFunctions, 1);
  lua_pop(L, 1);
}

}  // namespace lockstep::lua
