-- Clients of a spin lock: each takes the lock, adds one to a shared count
-- and lets go. The lock is a test and then a set: a client reads the lock,
-- and when it is free, takes it with a second write, so two clients can
-- both read it free and both enter, and one increment is lost. (See
-- spin_lock_fixed.lua, whose lock is one compare-and-swap.)
--
-- The clients are interchangeable and declared so (ls.symmetric): with
-- `--strategy dfs` (whose state cache turns to every state once a client
-- spins back round), states that differ only by which client is which
-- count once.
local ls = lockstep

ls.test("no increment is lost", { strategy = "random", iterations = 300 }, function()
  local lock, count = ls.atomics.new(1), ls.atomics.new(1)
  local me = ls.self()
  local clients = {}
  for i = 1, 3 do
    clients[i] = ls.spawn(function()
      ls.label("client")
      repeat until ls.atomics.get(lock, 1) == 0  -- test ...
      ls.atomics.put(lock, 1, 1)                 -- ... then set: not one step
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
