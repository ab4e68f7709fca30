// LuaProgram: a scenario file as the engine sees it (engine/program.h):
// compiled once, its top level run once per worker and saved, each
// iteration started from the saved state.
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "engine/base/hash.h"
#include "lua/guest.h"
#include "lua/library.h"

namespace lockstep::lua {

// Saved after a full collection: every iteration then starts a fresh
// collector cycle with the load's garbage gone, rather than resuming one
// the load left half done (marking the whole saved state again each time).
void LuaProgram::save_snapshot() {
  lua_gc(guest_->state(), LUA_GCCOLLECT);
  arena_.save();
  guest_->save();
}

LuaProgram::~LuaProgram() {
  vm_.reset();
  guest_.reset();
}

Result<std::unique_ptr<Program>> LuaProgram::load(const std::string& path,
                                                  std::chrono::milliseconds top_level_bound) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return Status::InvalidArgument(path + ": no such file");
  if (std::filesystem::is_directory(path, ec)) return Status::InvalidArgument(path + ": is a directory");
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::InvalidArgument(path + ": cannot read: " + std::strerror(errno));
  std::ostringstream buf;
  buf << in.rdbuf();

  std::unique_ptr<LuaProgram> program;
  try {
    program.reset(new LuaProgram());
  } catch (const std::exception& e) {  // the arena could not be reserved
    return Status::ResourceExhausted(path + ": " + e.what());
  }
  Script& s = program->script_;
  s.path = path;
  s.source = buf.str();
  s.hash = fnv1a(s.source);
  s.dir = std::filesystem::path(path).parent_path().string();

  // Compile once; every iteration loads the bytecode.
  lua_State* L = luaL_newstate();
  if (!L) return Status::LoadError(path + ": out of memory");
  const int status = luaL_loadbufferx(L, s.source.data(), s.source.size(), ("@" + path).c_str(), "t");
  if (status != LUA_OK) {
    std::string msg = lua_tostring(L, -1);
    lua_close(L);
    return Status::LoadError(msg);
  }
  lua_dump(L, dump_writer, &s.bytecode, 0);
  lua_close(L);

  program->guest_ = std::make_unique<LuaGuest>(program->arena_, program->stacks_, top_level_bound);
  Status opened = program->guest_->open(s);
  if (!opened.ok()) return opened;
  for (const auto& t : program->guest_->declared()) program->tests_.push_back({t.name, t.options, t.goals});
  // This state, just after the top level, is where every iteration starts.
  if (program->guest_->can_snapshot()) program->save_snapshot();
  else program->guest_.reset();
  if (program->tests_.empty()) {
    return Status::LoadError(path + ": no tests declared (declare them with lockstep.test(name, fn))");
  }
  return std::unique_ptr<Program>(std::move(program));
}

Result<System*> LuaProgram::start(size_t index, const RunOptions& options) {
  const bool reuse = guest_ && arena_.saved();
  if (reuse) {
    guest_->rewind();
  } else {
    vm_.reset();
    guest_.reset();
    arena_.reset();
    guest_ = std::make_unique<LuaGuest>(arena_, stacks_, std::chrono::milliseconds(options.iter_timeout_ms));
    Status opened = guest_->open(script_);
    if (!opened.ok()) return opened;
    if (index >= guest_->declared().size() || guest_->declared()[index].name != tests_[index].name) {
      return Status::LoadError(script_.path + ": the scenario declared different tests when loaded again "
                                              "(its top level must be deterministic)");
    }
    if (guest_->can_snapshot()) save_snapshot();
  }
  arena_.set_limit(static_cast<size_t>(std::min<uint64_t>(options.max_memory_mb, uint64_t{1} << 40) << 20));
  arena_.clear_limit_hit();
  guest_->begin_iteration(std::chrono::milliseconds(options.iter_timeout_ms));
  vm::VmOptions vo;
  vo.timers = options.timers;
  vo.allow_crashes = options.allow_crashes;
  vo.reorder = options.network == NetworkMode::kReorder;
  vo.faults = options.faults;
  vo.root_waits = options.root_waits;
  vo.max_log_bytes = static_cast<size_t>(std::min<uint64_t>(options.max_memory_mb, uint64_t{1} << 40) << 18);
  if (vm_) vm_->reset(vo);
  else vm_ = std::make_unique<vm::Vm>(*guest_, vo);
  guest_->attach(vm_.get());
  vm_->start_root(guest_->test_body(index));
  return static_cast<System*>(vm_.get());
}

}  // namespace lockstep::lua
