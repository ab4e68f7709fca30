-- Messages to a process that ends without taking them: for checking dfs
-- against every interleaving (--dpor none) on the real runtime
-- (tests/scenarios/dfs_cli_test.cc). A send into a mailbox and its
-- owner's end leave the same state in either order (the message is lost,
-- dropped with the mailbox or sent to a process already gone), but the
-- classes tell the orders apart, and sleep sets must too: a rule that
-- kept a sleeping end asleep through such a send saved the repeated runs
-- here and lost a class elsewhere (tests/dfs/kill_disables.lua, the last
-- test).
local ls = lockstep

ls.test("a peer that polls and ends", function()
  local poller = ls.spawn(function()
    for _ = 1, 2 do ls.receive(nil, 0) end
  end)
  ls.spawn(function()
    for i = 1, 3 do ls.send(poller, i) end
  end)
end)

ls.test("a registered peer that ends", function()
  ls.spawn(function() ls.register("peer", ls.self()) end)
  ls.spawn(function()
    for i = 1, 3 do
      local p = ls.whereis("peer")
      if p then ls.send(p, i) end
    end
  end)
end)
