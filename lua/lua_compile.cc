// Compiles a file of the embedded Lua library to bytecode at build time
// (lua/CMakeLists.txt), with the Lua the binary links, so that no process
// compiles the library itself: lua/embed.cmake embeds the result beside
// the source. Debug information is kept (errors name lockstep/FILE:LINE).
//
// Usage: lua_compile IN.lua NAME OUT
#include <lua.hpp>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

namespace {

int append(lua_State*, const void* p, size_t size, void* ud) {
  static_cast<std::string*>(ud)->append(static_cast<const char*>(p), size);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: lua_compile IN.lua NAME OUT\n");
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "lua_compile: cannot read %s\n", argv[1]);
    return 1;
  }
  std::ostringstream source;
  source << in.rdbuf();
  const std::string text = source.str();
  const std::string chunk = std::string("=lockstep/") + argv[2];
  lua_State* L = luaL_newstate();
  std::string code;
  int status = luaL_loadbufferx(L, text.data(), text.size(), chunk.c_str(), "t");
  if (status == LUA_OK) {
    lua_dump(L, append, &code, 0);
  } else {
    std::fprintf(stderr, "lua_compile: %s\n", lua_tostring(L, -1));
  }
  lua_close(L);
  if (status != LUA_OK) return 1;
  std::ofstream out(argv[3], std::ios::binary);
  out.write(code.data(), static_cast<std::streamsize>(code.size()));
  return out ? 0 : 1;
}
