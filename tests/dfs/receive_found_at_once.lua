-- A receive with a timeout that finds its message at once arms no timer,
-- but had the message come later it would have, reading the virtual time
-- (timers = "any": an early timer moves it on). It reads the time either
-- way: while it did only when it armed, its step's footprint depended on
-- whether the message came first, and --dpor none's own check found that
-- step and the send not commuting on 18 of 60 random programs with timers
-- in every process. For checking dfs against every interleaving
-- (tests/scenarios/dfs_cli_test.cc).
local ls = lockstep

ls.test("a receive that may find its message at once", { timers = "any" }, function()
  local root = ls.self()
  local worker = ls.spawn(function() ls.receive(nil, 20) end)
  ls.spawn(function() ls.send(root, "a") end)
  ls.send(worker, "b")
  ls.receive(nil, 5)
end)
