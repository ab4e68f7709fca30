#include "lua/lint.h"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>

extern "C" {
#include <lauxlib.h>
#include <lua.h>
}

namespace lockstep::lua {
namespace {

// --- Reading a Lua 5.4 binary chunk (ldump.c / lundump.c). ---

struct Constant {
  bool is_string = false;
  std::string text;
};

struct Upvalue {
  bool instack = false;
  int index = 0;
  std::string name;
};

struct Local {
  std::string name;
  int startpc = 0, endpc = 0;
};

struct Proto {
  int id = 0;
  int parent = -1;
  int line_defined = 0;
  std::vector<uint32_t> code;
  std::vector<int> lines;  // per instruction
  std::vector<Constant> k;
  std::vector<Upvalue> upvalues;
  std::vector<int> children;  // proto ids, in the order CLOSURE numbers them
  std::vector<Local> locals;
};

class ChunkReader {
 public:
  explicit ChunkReader(std::string_view bytes) : b_(bytes) {}

  std::vector<Proto> read() {
    static const char kSignature[] = "\x1bLua";
    if (b_.substr(0, 4) != std::string_view(kSignature, 4))
      throw std::runtime_error("not a binary chunk");
    at_ = 4;
    if (byte() != 0x54 || byte() != 0) throw std::runtime_error("not a Lua 5.4 chunk");
    skip(6);  // LUAC_DATA
    if (byte() != 4) throw std::runtime_error("unexpected instruction size");
    skip(2 + 8 + 8);  // integer and number sizes, LUAC_INT, LUAC_NUM
    byte();           // main's upvalue count
    read_function(-1);
    return std::move(protos_);
  }

 private:
  uint8_t byte() {
    if (at_ >= b_.size()) throw std::runtime_error("truncated chunk");
    return static_cast<uint8_t>(b_[at_++]);
  }
  void skip(size_t n) {
    if (n > b_.size() - at_) throw std::runtime_error("truncated chunk");
    at_ += n;
  }
  uint64_t varint() {
    uint64_t x = 0;
    uint8_t b;
    do {
      b = byte();
      x = (x << 7) | (b & 0x7f);
    } while ((b & 0x80) == 0);
    return x;
  }
  std::string string() {
    const uint64_t size = varint();
    if (size == 0) return {};
    const size_t n = size - 1;
    if (n > b_.size() - at_) throw std::runtime_error("truncated chunk");
    std::string s(b_.substr(at_, n));
    at_ += n;
    return s;
  }
  size_t count() {
    const uint64_t n = varint();
    if (n > b_.size()) throw std::runtime_error("bad count");
    return static_cast<size_t>(n);
  }

  // A function's constants: strings kept, the others skipped.
  std::vector<Constant> constants() {
    std::vector<Constant> k(count());
    for (Constant& c : k) {
      switch (byte()) {
        case 0x00:
        case 0x01:
        case 0x11:
          break;  // nil, false, true
        case 0x03:
        case 0x13:
          skip(8);
          break;  // integer, float
        case 0x04:
        case 0x14:
          c.is_string = true;
          c.text = string();
          break;
        default:
          throw std::runtime_error("unknown constant");
      }
    }
    return k;
  }

  // Each instruction's line, from the relative line deltas and the
  // absolute lines that break them.
  static std::vector<int> lines(size_t n, int line_defined, const std::vector<int8_t>& lineinfo,
                                const std::map<int, int>& abs) {
    std::vector<int> out(n, line_defined);
    int line = line_defined;
    for (size_t pc = 0; pc < n && pc < lineinfo.size(); ++pc) {
      if (lineinfo[pc] == -128) {
        auto it = abs.find(static_cast<int>(pc));
        if (it != abs.end()) line = it->second;
      } else {
        line += lineinfo[pc];
      }
      out[pc] = line;
    }
    return out;
  }

