/* The bar for a step (bench/run.sh): a bare coroutine resume+yield round
 * trip in C-compiled Lua, where a yield is a longjmp. lockstep links the
 * C++-compiled Lua (a Lua error must unwind C++ frames), in which a yield
 * is a C++ throw; its steps switch stacks instead (lua/fiber.h), so this
 * round trip, not the C++ one, is what a step is compared with.
 * Prints the median of 5 runs of 2,000,000 round trips, in ns. */
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static int yield_fn(lua_State* L) { return lua_yield(L, 0); }

static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static double round_trip_ns(void) {
  lua_State* L = luaL_newstate();
  luaL_openlibs(L);
  lua_register(L, "y", yield_fn);
  lua_State* co = lua_newthread(L);
  luaL_loadstring(co, "while true do y() end");
  int nres;
  lua_resume(co, L, 0, &nres);
  const int n = 2000000;
  const double t0 = now_ns();
  for (int i = 0; i < n; ++i) lua_resume(co, L, 0, &nres);
  const double ns = (now_ns() - t0) / n;
  lua_close(L);
  return ns;
}

static int by_value(const void* a, const void* b) {
  const double x = *(const double*)a, y = *(const double*)b;
  return (x > y) - (x < y);
}

int main(void) {
  double v[5];
  for (int i = 0; i < 5; ++i) v[i] = round_trip_ns();
  qsort(v, 5, sizeof v[0], by_value);
  printf("%.2f\n", v[2]);
  return 0;
}
