// The embedded Lua library (lua/lib/*.lua, embedded at build time):
// compiled once per process, loaded into a scenario's state on first use.
#include "lua/library.h"

namespace lockstep::lua {

int dump_writer(lua_State*, const void* p, size_t size, void* ud) {
  static_cast<std::string*>(ud)->append(static_cast<const char*>(p), size);
  return 0;
}

const std::vector<std::string>& library_bytecode() {
  static const std::vector<std::string> compiled = [] {
    std::vector<std::string> out;
    lua_State* L = luaL_newstate();
    for (size_t i = 0; i < kEmbeddedFileCount; ++i) {
      const EmbeddedFile& f = kEmbeddedFiles[i];
      const std::string name = std::string("=lockstep/") + f.name;
      std::string code;
      if (luaL_loadbufferx(L, f.data, f.size, name.c_str(), "t") == LUA_OK) lua_dump(L, dump_writer, &code, 0);
      lua_settop(L, 0);
      out.push_back(std::move(code));
    }
    lua_close(L);
    return out;
  }();
  return compiled;
}

namespace {

// The library file defining lockstep.<name>, or -1.
int module_file(std::string_view name) {
  if (name == "task_supervisor") name = "task";
  for (size_t i = 1; i < kEmbeddedFileCount; ++i) {
    std::string_view file = kEmbeddedFiles[i].name;
    if (file.size() == name.size() + 4 && file.substr(0, name.size()) == name) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace

int load_module_on_demand(lua_State* L) {
  if (lua_type(L, 2) != LUA_TSTRING) return 0;
  const int file = module_file(lua_tostring(L, 2));
  if (file < 0) return 0;
  const std::string& code = library_bytecode()[file];
  const std::string name = std::string("=lockstep/") + kEmbeddedFiles[file].name;
  if (luaL_loadbufferx(L, code.data(), code.size(), name.c_str(), "b") != LUA_OK) return lua_error(L);
  lua_call(L, 0, 0);
  lua_rawget(L, 1);  // the key is still at 2
  return 1;
}

}  // namespace lockstep::lua