  int read_function(int parent) {
    const int id = static_cast<int>(protos_.size());
    protos_.emplace_back();
    {
      Proto& p = protos_.back();
      p.id = id;
      p.parent = parent;
    }
    string();  // source
    const int line_defined = static_cast<int>(varint());
    varint();  // lastlinedefined
    skip(3);   // numparams, is_vararg, maxstacksize
    std::vector<uint32_t> code(count());
    for (uint32_t& i : code) {
      i = 0;
      for (int s = 0; s < 4; ++s) i |= static_cast<uint32_t>(byte()) << (8 * s);
    }
    std::vector<Constant> k = constants();
    std::vector<Upvalue> upvalues(count());
    for (Upvalue& u : upvalues) {
      u.instack = byte() != 0;
      u.index = byte();
      byte();  // kind
    }
    std::vector<int> children(count());
    for (int& c : children) c = read_function(id);
    std::vector<int8_t> lineinfo(count());
    for (int8_t& l : lineinfo) l = static_cast<int8_t>(byte());
    std::map<int, int> abs;
    for (size_t n = count(); n > 0; --n) {
      const int pc = static_cast<int>(varint());
      abs[pc] = static_cast<int>(varint());
    }
    std::vector<Local> locals(count());
    for (Local& l : locals) {
      l.name = string();
      l.startpc = static_cast<int>(varint());
      l.endpc = static_cast<int>(varint());
    }
    const size_t names = count();
    for (size_t i = 0; i < names; ++i) {
      std::string name = string();
      if (i < upvalues.size()) upvalues[i].name = std::move(name);
    }
    Proto& p = protos_[id];
    p.line_defined = line_defined;
    p.lines = lines(code.size(), line_defined, lineinfo, abs);
    p.code = std::move(code);
    p.k = std::move(k);
    p.upvalues = std::move(upvalues);
    p.children = std::move(children);
    p.locals = std::move(locals);
    return id;
  }

