// Nodes, the network and cluster-wide names (SPEC 5.7; docs/cluster.md):
// ls.spawn_on, ls.node, ls.cluster.*, ls.global.*, ls.disk.*. A node is named by a
// string, and a node handle is that string. ls.rpc is Lua (lib/rpc.lua).
#include <cstring>
#include <string>
#include <vector>

#include "lua/guest.h"

namespace lockstep::lua {
namespace {

LuaGuest& G(lua_State* L) { return LuaGuest::of(L); }

// A known node, named by a string.
vm::NodeId check_node(lua_State* L, int idx) {
  if (lua_type(L, idx) != LUA_TSTRING) luaL_typeerror(L, idx, "node (its name, a string)");
  const vm::NodeId node = G(L).vm().find_node(lua_tostring(L, idx));
  if (node == vm::kLocalNode) {
    luaL_argerror(L, idx, lua_pushfstring(L, "no node is named \"%s\" (start it with ls.cluster.start_nodes)",
                                          lua_tostring(L, idx)));
  }
  return node;
}

// A group of nodes: one name, or a list of names (checked when the step
// runs, since nodes are started by steps).
std::vector<vm::NameId> check_group(lua_State* L, int idx, const char* what) {
  std::vector<vm::NameId> out;
  vm::Vm& vm = G(L).vm();
  if (lua_type(L, idx) == LUA_TSTRING) {
    out.push_back(vm.intern(lua_tostring(L, idx)));
    return out;
  }
  if (lua_type(L, idx) != LUA_TTABLE) luaL_typeerror(L, idx, "node or list of nodes");
  const auto n = static_cast<lua_Integer>(lua_rawlen(L, idx));
  if (n > 1024) luaL_argerror(L, idx, "more nodes than a cluster can have (1024)");
  for (lua_Integer i = 1; i <= n; ++i) {
    lua_rawgeti(L, idx, i);
    if (lua_type(L, -1) != LUA_TSTRING || lua_rawlen(L, -1) == 0) {
      luaL_error(L, "%s: element %d of the node list is not a node name", what, static_cast<int>(i));
    }
    out.push_back(vm.intern(lua_tostring(L, -1)));
    lua_pop(L, 1);
  }
  return out;
}

// The first argument of spawn_on and its kin: a node, or {node = ...,
// register = name} to register the new process on that node in the
// spawn's own step.
int spawn_on(lua_State* L, vm::Vm::SpawnMode mode, const char* fn) {
  G(L).need_process(L, fn);
  if (lua_type(L, 1) != LUA_TTABLE) return spawn_impl(L, mode, fn, 2, check_node(L, 1));
  lua_getfield(L, 1, "node");
  const vm::NodeId node = check_node(L, -1);
  vm::NameId name = 0;
  if (lua_getfield(L, 1, "register") != LUA_TNIL) name = G(L).vm().intern(check_name(L, -1));
  lua_pop(L, 2);
  return spawn_impl(L, mode, fn, 2, node, name);
}

// spawn_on(node | {node = n, register = name}, fn, ...) -> pid
int l_spawn_on(lua_State* L) { return spawn_on(L, vm::Vm::SpawnMode::kPlain, "spawn_on"); }
// spawn_link_on(node | {...}, fn, ...) -> pid
int l_spawn_link_on(lua_State* L) { return spawn_on(L, vm::Vm::SpawnMode::kLink, "spawn_link_on"); }
// spawn_monitor_on(node | {...}, fn, ...) -> pid, ref
int l_spawn_monitor_on(lua_State* L) { return spawn_on(L, vm::Vm::SpawnMode::kMonitor, "spawn_monitor_on"); }

// node([pid]) -> the node's name
int l_node(lua_State* L) {
  LuaGuest& g = G(L);
  g.need_iteration_or_invariant(L, "node");
  vm::Pid pid = vm::kRootPid;
  if (!lua_isnoneornil(L, 1)) {
    pid = g.check_pid(L, 1);
  } else if (g.vm().in_process()) {
    pid = g.vm().self();
  }
  lua_pushstring(L, g.vm().node_name(g.vm().node_of(pid)).c_str());
  return 1;
}

// cluster._start_nodes(names[, boot]) -> true (lib/prelude.lua returns the
// names). With `boot`, each node runs boot(node) in a process of its own
// whenever it starts: now, and after every restart.
int l_start_nodes(lua_State* L) {
  LuaGuest& g = G(L);
  g.need_process(L, "cluster.start_nodes");
  luaL_checktype(L, 1, LUA_TTABLE);
  std::vector<vm::NameId> names = check_group(L, 1, "cluster.start_nodes");
  if (names.empty()) luaL_argerror(L, 1, "no node names given");
  std::vector<vm::ValueRef> boots;
  if (!lua_isnoneornil(L, 2)) {
    luaL_checktype(L, 2, LUA_TFUNCTION);
    luaL_checkstack(L, 4, "cluster.start_nodes");
    for (size_t i = 0; i < names.size(); ++i) {  // a spawn body: {boot, node, n = 1}
      lua_createtable(L, 2, 1);
      lua_pushvalue(L, 2);
      lua_rawseti(L, -2, 1);
      lua_rawgeti(L, 1, static_cast<lua_Integer>(i + 1));
      lua_rawseti(L, -2, 2);
      lua_pushinteger(L, 1);
      lua_setfield(L, -2, "n");
      boots.push_back(g.store(L, -1));
      lua_pop(L, 1);
    }
  }
  g.vm().post_start_nodes(std::move(names), std::move(boots));
  return g.suspend(L);
}

int l_stop_node(lua_State* L) {
  LuaGuest& g = G(L);
  g.need_process(L, "cluster.stop_node");
  if (lua_type(L, 1) != LUA_TSTRING) luaL_typeerror(L, 1, "node (its name, a string)");
  g.vm().post_stop_node(g.vm().intern(lua_tostring(L, 1)));
  return g.suspend(L);
}

int l_start_node(lua_State* L) {
  LuaGuest& g = G(L);
  g.need_process(L, "cluster.start_node");
  if (lua_type(L, 1) != LUA_TSTRING) luaL_typeerror(L, 1, "node (its name, a string)");
  g.vm().post_start_node(g.vm().intern(lua_tostring(L, 1)));
  return g.suspend(L);
}

// Reads {mode = "defer"|"drop", oneway = bool} at `idx`.
void check_partition_options(lua_State* L, int idx, vm::Cut& mode, bool& oneway) {
  mode = vm::Cut::kDefer;
  oneway = false;
  if (lua_isnoneornil(L, idx)) return;
  luaL_checktype(L, idx, LUA_TTABLE);
  lua_pushnil(L);
  while (lua_next(L, idx) != 0) {
    const char* key = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : "";
    if (std::strcmp(key, "mode") == 0) {
      const char* m = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "";
      if (std::strcmp(m, "defer") == 0) {
        mode = vm::Cut::kDefer;
      } else if (std::strcmp(m, "drop") == 0) {
        mode = vm::Cut::kDrop;
      } else {
        luaL_error(L, "partition: mode must be \"defer\" or \"drop\"");
      }
    } else if (std::strcmp(key, "oneway") == 0) {
      oneway = lua_toboolean(L, -1);
    } else {
      luaL_error(L, "partition: unknown option \"%s\" (options: mode, oneway)", key);
    }
    lua_pop(L, 1);
  }
}

// cluster.partition(group_a, group_b, [{mode = "defer"|"drop", oneway = false}])
int l_partition(lua_State* L) {
  LuaGuest& g = G(L);
  g.need_process(L, "cluster.partition");
  std::vector<vm::NameId> a = check_group(L, 1, "cluster.partition");
  std::vector<vm::NameId> b = check_group(L, 2, "cluster.partition");
  if (a.empty() || b.empty()) luaL_error(L, "cluster.partition: each side needs at least one node");
  vm::Cut mode;
  bool oneway;
  check_partition_options(L, 3, mode, oneway);
  g.vm().post_partition(std::move(a), std::move(b), mode, oneway);
  return g.suspend(L);
}

// cluster.isolate(node, [options]): cut it from every other node.
int l_isolate(lua_State* L) {
  LuaGuest& g = G(L);
  g.need_process(L, "cluster.isolate");
  std::vector<vm::NameId> a = check_group(L, 1, "cluster.isolate");
  if (a.empty()) luaL_error(L, "cluster.isolate: no node given");
  vm::Cut mode;
  bool oneway;
  check_partition_options(L, 2, mode, oneway);
  g.vm().post_partition(std::move(a), {}, mode, oneway);
  return g.suspend(L);
}

// cluster.heal(): heal everything; heal(a, [b]): between a and b (or every
// other node).
int l_heal(lua_State* L) {
  LuaGuest& g = G(L);
  g.need_process(L, "cluster.heal");
  std::vector<vm::NameId> a, b;
  if (!lua_isnoneornil(L, 1)) a = check_group(L, 1, "cluster.heal");
  if (!lua_isnoneornil(L, 2)) b = check_group(L, 2, "cluster.heal");
  if (a.empty() && !b.empty()) luaL_error(L, "cluster.heal: the first group is empty");
  g.vm().post_heal(std::move(a), std::move(b));
  return g.suspend(L);
}

// cluster.faults(on): whether the strategy may inject new faults from now
// on (the test's `faults` budget); restarts and heals of earlier faults
// stay possible. Not a sync point: it changes only what the scheduler is
// offered after this step.
int l_faults(lua_State* L) {
  LuaGuest& g = G(L);
  g.need_process(L, "cluster.faults");
  luaL_checktype(L, 1, LUA_TBOOLEAN);
  g.vm().set_faults_enabled(lua_toboolean(L, 1));
  return 0;
}

const char* check_global_name(lua_State* L, int idx) {
  if (lua_type(L, idx) != LUA_TSTRING || lua_rawlen(L, idx) == 0) luaL_typeerror(L, idx, "non-empty string (a name)");
  return lua_tostring(L, idx);
}

int l_global_register(lua_State* L) {
  LuaGuest& g = G(L);
  g.need_process(L, "global.register_name");
  const char* name = check_global_name(L, 1);
  const vm::Pid pid = g.check_pid(L, 2);
  g.vm().post_global_register(g.vm().intern(name), pid);
  return g.suspend(L);
}

int l_global_unregister(lua_State* L) {
  LuaGuest& g = G(L);
  g.need_process(L, "global.unregister_name");
  g.vm().post_global_unregister(g.vm().intern(check_global_name(L, 1)));
  return g.suspend(L);
}

int l_global_whereis(lua_State* L) {
  LuaGuest& g = G(L);
  g.need_process(L, "global.whereis_name");
  g.vm().post_global_whereis(g.vm().intern(check_global_name(L, 1)));
  return g.suspend(L);
}

int l_global_send(lua_State* L) {
  LuaGuest& g = G(L);
  g.need_process(L, "global.send");
  const char* name = check_global_name(L, 1);
  luaL_checkany(L, 2);
  const vm::NameId id = g.vm().intern(name);
  const vm::ValueRef msg = g.store_copy(L, 2, "the message");
  g.vm().post_global_send(id, msg);
  return g.suspend(L);
}

// --- disk: the caller's node's durable store ------------------------------

int l_disk_put(lua_State* L) {
  LuaGuest& g = G(L);
  g.need_process(L, "disk.put");
  luaL_checkany(L, 2);
  {  // nothing owning may be alive across suspend (lua/fiber.h)
    std::string key = g.encode_key(L, 1);
    std::string text = g.render_at(L, 1, 80);
    const vm::ValueRef v = g.store_copy(L, 2, "the value");
    g.vm().post_disk_put(std::move(key), std::move(text), v);
  }
  return g.suspend(L);
}

// get(key, [default]) -> the value, the default, or nil
int l_disk_get(lua_State* L) {
  LuaGuest& g = G(L);
  g.need_process(L, "disk.get");
  const bool has_default = lua_gettop(L) >= 2;
  {
    std::string key = g.encode_key(L, 1);
    std::string text = g.render_at(L, 1, 80);
    const vm::ValueRef fallback = has_default ? g.store_copy(L, 2, "the default") : 0;
    g.vm().post_disk_get(std::move(key), std::move(text), fallback, has_default);
  }
  return g.suspend(L);
}

int l_disk_delete(lua_State* L) {
  LuaGuest& g = G(L);
  g.need_process(L, "disk.delete");
  {
    std::string key = g.encode_key(L, 1);
    std::string text = g.render_at(L, 1, 80);
    g.vm().post_disk_delete(std::move(key), std::move(text));
  }
  return g.suspend(L);
}

int l_disk_sync(lua_State* L) {
  LuaGuest& g = G(L);
  g.need_process(L, "disk.sync");
  g.vm().post_disk_sync();
  return g.suspend(L);
}

const luaL_Reg kDiskLib[] = {
    {"put", l_disk_put},
    {"get", l_disk_get},
    {"delete", l_disk_delete},
    {"sync", l_disk_sync},
    {nullptr, nullptr},
};

const luaL_Reg kClusterLib[] = {
    {"_start_nodes", l_start_nodes},
    {"stop_node", l_stop_node},
    {"start_node", l_start_node},
    {"partition", l_partition},
    {"isolate", l_isolate},
    {"heal", l_heal},
    {"faults", l_faults},
    {nullptr, nullptr},
};

const luaL_Reg kGlobalLib[] = {
    {"register_name", l_global_register},
    {"unregister_name", l_global_unregister},
    {"whereis_name", l_global_whereis},
    {"send", l_global_send},
    {nullptr, nullptr},
};

}  // namespace

void open_cluster_api(lua_State* L) {
  // lockstep table at -1
  lua_pushcfunction(L, l_spawn_on);
  lua_setfield(L, -2, "spawn_on");
  lua_pushcfunction(L, l_spawn_link_on);
  lua_setfield(L, -2, "spawn_link_on");
  lua_pushcfunction(L, l_spawn_monitor_on);
  lua_setfield(L, -2, "spawn_monitor_on");
  lua_pushcfunction(L, l_node);
  lua_setfield(L, -2, "node");
  luaL_newlib(L, kClusterLib);
  lua_setfield(L, -2, "cluster");
  luaL_newlib(L, kGlobalLib);
  lua_setfield(L, -2, "global");
  luaL_newlib(L, kDiskLib);
  lua_setfield(L, -2, "disk");
}

}  // namespace lockstep::lua
