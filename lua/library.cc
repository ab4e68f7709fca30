// The embedded Lua library (lua/lib/*.lua, embedded at build time with its
// bytecode): the prelude loaded into every state, each module when a state
// first uses it.
#include "lua/library.h"

#include <cctype>

namespace lockstep::lua {

int dump_writer(lua_State*, const void* p, size_t size, void* ud) {
  static_cast<std::string*>(ud)->append(static_cast<const char*>(p), size);
  return 0;
}

std::string_view library_bytecode(size_t file) {
  return {kEmbeddedFiles[file].code, kEmbeddedFiles[file].code_size};
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

bool names_word(std::string_view text, std::string_view word) {
  auto ident = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  for (size_t at = text.find(word); at != std::string_view::npos; at = text.find(word, at + 1)) {
    const size_t end = at + word.size();
    if ((at == 0 || !ident(text[at - 1])) && (end == text.size() || !ident(text[end]))) return true;
  }
  return false;
}

}  // namespace

void preload_modules_named_in(lua_State* L, std::string_view source) {
  std::vector<bool> wanted(kEmbeddedFileCount, false);
  std::vector<std::string_view> texts{source};
  for (size_t t = 0; t < texts.size(); ++t) {  // the scenario, then each module it names
    for (size_t i = 1; i < kEmbeddedFileCount; ++i) {
      std::string_view name = kEmbeddedFiles[i].name;
      name.remove_suffix(4);  // ".lua"
      if (wanted[i] || !names_word(texts[t], name)) continue;
      wanted[i] = true;
      texts.emplace_back(kEmbeddedFiles[i].data, kEmbeddedFiles[i].size);
    }
  }
  lua_getglobal(L, "lockstep");
  for (size_t i = 1; i < kEmbeddedFileCount; ++i) {
    if (!wanted[i]) continue;
    std::string_view name = kEmbeddedFiles[i].name;
    name.remove_suffix(4);
    lua_getfield(L, -1, std::string(name).c_str());  // loads it (load_module_on_demand)
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
}

int load_module_on_demand(lua_State* L) {
  if (lua_type(L, 2) != LUA_TSTRING) return 0;
  const int file = module_file(lua_tostring(L, 2));
  if (file < 0) return 0;
  const std::string_view code = library_bytecode(static_cast<size_t>(file));
  const std::string name = std::string("=lockstep/") + kEmbeddedFiles[file].name;
  if (luaL_loadbufferx(L, code.data(), code.size(), name.c_str(), "b") != LUA_OK) return lua_error(L);
  lua_call(L, 0, 0);
  lua_rawget(L, 1);  // the key is still at 2
  return 1;
}

}  // namespace lockstep::lua