  std::string_view b_;
  size_t at_ = 0;
  std::vector<Proto> protos_;
};

// --- Lua 5.4 instructions (lopcodes.h). ---
enum Op : uint8_t {
  kLoadK = 3,
  kGetUpval = 9,
  kSetUpval = 10,
  kGetTabUp = 11,
  kGetField = 14,
  kSetTabUp = 15,
  kSetTable = 16,
  kSetI = 17,
  kSetField = 18,
  kSelf = 20,
  kJmp = 56,
  kCall = 68,
  kTailCall = 69,
  kForLoop = 73,
  kTForLoop = 77,
  kClosure = 79,
};
int op_of(uint32_t i) { return static_cast<int>(i & 0x7f); }
int arg_a(uint32_t i) { return static_cast<int>((i >> 7) & 0xff); }
int arg_k(uint32_t i) { return static_cast<int>((i >> 15) & 1); }
int arg_b(uint32_t i) { return static_cast<int>((i >> 16) & 0xff); }
int arg_c(uint32_t i) { return static_cast<int>((i >> 24) & 0xff); }
int arg_bx(uint32_t i) { return static_cast<int>(i >> 15); }
int arg_sj(uint32_t i) { return static_cast<int>(i >> 7) - ((1 << 25) - 1) / 2; }
// Whether an instruction reads register r as a plain operand (a close
// approximation: moves, field and index reads, arithmetic, comparisons,
// tests, table writes into r, calls and returns of a range holding r).
bool reads_register(uint32_t i, int r) {
  const int op = op_of(i), a = arg_a(i), b = arg_b(i), c = arg_c(i);
  switch (op) {
    case 0:
    case 12:
    case 13:
    case 14:
    case 20:
    case 49:
    case 50:
    case 51:
    case 52:  // MOVE, GET*, SELF, unary
      return b == r;
    case 16:
    case 17:
    case 18:  // SETTABLE, SETI, SETFIELD: into the table in A
      return a == r || (!arg_k(i) && c == r);
    case 57:
    case 58:
    case 59:
    case 60:
    case 61:
    case 62:
    case 63:
    case 64:
    case 65:
    case 66:  // compare, TEST
      return a == r || ((op == 57 || op == 58 || op == 59) && b == r);
    case 67:
      return b == r;  // TESTSET
    case 68:
    case 69:
    case 70:  // CALL, TAILCALL, RETURN: the range from A
      return r >= a && (b == 0 || r < a + b);
    case 72:
      return a == r;  // RETURN1
    default:
      if (op >= 21 && op <= 33) return b == r;            // arithmetic with a constant
      if (op >= 34 && op <= 45) return b == r || c == r;  // arithmetic on registers
      return false;
  }
}
// Instructions that do not write register A.
bool writes_a(int op) {
  switch (op) {
    case kSetUpval:
    case kSetTabUp:
    case kSetTable:
    case kSetI:
    case kSetField:
    case 56:
    case 57:
    case 58:
    case 59:
    case 60:
    case 61:
    case 62:
    case 63:
    case 64:
    case 65:
    case 66:  // jumps, tests
    case 70:
    case 71:
    case 72:
    case 78:  // returns, SETLIST
      return false;
    default:
      return true;
  }
}

// Calls whose function arguments run as processes of their own: spawns,
// spawns on nodes (ls.cluster.run is spawn_on), and ls.rpc's calls.
const std::set<std::string> kSpawns = {"spawn",           "spawn_link", "spawn_monitor", "spawn_on",
                                       "spawn_link_on",   "spawn_monitor_on", "run",     "call",
                                       "call_timeout",    "cast"};
const std::set<std::string> kEffects = {"send",
                                        "spawn",
                                        "spawn_link",
                                        "spawn_monitor",
                                        "insert",
                                        "insert_new",
                                        "delete",
                                        "take",
                                        "update_counter",
                                        "update_element",
                                        "put",
                                        "add",
                                        "add_get",
                                        "sub",
                                        "sub_get",
                                        "exchange",
                                        "compare_exchange",
                                        "erase",
                                        "register",
                                        "unregister",
                                        "log",
                                        "print",
                                        "exit",
                                        "link",
                                        "monitor",
                                        "send_after"};

// A variable captured by closures: the function that declared it, its
// register there, and its name.
struct Var {
  int proto = 0;
  int reg = 0;
  std::string name;
  auto operator<=>(const Var&) const = default;
};

class Linter {
 public:
  Linter(std::vector<Proto> protos, std::string file)
      : p_(std::move(protos)), file_(std::move(file)) {}

  std::vector<LintWarning> run() {
    calls();
    goals_outside_tests();
    for (const Proto& p : p_) scan(p);
    shared_locals();
    std::sort(out_.begin(), out_.end(), [](const LintWarning& a, const LintWarning& b) {
      return a.line != b.line ? a.line < b.line : a.check < b.check;
    });
    out_.erase(std::unique(out_.begin(), out_.end(),
                           [](const LintWarning& a, const LintWarning& b) {
                             return a.line == b.line && a.check == b.check &&
                                    a.message == b.message;
                           }),
               out_.end());
    return std::move(out_);
  }

 private:
  void warn(int line, const char* check, std::string message) {
    out_.push_back({file_, line, check, std::move(message)});
  }
  std::string key(const Proto& p, int index) const {
    return index >= 0 && index < static_cast<int>(p.k.size()) && p.k[index].is_string
               ? p.k[index].text
               : "";
  }
  std::string upvalue_name(const Proto& p, int index) const {
    return index < static_cast<int>(p.upvalues.size()) ? p.upvalues[index].name : "";
  }

