-- Fixed twin of spin_lock.lua: the lock is taken with one compare-and-swap,
-- so only one client holds it at a time. A client may fail to take it any
-- number of times before the holder lets go, so the stateless dfs
-- (`--state-cache off`) never ends (every number of failed tries is
-- another schedule), and `lockstep run spin_lock_fixed.lua --strategy dfs`
-- proves it in 285 states (the cache at every state, once a client spun
-- back round); without ls.symmetric, 997.
local ls = lockstep

ls.test("no increment is lost", { strategy = "random", iterations = 300 }, function()
  local lock, count = ls.atomics.new(1), ls.atomics.new(1)
  local me = ls.self()
  local clients = {}
  for i = 1, 3 do
    clients[i] = ls.spawn(function()
      ls.label("client")
      repeat until ls.atomics.compare_exchange(lock, 1, 0, 1)
      ls.atomics.put(count, 1, ls.atomics.get(count, 1) + 1)
      ls.atomics.put(lock, 1, 0)
      ls.send(me, "done")
    end)
  end
  ls.symmetric(clients)
  clients = nil  -- a list's order would tell them apart
  for _ = 1, 3 do ls.receive() end
  assert(ls.atomics.get(count, 1) == 3, "an increment was lost: two clients held the lock at once")
end)
