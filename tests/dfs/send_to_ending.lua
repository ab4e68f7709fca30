-- Messages to a process that ends without taking them: for checking dfs
-- against every interleaving (--dpor none) on the real runtime
-- (tests/scenarios/dfs_cli_test.cc). A send into a mailbox and its
-- owner's end commute (the message is lost either way: dropped with the
-- mailbox, or sent to a process already gone), so a sleeping end stays
-- asleep through the send (dfs.cc, lost_to_end()); while it woke, each
-- such order was run as a class of its own and counted once, the rest
-- given up (the second test: 3 runs; noisy_race_fixed.lua: 9,588 of its
-- first 20,000 runs).
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