  // A goal named by a literal in a function outside every test's function
  // (a helper at the top level): a test's goals are found in its source
  // before any run, but this one only once its line runs.
  void goals_outside_tests() {
    for (const auto& [proto, line] : goals_) {
      bool inside = false;
      for (int q = proto; q >= 0 && !inside; q = p_[static_cast<size_t>(q)].parent) inside = tests_.count(q) > 0;
      if (inside) continue;
      warn(line, "goal-outside-test",
           "a goal in a function outside every test's function is known only once its line runs: if no run "
           "reaches it, no report says it was never met (call it in the test's function, or in a function "
           "defined inside it)");
    }
  }

  // Which closures are process bodies (passed to spawn or ls.test), and
  // which are receive match functions: found at the call that takes them.
  void calls() {
    for (const Proto& p : p_) {
      std::map<int, std::string> named;  // register -> the field or global it holds
      std::map<int, int> closure;        // register -> proto id
      std::set<int> literal;             // registers holding a string constant
      for (size_t pc = 0; pc < p.code.size(); ++pc) {
        const uint32_t i = p.code[pc];
        const int op = op_of(i), a = arg_a(i);
        if (op == kCall || op == kTailCall) {
          const auto fn = named.find(a);
          if (fn != named.end() && (fn->second == "sometimes" || fn->second == "reachable")) {
            if (!literal.count(a + 1)) {
              warn(p.lines[pc], "goal-name",
                   "a goal named by an expression is known only once its line runs: if it never runs, no report "
                   "says so (name it with a string literal inside the test's function)");
            } else {
              goals_.emplace_back(p.id, p.lines[pc]);
            }
          }
          if (fn != named.end()) {
            const int last = arg_b(i) == 0 ? a + 16 : a + arg_b(i) - 1;
            for (int r = a + 1; r <= last; ++r) {
              auto c = closure.find(r);
              if (c == closure.end()) continue;
              if (fn->second == "test") tests_.insert(c->second);
              if (kSpawns.count(fn->second) || fn->second == "test") {
                body_.insert(c->second);
                if (in_loop(p, static_cast<int>(pc))) many_.insert(c->second);
              }
              if (fn->second == "invariant") observer_.insert(c->second);
              if (fn->second == "receive" && r == a + 1) match_.emplace(c->second, p.lines[pc]);
            }
          }
          for (auto it = named.lower_bound(a); it != named.end();) it = named.erase(it);
          for (auto it = closure.lower_bound(a); it != closure.end();) it = closure.erase(it);
          for (auto it = literal.lower_bound(a); it != literal.end();) it = literal.erase(it);
          continue;
        }
        if (!writes_a(op)) continue;
        named.erase(a);
        closure.erase(a);
        literal.erase(a);
        if (op == kLoadK && !key(p, arg_bx(i)).empty()) literal.insert(a);
        if (op == kGetField)
          named[a] = key(p, arg_c(i));
        else if (op == kGetTabUp)
          named[a] = key(p, arg_c(i));
        else if (op == kSelf && arg_k(i))
          named[a] = key(p, arg_c(i)), named.erase(a + 1), closure.erase(a + 1);
        else if (op == kClosure && arg_bx(i) < static_cast<int>(p.children.size()))
          closure[a] = p.children[arg_bx(i)];
      }
    }
  }

  // Whether instruction `pc` is inside a loop (a backward jump spans it).
  static bool in_loop(const Proto& p, int pc) {
    for (int j = pc; j < static_cast<int>(p.code.size()); ++j) {
      const uint32_t i = p.code[j];
      int target = j + 1;
      if (op_of(i) == kJmp)
        target = j + 1 + arg_sj(i);
      else if (op_of(i) == kForLoop || op_of(i) == kTForLoop)
        target = j + 1 - arg_bx(i);
      if (target <= pc) return true;
    }
    return false;
  }

  // The process body a function runs in: itself or the nearest enclosing
  // body; -1 when unknown (a helper any process may call, or an invariant,
  // which observes between steps and is no process).
  int process_of(int proto) const {
    for (int p = proto; p >= 0; p = p_[p].parent) {
      if (observer_.count(p)) return -1;
      if (body_.count(p)) return p;
    }
    return -1;
  }

  // Whether the function that declared `v` reads or writes it itself after
  // handing it to a closure.
  bool declarer_uses(const Var& v) const {
    if (v.reg < 0) return false;
    const Proto& p = p_[v.proto];
    bool captured = false;
    for (const uint32_t i : p.code) {
      if (op_of(i) == kClosure && arg_bx(i) < static_cast<int>(p.children.size())) {
        for (const Upvalue& u : p_[p.children[arg_bx(i)]].upvalues)
          captured |= u.instack && u.index == v.reg;
        continue;
      }
      if (captured && reads_register(i, v.reg)) return true;
    }
    return false;
  }

  // Where a function's upvalue comes from.
  Var origin(int proto, int index) const {
    const Proto& p = p_[proto];
    const Upvalue& u = p.upvalues[index];
    if (p.parent < 0) return {-1, index, u.name};  // the main chunk's _ENV
    if (u.instack) return {p.parent, u.index, u.name};
    if (u.index < static_cast<int>(p_[p.parent].upvalues.size())) return origin(p.parent, u.index);
    return {p.parent, -1 - u.index, u.name};
  }

  void scan(const Proto& p) {
    const bool main = p.parent < 0;
    const auto match = match_.find(p.id);
    std::map<int, Var> from_upvalue;  // register -> the captured table it holds
    for (size_t pc = 0; pc < p.code.size(); ++pc) {
      const uint32_t i = p.code[pc];
      const int op = op_of(i), a = arg_a(i), line = p.lines[pc];
      if (op == kGetTabUp && upvalue_name(p, arg_b(i)) == "_ENV") {
        const std::string name = key(p, arg_c(i));
        if (name == "os" || name == "io") {
          warn(line, "os-io",
               "'" + name + "' is outside the scheduler: its clock, files and processes are not " +
                   "controlled or replayed (use ls.now, ls.random_int, ls.disk)");
        } else if (name == "coroutine") {
          warn(line, "coroutine",
               "a coroutine resumed by hand hides the sync points inside it from the reader; "
               "prefer a process "
               "(ls.spawn) so each step is scheduled");
        }
      }
      if (op == kSetTabUp && upvalue_name(p, a) == "_ENV" && !main) {
        warn(line, "global-write",
             "global '" + key(p, arg_b(i)) + "' assigned inside a function: every process " +
                 "sees one global table and the scheduler does not see the accesses " +
                 "(use a local, an ETS table or ls.atomics)");
      }
      if (op == kGetUpval)
        from_upvalue[a] = origin(p.id, arg_b(i));
      else if (writes_a(op) && op != kCall)
        from_upvalue.erase(a);
      if (op == kGetUpval) access(origin(p.id, arg_b(i)), p.id, line, false);
      if (op == kSetUpval) access(origin(p.id, arg_b(i)), p.id, line, true);
      if (op == kSetTabUp && upvalue_name(p, a) != "_ENV")
        access(origin(p.id, a), p.id, line, true);
      if ((op == kSetField || op == kSetTable || op == kSetI) && from_upvalue.count(a)) {
        access(from_upvalue[a], p.id, line, true);
      }
      if (match != match_.end()) {
        std::string effect;
        if (op == kSetUpval)
          effect = "assigns the captured variable '" + upvalue_name(p, arg_b(i)) + "'";
        if (op == kSetTabUp) effect = "assigns '" + key(p, arg_b(i)) + "'";
        if ((op == kGetField || op == kSelf || op == kGetTabUp) &&
            kEffects.count(key(p, arg_c(i)))) {
          effect = "calls " + key(p, arg_c(i));
        }
        if (!effect.empty()) {
          warn(line, "impure-match",
               "the receive match function (line " + std::to_string(match->second) + ") " + effect +
                   ": a match function runs once per message tested, so it " +
                   "must only look at the message");
        }
      }
    }
  }

  struct Access {
    int proto, line;
    bool writes;
  };
  void access(const Var& v, int proto, int line, bool writes) {
    if (v.proto < 0 || v.name.empty() || v.name == "_ENV") return;
    accesses_[v].push_back({proto, line, writes});
  }

  // A captured local that one process writes and another touches: memory
  // the processes share without the scheduler seeing it (SPEC 5.9).
  void shared_locals() {
    for (const auto& [var, list] : accesses_) {
      std::set<int> processes;
      bool many = false;  // one body spawned in a loop: several processes
      const int declared_in = process_of(var.proto);
      if (declared_in >= 0 && declarer_uses(var)) processes.insert(declared_in);
      for (const Access& a : list) {
        const int proc = process_of(a.proto);
        if (proc < 0) continue;
        processes.insert(proc);
        many |= many_.count(proc) > 0 && proc != declared_in;
      }
      if (processes.size() < 2 && !many) continue;
      for (const Access& a : list) {
        if (!a.writes || process_of(a.proto) < 0) continue;
        warn(a.line, "shared-local",
             "'" + var.name + "' (a local of the function at line " +
                 std::to_string(p_[var.proto].line_defined) +
                 ") is written here and used by another process: processes sharing a Lua variable "
                 "race without " +
                 "the scheduler seeing it (send it in a message, or use an ETS table or "
                 "ls.atomics)");
      }
    }
  }

  std::vector<Proto> p_;
  std::string file_;
  std::set<int> tests_;       // closures passed to ls.test
  std::vector<std::pair<int, int>> goals_;  // goals named by a literal: (proto, line)
  std::set<int> body_;        // closures that run as a process
  std::set<int> many_;        // ... spawned in a loop
  std::set<int> observer_;    // closures passed to ls.invariant
  std::map<int, int> match_;  // receive match function -> line of the receive
  std::map<Var, std::vector<Access>> accesses_;
  std::vector<LintWarning> out_;
};

int writer(lua_State*, const void* p, size_t size, void* ud) {
  static_cast<std::string*>(ud)->append(static_cast<const char*>(p), size);
  return 0;
}

}  // namespace

const std::vector<std::pair<std::string, std::string>>& lint_checks() {
  static const std::vector<std::pair<std::string, std::string>> kChecks = {
      {"shared-local", "a local captured by closures, written by one process and used by another"},
      {"global-write",
       "a global assigned inside a function (all processes share the global table)"},
      {"os-io", "use of os or io (clock, files, processes outside the scheduler)"},
      {"goal-name", "a goal (ls.sometimes, ls.reachable) named by an expression: never reported if it never runs"},
      {"goal-outside-test",
       "a goal in a function outside every test's function: never reported if no run reaches it"},
      {"coroutine", "coroutines driven by hand, which hide sync points"},
      {"impure-match", "a receive match function with side effects"},
  };
  return kChecks;
}

Result<std::vector<LintWarning>> lint_source(const std::string& source, const std::string& name) {
  lua_State* L = luaL_newstate();
  if (!L) return Status::ResourceExhausted("cannot create a Lua state");
  std::string chunk;
  const int loaded = luaL_loadbufferx(L, source.data(), source.size(), ("@" + name).c_str(), "t");
  if (loaded != LUA_OK) {
    std::string message = lua_tostring(L, -1) ? lua_tostring(L, -1) : "cannot compile";
    lua_close(L);
    return Status::LoadError(message);
  }
  lua_dump(L, writer, &chunk, 0);
  lua_close(L);
  try {
    return Linter(ChunkReader(chunk).read(), name).run();
  } catch (const std::exception& e) {
    return Status::LoadError(name + ": cannot read the compiled chunk (" + e.what() + ")");
  }
}

Result<std::vector<LintWarning>> lint_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IoError(path + ": cannot read");
  std::stringstream ss;
  ss << in.rdbuf();
  return lint_source(ss.str(), path);
}

}  // namespace lockstep::lua
